// Limits on what runs at once (parallelism, mutexes, semaphores), memoization, suspend, and
// steering a running workflow from another store connection (resume, stop, terminate).
#include <chrono>
#include <thread>

#include "engine_fixture.h"

namespace rampart::engine::testing {
namespace {

// A steps workflow whose single group runs `count` probe steps (see concurrency_probe) at once,
// with `extra_spec` added under spec and `extra_template` under the probe template.
std::string probe_workflow(const std::string& name, int count, const std::string& extra_spec,
                           const std::string& extra_template, const std::string& main_extra = "") {
  return R"(
apiVersion: argoproj.io/v1alpha1
kind: Workflow
metadata: {name: )" +
         name + R"(}
spec:
  entrypoint: main
  volumes: [{name: v, persistentVolumeClaim: {claimName: probe}}]
)" + extra_spec +
         R"(
  templates:
  - name: main
)" + main_extra +
         R"(
    steps:
    - - name: p
        template: probe
        withSequence: {count: ")" +
         std::to_string(count) + R"("}
        arguments: {parameters: [{name: id, value: "{{item}}"}]}
  - name: probe
    inputs: {parameters: [{name: id}]}
)" + extra_template +
         R"(
    container:
      image: busybox
      command: [sh, -c, ")" +
         concurrency_probe("/v", "{{inputs.parameters.id}}") + R"("]
      volumeMounts: [{name: v, mountPath: /v}]
)";
}

std::vector<std::string> probe_counts(const fs::path& claim) { return read_lines(claim / "counts"); }

TEST_F(EngineTest, WorkflowParallelismBoundsRunningPods) {
  Json wf = run_yaml(probe_workflow("parallel2", 6, "  parallelism: 2", ""));
  ASSERT_EQ(workflow_phase(wf), "Succeeded") << describe(wf);
  auto counts = probe_counts(claim_dir("probe"));
  ASSERT_EQ(counts.size(), 6u);
  EXPECT_LE(max_int_line(counts), 2);
  EXPECT_EQ(count_nodes(wf, "Pod", "Succeeded"), 6);
}

TEST_F(EngineTest, WithoutParallelismStepsOfAGroupOverlap) {
  // The control for the test above: the probe does see concurrency when nothing limits it.
  Json wf = run_yaml(probe_workflow("unbounded", 4, "", ""));
  ASSERT_EQ(workflow_phase(wf), "Succeeded") << describe(wf);
  EXPECT_GE(max_int_line(probe_counts(claim_dir("probe"))), 2);
}

TEST_F(EngineTest, TemplateParallelismBoundsItsChildren) {
  Json wf = run_yaml(probe_workflow("tmplpar", 5, "", "", "    parallelism: 1"));
  ASSERT_EQ(workflow_phase(wf), "Succeeded") << describe(wf);
  auto counts = probe_counts(claim_dir("probe"));
  ASSERT_EQ(counts.size(), 5u);
  EXPECT_EQ(max_int_line(counts), 1);
}

TEST_F(EngineTest, MutexSerializesSteps) {
  Json wf = run_yaml(probe_workflow("mutex", 3, "", "    synchronization: {mutex: {name: the-lock}}"));
  ASSERT_EQ(workflow_phase(wf), "Succeeded") << describe(wf);
  auto counts = probe_counts(claim_dir("probe"));
  ASSERT_EQ(counts.size(), 3u);
  EXPECT_EQ(max_int_line(counts), 1);
}

TEST_F(EngineTest, SemaphoreFromAConfigMapBoundsSteps) {
  std::string yaml = probe_workflow("semaphore", 5, "",
                                    "    synchronization: {semaphore: {configMapKeyRef: {name: limits, key: probe}}}") +
                     R"(
---
apiVersion: v1
kind: ConfigMap
metadata: {name: limits}
data: {probe: "2"}
)";
  Json wf = run_yaml(yaml);
  ASSERT_EQ(workflow_phase(wf), "Succeeded") << describe(wf);
  auto counts = probe_counts(claim_dir("probe"));
  ASSERT_EQ(counts.size(), 5u);
  EXPECT_LE(max_int_line(counts), 2);
}

TEST_F(EngineTest, MemoizeReusesACachedResult) {
  auto yaml = [](const std::string& name) {
    return R"(
apiVersion: argoproj.io/v1alpha1
kind: Workflow
metadata: {name: )" +
           name + R"(}
spec:
  entrypoint: main
  volumes: [{name: v, persistentVolumeClaim: {claimName: memo}}]
  templates:
  - name: main
    steps:
    - - {name: work, template: work, arguments: {parameters: [{name: k, value: same-key}]}}
  - name: work
    inputs: {parameters: [{name: k}]}
    memoize:
      key: "{{inputs.parameters.k}}"
      cache: {configMap: {name: memo-cache}}
    container:
      image: busybox
      command: [sh, -c, "echo ran >> /v/runs; echo computed"]
      volumeMounts: [{name: v, mountPath: /v}]
)";
  };
  Json first = run_yaml(yaml("memo-1"));
  ASSERT_EQ(workflow_phase(first), "Succeeded") << describe(first);
  Json w1 = node_by_display(first, "work");
  EXPECT_EQ(result_of(w1), "computed");
  ASSERT_TRUE(w1.contains("memoizationStatus")) << w1.dump();
  EXPECT_EQ(w1["memoizationStatus"].value("hit", true), false);

  Json second = run_yaml(yaml("memo-2"));
  ASSERT_EQ(workflow_phase(second), "Succeeded") << describe(second);
  Json w2 = node_by_display(second, "work");
  EXPECT_EQ(result_of(w2), "computed");
  ASSERT_TRUE(w2.contains("memoizationStatus")) << w2.dump();
  EXPECT_EQ(w2["memoizationStatus"].value("hit", false), true);
  EXPECT_EQ(w2["memoizationStatus"].value("key", ""), "same-key");
  EXPECT_EQ(w2["memoizationStatus"].value("cacheName", ""), "memo-cache");
  // The step ran once in all.
  EXPECT_EQ(read_lines(claim_dir("memo") / "runs").size(), 1u);
}

TEST_F(EngineTest, SuspendWithADurationResumesByItself) {
  Json wf = run_yaml(R"(
apiVersion: argoproj.io/v1alpha1
kind: Workflow
metadata: {name: suspend}
spec:
  entrypoint: main
  templates:
  - name: main
    steps:
    - - {name: wait, template: wait}
    - - {name: after, template: ok}
  - name: wait
    suspend: {duration: "1s"}
  - name: ok
    container: {image: busybox, command: [echo, after]}
)");
  ASSERT_EQ(workflow_phase(wf), "Succeeded") << describe(wf);
  Json wait = node_by_display(wf, "wait");
  EXPECT_EQ(wait.value("type", ""), "Suspend");
  EXPECT_EQ(phase_of(wait), "Succeeded");
  EXPECT_EQ(result_of(node_by_display(wf, "after")), "after");
}

// Runs a workflow on a thread while the test watches it through its own store connection.
class BackgroundRun {
 public:
  BackgroundRun(Engine& engine, const std::string& name) : thread_([&engine, name] { engine.run("argo", name); }) {}
  ~BackgroundRun() { join(); }
  void join() {
    if (thread_.joinable()) thread_.join();
  }

 private:
  std::thread thread_;
};

// Polls (bounded) until some node with `display` has `phase`.
bool wait_for_node(store::Store& store, const std::string& name, const std::string& display, const std::string& phase) {
  for (int i = 0; i < 600; ++i) {
    for (const auto& n : store.get_nodes("argo", name)) {
      if (n.status.value("displayName", "") == display && n.status.value("phase", "") == phase) return true;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  return false;
}

TEST_F(EngineTest, SuspendWithoutDurationWaitsForAResume) {
  std::string name = submit_yaml(R"(
apiVersion: argoproj.io/v1alpha1
kind: Workflow
metadata: {name: approval}
spec:
  entrypoint: main
  templates:
  - name: main
    steps:
    - - {name: approve, template: approve}
    - - {name: after, template: ok}
  - name: approve
    suspend: {}
  - name: ok
    container: {image: busybox, command: [echo, approved]}
)");
  auto watcher = store::open_sqlite(state_dir() + "/rampart.db");
  {
    BackgroundRun run(*engine_, name);
    ASSERT_TRUE(wait_for_node(*watcher, name, "approve", "Running"));
    Engine::request_shutdown(*watcher, "argo", name, "Resume");
  }
  Json wf = Engine::workflow_object(*store_, "argo", name);
  ASSERT_EQ(workflow_phase(wf), "Succeeded") << describe(wf);
  EXPECT_EQ(phase_of(node_by_display(wf, "approve")), "Succeeded");
  EXPECT_EQ(result_of(node_by_display(wf, "after")), "approved");
}

const char* kLongRunning = R"(
apiVersion: argoproj.io/v1alpha1
kind: Workflow
metadata: {name: NAME}
spec:
  entrypoint: main
  onExit: handler
  templates:
  - name: main
    steps:
    - - {name: long, template: long}
  - name: long
    container: {image: busybox, command: [sleep, "100"]}
  - name: handler
    container: {image: busybox, command: [echo, "handler {{workflow.status}}"]}
)";

std::string long_running(const std::string& name) {
  std::string yaml = kLongRunning;
  yaml.replace(yaml.find("NAME"), 4, name);
  return yaml;
}

TEST_F(EngineTest, TerminateEndsARunningWorkflowWithoutItsExitHandler) {
  std::string name = submit_yaml(long_running("terminate"));
  auto watcher = store::open_sqlite(state_dir() + "/rampart.db");
  {
    BackgroundRun run(*engine_, name);
    ASSERT_TRUE(wait_for_node(*watcher, name, "long", "Running"));
    Engine::request_shutdown(*watcher, "argo", name, "Terminate");
  }
  Json wf = Engine::workflow_object(*store_, "argo", name);
  EXPECT_EQ(workflow_phase(wf), "Failed") << describe(wf);
  EXPECT_EQ(phase_of(node_by_display(wf, "long")), "Failed");
  EXPECT_FALSE(has_display(wf, "terminate.onExit")) << describe(wf);
}

TEST_F(EngineTest, StopEndsARunningWorkflowAndRunsItsExitHandler) {
  std::string name = submit_yaml(long_running("stop"));
  auto watcher = store::open_sqlite(state_dir() + "/rampart.db");
  {
    BackgroundRun run(*engine_, name);
    ASSERT_TRUE(wait_for_node(*watcher, name, "long", "Running"));
    Engine::request_shutdown(*watcher, "argo", name, "Stop");
  }
  Json wf = Engine::workflow_object(*store_, "argo", name);
  EXPECT_EQ(workflow_phase(wf), "Failed") << describe(wf);
  EXPECT_EQ(phase_of(node_by_display(wf, "long")), "Failed");
  Json handler = node_by_name(wf, "stop.onExit");
  EXPECT_EQ(phase_of(handler), "Succeeded");
  EXPECT_EQ(result_of(handler), "handler Failed");
}

TEST_F(EngineTest, ObserverSeesNodeAndWorkflowChanges) {
  struct Recorder : Observer {
    std::vector<std::string> node_events;
    std::vector<std::string> workflow_phases;
    void node_changed(const Node& node) override {
      node_events.push_back(node.display_name + ":" + to_string(node.phase));
    }
    void workflow_changed(const store::WorkflowRecord& wf) override { workflow_phases.push_back(wf.phase); }
  } recorder;
  std::string name = submit_yaml(R"(
apiVersion: argoproj.io/v1alpha1
kind: Workflow
metadata: {name: observed}
spec:
  entrypoint: main
  templates:
  - name: main
    container: {image: busybox, command: ["true"]}
)");
  auto record = engine_->run("argo", name, &recorder);
  EXPECT_EQ(record.phase, "Succeeded");
  EXPECT_NE(std::find(recorder.node_events.begin(), recorder.node_events.end(), "observed:Succeeded"),
            recorder.node_events.end());
  ASSERT_FALSE(recorder.workflow_phases.empty());
  EXPECT_EQ(recorder.workflow_phases.back(), "Succeeded");
}

}  // namespace
}  // namespace rampart::engine::testing
