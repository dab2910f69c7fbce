// Step slots: --parallelism caps the steps running at once per process (across workflows that
// share the slots), spec.parallelism within a workflow; waiting steps stay Pending with the reason.
#include <gtest/gtest.h>

#include <atomic>
#include <set>
#include <thread>

#include "engine/step_slots.h"
#include "engine_fixture.h"
#include "fake_executor.h"

namespace rampart::engine::testing {
namespace {

TEST(StepSlots, GivesAtMostTheLimitAndWakesSubscribersOnRelease) {
  StepSlots slots(2);
  std::atomic<int> woken{0};
  int64_t token = slots.subscribe([&] { ++woken; });
  EXPECT_TRUE(slots.try_acquire());
  EXPECT_TRUE(slots.try_acquire());
  EXPECT_FALSE(slots.try_acquire());
  EXPECT_EQ(slots.in_use(), 2);
  slots.release();
  EXPECT_EQ(woken.load(), 1);
  EXPECT_TRUE(slots.try_acquire());
  slots.unsubscribe(token);
  slots.release();
  EXPECT_EQ(woken.load(), 1);  // no call after unsubscribe
}

TEST(StepSlots, ZeroMeansNoLimit) {
  StepSlots slots(0);
  for (int i = 0; i < 10'000; ++i) ASSERT_TRUE(slots.try_acquire());
}

// Records, from the engine's node changes, the most pods ever Running at once and the messages
// pods showed while Pending.
class PodWatcher : public Observer {
 public:
  void node_changed(const Node& n) override {
    if (n.type != NodeType::Pod) return;
    std::lock_guard lock(mutex_);
    if (n.phase == NodePhase::Running) {
      running_.insert(n.id);
      max_running_ = std::max(max_running_, running_.size());
    } else {
      running_.erase(n.id);
    }
    if (n.phase == NodePhase::Pending && !n.message.empty()) pending_messages_.insert(n.message);
  }
  void workflow_changed(const store::WorkflowRecord&) override {}
  size_t max_running() const {
    std::lock_guard lock(mutex_);
    return max_running_;
  }
  std::set<std::string> pending_messages() const {
    std::lock_guard lock(mutex_);
    return pending_messages_;
  }

 private:
  mutable std::mutex mutex_;
  std::set<std::string> running_;
  size_t max_running_ = 0;
  std::set<std::string> pending_messages_;
};

std::string loop_workflow(int count, int parallelism) {
  std::string spec_parallelism = parallelism > 0 ? "  parallelism: " + std::to_string(parallelism) + "\n" : "";
  return "apiVersion: argoproj.io/v1alpha1\nkind: Workflow\nmetadata: {name: loop}\nspec:\n  entrypoint: main\n" +
         spec_parallelism +
         "  templates:\n"
         "  - name: main\n"
         "    steps:\n"
         "    - - name: s\n"
         "        template: t\n"
         "        withSequence: {count: \"" +
         std::to_string(count) +
         "\"}\n"
         "  - name: t\n"
         "    container: {image: busybox, command: [\"true\"]}\n";
}

class StepSlotsEngineTest : public ::testing::Test {
 protected:
  void SetUp() override { store_ = store::open_sqlite(state_.path() + "/rampart.db"); }

  std::string submit(Engine& engine, const std::string& yaml, const std::string& name) {
    auto docs = load_documents(yaml);
    SubmitOptions options;
    options.name = name;
    return engine.submit(docs.at(0), {}, options);
  }
  EngineOptions options(int64_t max_running) {
    EngineOptions o;
    o.state_dir = state_.path();
    o.bounds.max_running_steps = max_running;
    return o;
  }

  TempDir state_;
  std::unique_ptr<store::Store> store_;
};

TEST_F(StepSlotsEngineTest, ALoopRunsAtMostParallelismStepsAndTheRestWaitPending) {
  FakeExecutor fake(/*hold=*/3, /*expected=*/40);  // a step ends only once 3 run: more would show
  Engine engine(*store_, fake, options(3));
  PodWatcher watcher;
  std::string name = submit(engine, loop_workflow(40, 0), "loop");
  EXPECT_EQ(engine.run("argo", name, &watcher).phase, "Succeeded");
  EXPECT_EQ(fake.max_running(), 3);
  EXPECT_EQ(watcher.max_running(), 3u);
  EXPECT_EQ(fake.started_ids().size(), 40u);
  EXPECT_EQ(watcher.pending_messages(),
            std::set<std::string>{"Waiting for the engine's parallelism: 3 steps are running (--parallelism)"});
}

TEST_F(StepSlotsEngineTest, TheWorkflowsOwnParallelismAppliesBelowTheEnginesCap) {
  FakeExecutor fake(2, 30);
  Engine engine(*store_, fake, options(8));
  PodWatcher watcher;
  std::string name = submit(engine, loop_workflow(30, 2), "loop");
  EXPECT_EQ(engine.run("argo", name, &watcher).phase, "Succeeded");
  EXPECT_EQ(fake.max_running(), 2);
  EXPECT_EQ(watcher.pending_messages(), std::set<std::string>{"Waiting for workflow parallelism: 2 steps are running"});
}

TEST_F(StepSlotsEngineTest, WorkflowsSharingSlotsTogetherStayUnderTheCap) {
  FakeExecutor fake(4, 60);
  auto shared = std::make_shared<StepSlots>(4);
  EngineOptions o = options(4);
  o.step_slots = shared;
  std::string a, b;
  {
    Engine submitter(*store_, fake, o);
    a = submit(submitter, loop_workflow(30, 0), "loop-a");
    b = submit(submitter, loop_workflow(30, 0), "loop-b");
  }
  // Each workflow on its own thread, its own store connection and Engine, as the server runs them.
  auto store_b = store::open_sqlite(state_.path() + "/rampart.db");
  std::string phase_b;
  std::thread other([&] {
    Engine engine_b(*store_b, fake, o);
    phase_b = engine_b.run("argo", b).phase;
  });
  Engine engine_a(*store_, fake, o);
  EXPECT_EQ(engine_a.run("argo", a).phase, "Succeeded");
  other.join();
  EXPECT_EQ(phase_b, "Succeeded");
  EXPECT_LE(fake.max_running(), 4);
  EXPECT_EQ(shared->in_use(), 0);
}

TEST_F(StepSlotsEngineTest, UnlimitedWhenParallelismIsZero) {
  FakeExecutor fake(25, 25);
  Engine engine(*store_, fake, options(0));
  std::string name = submit(engine, loop_workflow(25, 0), "loop");
  EXPECT_EQ(engine.run("argo", name).phase, "Succeeded");
  EXPECT_EQ(fake.max_running(), 25);
}

}  // namespace
}  // namespace rampart::engine::testing
