// Hostile steps: floods of output, fork bombs. The engine must stay healthy and finish.
#include "engine_fixture.h"

namespace rampart::engine::testing {
namespace {

const char* kTrivial = R"(
apiVersion: argoproj.io/v1alpha1
kind: Workflow
metadata: {generateName: after-}
spec:
  entrypoint: main
  templates:
  - name: main
    container: {image: busybox, command: [echo, still-fine]}
)";

TEST_F(EngineTest, StdoutFloodIsCappedAndTheWorkflowCompletes) {
  Json wf = run_yaml(R"(
apiVersion: argoproj.io/v1alpha1
kind: Workflow
metadata: {name: flood}
spec:
  entrypoint: main
  templates:
  - name: main
    steps:
    - - {name: flood, template: flood}
    - - {name: after, template: ok}
  - name: flood
    container: {image: busybox, command: [sh, -c, "head -c 1G /dev/zero | tr '\\0' x; echo; echo tail-line"]}
  - name: ok
    container: {image: busybox, command: [echo, ok]}
)");
  ASSERT_EQ(workflow_phase(wf), "Succeeded") << describe(wf);
  Json flood = node_by_name(wf, "flood[0].flood");
  EXPECT_EQ(phase_of(flood), "Succeeded");
  // The result keeps a bounded tail of stdout, never the whole gigabyte.
  EXPECT_LE(result_of(flood).size(), 1024u * 1024u);
  EXPECT_EQ(result_of(node_by_display(wf, "after")), "ok");

  // The log on disk is capped too.
  fs::path log_dir = fs::path(state_dir()) / "logs" / "argo" / "flood";
  uintmax_t total = 0;
  for (const auto& entry : fs::directory_iterator(log_dir)) total += fs::file_size(entry.path());
  EXPECT_GT(total, 0u);
  EXPECT_LE(total, (64ull << 20) + (1ull << 20)) << "log bytes: " << total;

  // Nothing big is left behind in the run dirs either.
  uintmax_t leftover = 0;
  std::error_code ec;
  fs::path run_dir = fs::path(state_dir()) / "run";
  if (fs::exists(run_dir)) {
    for (auto it = fs::recursive_directory_iterator(run_dir, ec); !ec && it != fs::recursive_directory_iterator();
         it.increment(ec)) {
      if (it->is_regular_file(ec)) leftover += it->file_size(ec);
    }
  }
  EXPECT_LE(leftover, 1ull << 20);

  Json next = run_yaml(kTrivial);
  EXPECT_EQ(workflow_phase(next), "Succeeded") << describe(next);
}

TEST_F(EngineTest, ForkBombIsContainedByThePidsLimitAndTheDeadline) {
  std::string summary = executor_->enforcement_summary();
  if (summary.find("processes: pids.max") == std::string::npos) {
    GTEST_SKIP() << "the executor does not enforce a pids limit on this host:\n" << summary;
  }
  Json wf = run_yaml(R"(
apiVersion: argoproj.io/v1alpha1
kind: Workflow
metadata: {name: forkbomb}
spec:
  entrypoint: main
  templates:
  - name: main
    activeDeadlineSeconds: 5
    container: {image: busybox, command: [sh, -c, "bomb() { bomb | bomb & }; bomb; sleep 100"]}
)");
  EXPECT_EQ(workflow_phase(wf), "Failed") << describe(wf);
  Json root = node_by_name(wf, "forkbomb");
  EXPECT_EQ(phase_of(root), "Failed");
  // The machine can still start processes and run a workflow.
  Json next = run_yaml(kTrivial);
  EXPECT_EQ(workflow_phase(next), "Succeeded") << describe(next);
  EXPECT_EQ(result_of(node_by_name(next, next["metadata"]["name"])), "still-fine");
}

TEST_F(EngineTest, ManyStepsComplete) {
  Json wf = run_yaml(R"(
apiVersion: argoproj.io/v1alpha1
kind: Workflow
metadata: {name: many}
spec:
  entrypoint: main
  parallelism: 4
  templates:
  - name: main
    dag:
      tasks:
      - {name: fan, template: echo, withSequence: {count: "20"}, arguments: {parameters: [{name: i, value: "{{item}}"}]}}
      - {name: join, template: echo, dependencies: [fan], arguments: {parameters: [{name: i, value: "joined"}]}}
  - name: echo
    inputs: {parameters: [{name: i}]}
    container: {image: busybox, command: [echo, "{{inputs.parameters.i}}"]}
)");
  ASSERT_EQ(workflow_phase(wf), "Succeeded") << describe(wf);
  EXPECT_EQ(count_nodes(wf, "Pod", "Succeeded"), 21);
  EXPECT_EQ(result_of(node_by_display(wf, "fan(19:19)")), "19");
  EXPECT_EQ(result_of(node_by_display(wf, "join")), "joined");
}

// A step can leave symlinks where the engine reads outputs; following one would hand a host file
// (here the host's /etc/hostname and a file in the test's own directory) to the workflow.
TEST_F(EngineTest, OutputsDoNotFollowSymlinksOutOfTheStep) {
  fs::path secret = fs::path(state_dir()) / "host-secret.txt";
  std::ofstream(secret) << "host-only";
  Json wf = run_yaml(R"(
apiVersion: argoproj.io/v1alpha1
kind: Workflow
metadata: {name: escape}
spec:
  entrypoint: main
  templates:
  - name: main
    container:
      image: busybox
      command: [sh, -c, "ln -s )" +
                     secret.string() + R"( /tmp/out; ln -s /etc /tmp/etc; mkdir -p /tmp/art; ln -s )" +
                     secret.string() + R"( /tmp/art/s"]
    outputs:
      parameters:
      - {name: direct, valueFrom: {path: /tmp/out, default: refused}}
      - {name: through-dir, valueFrom: {path: /tmp/etc/hostname, default: refused}}
)");
  Json n = node_by_name(wf, "escape");
  std::string dump = n.dump();
  EXPECT_EQ(dump.find("host-only"), std::string::npos) << dump;
  for (const auto& p : n["outputs"]["parameters"]) EXPECT_EQ(p.value("value", ""), "refused") << dump;
}

}  // namespace
}  // namespace rampart::engine::testing
