// Argo's semantics on a ScriptedExecutor: no processes, no sleeps, the same result every run.
// DAG dependencies with `depends`, continueOn and failFast; retries; `when`; loops; exit handlers.
#include <gtest/gtest.h>

#include <map>
#include <mutex>
#include <string>

#include "engine_fixture.h"
#include "scripted_executor.h"

namespace rampart::engine::testing {
namespace {

// The last phase (and message) of every node, by display name.
class FinalPhases : public Observer {
 public:
  void node_changed(const Node& n) override {
    std::lock_guard lock(mutex_);
    phases_[n.display_name] = to_string(n.phase);
    messages_[n.display_name] = n.message;
  }
  void workflow_changed(const store::WorkflowRecord&) override {}
  std::string phase(const std::string& display_name) const {
    std::lock_guard lock(mutex_);
    auto it = phases_.find(display_name);
    return it == phases_.end() ? "(none)" : it->second;
  }
  std::string message(const std::string& display_name) const {
    std::lock_guard lock(mutex_);
    auto it = messages_.find(display_name);
    return it == messages_.end() ? "" : it->second;
  }

 private:
  mutable std::mutex mutex_;
  std::map<std::string, std::string> phases_;
  std::map<std::string, std::string> messages_;
};

class ScriptedSemanticsTest : public ::testing::Test {
 protected:
  void SetUp() override { store_ = store::open_sqlite(state_.path() + "/rampart.db"); }

  // Runs `spec` (the lines under `spec:`, indented by two) to the end; returns the workflow phase.
  std::string run(const std::string& spec) {
    EngineOptions options;
    options.state_dir = state_.path();
    Engine engine(*store_, executor_, options);
    auto docs =
        load_documents("apiVersion: argoproj.io/v1alpha1\nkind: Workflow\nmetadata: {name: wf}\nspec:\n" + spec);
    SubmitOptions submit;
    submit.name = "wf";
    std::string name = engine.submit(docs.at(0), {}, submit);
    return engine.run("argo", name, &phases_).phase;
  }

  TempDir state_;
  std::unique_ptr<store::Store> store_;
  ScriptedExecutor executor_;
  FinalPhases phases_;
};

constexpr const char* kStep = R"(
  - name: step
    inputs: {parameters: [{name: args, value: "[]"}]}
    container: {image: busybox, command: [sh], args: ["{{inputs.parameters.args}}"]}
)";

TEST_F(ScriptedSemanticsTest, DependsContinueOnAndOmittedTasks) {
  std::string phase = run(R"(  entrypoint: main
  templates:
  - name: main
    dag:
      tasks:
      - {name: a, template: ok}
      - {name: b, template: fails, depends: a, continueOn: {failed: true}}
      - {name: c, template: ok, depends: b}
      - {name: d, template: ok, depends: a.Failed}
      - {name: e, template: ok, depends: b.Failed && c}
  - name: ok
    container: {image: busybox, command: ["true"]}
  - name: fails
    container: {image: busybox, command: [sh], args: [exit, "3"]}
)");
  EXPECT_EQ(phase, "Succeeded");
  EXPECT_EQ(phases_.phase("b"), "Failed");
  EXPECT_EQ(phases_.message("b"), "Error (exit code 3)");
  EXPECT_EQ(phases_.phase("c"), "Succeeded") << "b continues on failure, so c runs";
  EXPECT_EQ(phases_.phase("d"), "Omitted");
  EXPECT_EQ(phases_.phase("e"), "Succeeded");
  EXPECT_EQ(executor_.starts().size(), 4u);
}

TEST_F(ScriptedSemanticsTest, AFailedTaskFailsTheDagAndItsDependentsNeverStart) {
  std::string phase = run(R"(  entrypoint: main
  templates:
  - name: main
    dag:
      tasks:
      - {name: a, template: fails}
      - {name: b, template: ok, depends: a}
  - name: ok
    container: {image: busybox, command: ["true"]}
  - name: fails
    container: {image: busybox, command: [sh], args: [exit, "1"]}
)");
  EXPECT_EQ(phase, "Failed");
  EXPECT_EQ(phases_.phase("a"), "Failed");
  EXPECT_EQ(executor_.started_templates(), std::vector<std::string>{"fails"});
}

TEST_F(ScriptedSemanticsTest, RetriesRunAFlakyStepUntilItSucceeds) {
  std::string phase = run(R"(  entrypoint: main
  templates:
  - name: main
    retryStrategy: {limit: "3"}
    container: {image: busybox, command: [sh], args: [fail-first, "2"]}
)");
  EXPECT_EQ(phase, "Succeeded");
  EXPECT_EQ(executor_.starts().size(), 3u) << "two failures, then the third attempt succeeds";
  EXPECT_EQ(phases_.phase("wf(0)"), "Failed");
  EXPECT_EQ(phases_.phase("wf(2)"), "Succeeded");
}

TEST_F(ScriptedSemanticsTest, RetriesStopAtTheLimit) {
  std::string phase = run(R"(  entrypoint: main
  templates:
  - name: main
    retryStrategy: {limit: "1"}
    container: {image: busybox, command: [sh], args: [fail-first, "5"]}
)");
  EXPECT_EQ(phase, "Failed");
  EXPECT_EQ(executor_.starts().size(), 2u) << "the first try and one retry";
}

TEST_F(ScriptedSemanticsTest, WhenSkipsAStepAndLoopsRunEveryItem) {
  std::string phase = run(std::string(R"(  entrypoint: main
  templates:
  - name: main
    steps:
    - - {name: never, template: step, when: "1 == 2"}
    - - name: each
        template: step
        arguments: {parameters: [{name: args, value: "item-{{item}}"}]}
        withItems: [x, y, z]
)") + kStep);
  EXPECT_EQ(phase, "Succeeded");
  EXPECT_EQ(phases_.phase("never"), "Skipped");
  std::vector<std::string> args;
  for (const auto& s : executor_.starts()) args.push_back(s.args.at(0));
  EXPECT_EQ(args, (std::vector<std::string>{"item-x", "item-y", "item-z"}));
}

TEST_F(ScriptedSemanticsTest, TheExitHandlerRunsAfterAFailureAndSeesTheStatus) {
  std::string phase = run(std::string(R"(  entrypoint: main
  onExit: bye
  templates:
  - name: main
    container: {image: busybox, command: [sh], args: [exit, "2"]}
  - name: bye
    steps:
    - - name: report
        template: step
        arguments: {parameters: [{name: args, value: "status={{workflow.status}}"}]}
)") + kStep);
  EXPECT_EQ(phase, "Failed");
  auto starts = executor_.starts();
  ASSERT_EQ(starts.size(), 2u);
  EXPECT_EQ(starts[1].args, std::vector<std::string>{"status=Failed"});
}

}  // namespace
}  // namespace rampart::engine::testing
