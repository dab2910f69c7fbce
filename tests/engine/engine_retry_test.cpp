// Retries, deadlines and exit handlers.
#include "engine_fixture.h"

namespace rampart::engine::testing {
namespace {

using ::testing::ElementsAre;

// A step that fails the first `n` times it runs (a counter file in the PVC "c") then succeeds.
std::string flaky_workflow(const std::string& name, const std::string& strategy, int failures = 2,
                           const std::string& fail_command = "exit 1") {
  return R"(
apiVersion: argoproj.io/v1alpha1
kind: Workflow
metadata: {name: )" + name + R"(}
spec:
  entrypoint: main
  volumes: [{name: v, persistentVolumeClaim: {claimName: c}}]
  templates:
  - name: main
    steps:
    - - {name: flaky, template: flaky}
  - name: flaky
    retryStrategy: )" + strategy + R"(
    container:
      image: busybox
      command: [sh, -c]
      args:
      - |
        n=$(cat /v/count 2>/dev/null || echo 0)
        echo $((n + 1)) > /v/count
        echo "attempt {{retries}}"
        if [ "$n" -lt )" + std::to_string(failures) + R"( ]; then )" + fail_command + R"(; fi
      volumeMounts: [{name: v, mountPath: /v}]
)";
}

TEST_F(EngineTest, RetryLimitRetriesUntilSuccess) {
  Json wf = run_yaml(flaky_workflow("retry", "{limit: 3}"));
  ASSERT_EQ(workflow_phase(wf), "Succeeded") << describe(wf);
  Json retry = node_by_display(wf, "flaky");
  EXPECT_EQ(retry.value("type", ""), "Retry");
  EXPECT_EQ(phase_of(retry), "Succeeded");
  EXPECT_THAT(child_display_names(wf, retry), ElementsAre("flaky(0)", "flaky(1)", "flaky(2)"));
  EXPECT_EQ(phase_of(node_by_display(wf, "flaky(0)")), "Failed");
  EXPECT_EQ(phase_of(node_by_display(wf, "flaky(1)")), "Failed");
  Json last = node_by_display(wf, "flaky(2)");
  EXPECT_EQ(phase_of(last), "Succeeded");
  EXPECT_EQ(last.value("type", ""), "Pod");
  EXPECT_EQ(result_of(last), "attempt 2");  // {{retries}} counts attempts from 0
  EXPECT_EQ(result_of(retry), "attempt 2");  // the Retry node carries the winning outputs
  EXPECT_EQ(read_text(claim_dir("c") / "count"), "3\n");
}

TEST_F(EngineTest, RetryLimitExhaustedFails) {
  Json wf = run_yaml(flaky_workflow("exhausted", "{limit: 1}", 5));
  EXPECT_EQ(workflow_phase(wf), "Failed") << describe(wf);
  Json retry = node_by_display(wf, "flaky");
  EXPECT_EQ(phase_of(retry), "Failed");
  EXPECT_THAT(child_display_names(wf, retry), ElementsAre("flaky(0)", "flaky(1)"));
  EXPECT_EQ(read_text(claim_dir("c") / "count"), "2\n");
}

TEST_F(EngineTest, RetryPolicyOnErrorDoesNotRetryAFailure) {
  Json wf = run_yaml(flaky_workflow("onerror", "{limit: 3, retryPolicy: OnError}"));
  EXPECT_EQ(workflow_phase(wf), "Failed") << describe(wf);
  Json retry = node_by_display(wf, "flaky");
  EXPECT_THAT(child_display_names(wf, retry), ElementsAre("flaky(0)"));
  EXPECT_EQ(read_text(claim_dir("c") / "count"), "1\n");
}

TEST_F(EngineTest, RetryPolicyOnErrorRetriesAnError) {
  // A missing output parameter makes an attempt Error (not Failed); OnError retries it.
  Json wf = run_yaml(R"(
apiVersion: argoproj.io/v1alpha1
kind: Workflow
metadata: {name: onerror-error}
spec:
  entrypoint: main
  volumes: [{name: v, persistentVolumeClaim: {claimName: c}}]
  templates:
  - name: main
    retryStrategy: {limit: 3, retryPolicy: OnError}
    container:
      image: busybox
      command: [sh, -c]
      args:
      - |
        n=$(cat /v/count 2>/dev/null || echo 0)
        echo $((n + 1)) > /v/count
        if [ "$n" -ge 1 ]; then echo done > /tmp/out; fi
      volumeMounts: [{name: v, mountPath: /v}]
    outputs:
      parameters: [{name: out, valueFrom: {path: /tmp/out}}]
)");
  ASSERT_EQ(workflow_phase(wf), "Succeeded") << describe(wf);
  EXPECT_EQ(phase_of(node_by_display(wf, "onerror-error(0)")), "Error");
  EXPECT_EQ(phase_of(node_by_display(wf, "onerror-error(1)")), "Succeeded");
  EXPECT_EQ(output_parameter(node_by_name(wf, "onerror-error"), "out"), "done");
}

TEST_F(EngineTest, RetryPolicyOnFailureDoesNotRetryAnError) {
  Json wf = run_yaml(R"(
apiVersion: argoproj.io/v1alpha1
kind: Workflow
metadata: {name: onfailure-error}
spec:
  entrypoint: main
  templates:
  - name: main
    retryStrategy: {limit: 3, retryPolicy: OnFailure}
    container: {image: "no-such-image-anywhere", command: [true]}
)");
  EXPECT_EQ(workflow_phase(wf), "Error") << describe(wf);
  EXPECT_THAT(child_display_names(wf, node_by_name(wf, "onfailure-error")), ElementsAre("onfailure-error(0)"));
}

TEST_F(EngineTest, RetryWithBackoffStillSucceeds) {
  Json wf = run_yaml(flaky_workflow("backoff", "{limit: 4, backoff: {duration: \"1\", factor: 1}}", 1));
  ASSERT_EQ(workflow_phase(wf), "Succeeded") << describe(wf);
  EXPECT_THAT(child_display_names(wf, node_by_display(wf, "flaky")), ElementsAre("flaky(0)", "flaky(1)"));
}

TEST_F(EngineTest, RetryExpressionDecidesWhetherToRetry) {
  // Exit code 2 is retried; the expression refuses exit code 3.
  Json retried = run_yaml(flaky_workflow("expr-yes", "{limit: 5, expression: \"asInt(lastRetry.exitCode) == 2\"}", 2, "exit 2"));
  ASSERT_EQ(workflow_phase(retried), "Succeeded") << describe(retried);
  EXPECT_EQ(child_display_names(retried, node_by_display(retried, "flaky")).size(), 3u);

  std::filesystem::remove(claim_dir("c") / "count");
  Json refused = run_yaml(flaky_workflow("expr-no", "{limit: 5, expression: \"asInt(lastRetry.exitCode) == 2\"}", 2, "exit 3"));
  EXPECT_EQ(workflow_phase(refused), "Failed") << describe(refused);
  EXPECT_THAT(child_display_names(refused, node_by_display(refused, "flaky")), ElementsAre("flaky(0)"));
}

TEST_F(EngineTest, TemplateTimeoutStopsASleepingStep) {
  Json wf = run_yaml(R"(
apiVersion: argoproj.io/v1alpha1
kind: Workflow
metadata: {name: timeout}
spec:
  entrypoint: main
  templates:
  - name: main
    steps:
    - - {name: sleepy, template: sleepy}
  - name: sleepy
    timeout: 2s
    container: {image: busybox, command: [sleep, "100"]}
)");
  EXPECT_EQ(workflow_phase(wf), "Failed") << describe(wf);
  Json s = node_by_display(wf, "sleepy");
  EXPECT_EQ(phase_of(s), "Failed");
  EXPECT_NE(message_of(s).find("deadline"), std::string::npos) << message_of(s);
}

TEST_F(EngineTest, ActiveDeadlineSecondsKillsASleepingStep) {
  Json wf = run_yaml(R"(
apiVersion: argoproj.io/v1alpha1
kind: Workflow
metadata: {name: deadline}
spec:
  entrypoint: main
  templates:
  - name: main
    steps:
    - - {name: sleepy, template: sleepy}
  - name: sleepy
    activeDeadlineSeconds: 2
    container: {image: busybox, command: [sleep, "100"]}
)");
  EXPECT_EQ(workflow_phase(wf), "Failed") << describe(wf);
  Json s = node_by_display(wf, "sleepy");
  EXPECT_EQ(phase_of(s), "Failed");
  EXPECT_NE(message_of(s).find("deadline"), std::string::npos) << message_of(s);
}

TEST_F(EngineTest, WorkflowActiveDeadlineSecondsStopsEverything) {
  Json wf = run_yaml(R"(
apiVersion: argoproj.io/v1alpha1
kind: Workflow
metadata: {name: wfdeadline}
spec:
  entrypoint: main
  activeDeadlineSeconds: 2
  templates:
  - name: main
    steps:
    - - {name: a, template: sleepy}
      - {name: b, template: sleepy}
    - - {name: never, template: sleepy}
  - name: sleepy
    container: {image: busybox, command: [sleep, "100"]}
)");
  EXPECT_EQ(workflow_phase(wf), "Failed") << describe(wf);
  EXPECT_NE(workflow_message(wf).find("deadline"), std::string::npos) << workflow_message(wf);
  EXPECT_EQ(phase_of(node_by_display(wf, "a")), "Failed");
  EXPECT_EQ(phase_of(node_by_display(wf, "b")), "Failed");
  EXPECT_FALSE(has_display(wf, "never"));
  for (const auto& [id, n] : nodes_of(wf).items()) {
    EXPECT_NE(n.value("phase", ""), "Running") << n.dump();
    EXPECT_NE(n.value("phase", ""), "Pending") << n.dump();
  }
}

TEST_F(EngineTest, WorkflowOnExitRunsAfterAFailureAndSeesTheStatus) {
  Json wf = run_yaml(R"(
apiVersion: argoproj.io/v1alpha1
kind: Workflow
metadata: {name: onexit}
spec:
  entrypoint: main
  onExit: handler
  templates:
  - name: main
    container: {image: busybox, command: [sh, -c, "exit 1"]}
  - name: handler
    container: {image: busybox, command: [echo, "status={{workflow.status}}"]}
)");
  EXPECT_EQ(workflow_phase(wf), "Failed") << describe(wf);
  Json handler = node_by_name(wf, "onexit.onExit");
  EXPECT_EQ(phase_of(handler), "Succeeded");
  EXPECT_EQ(result_of(handler), "status=Failed");
}

TEST_F(EngineTest, WorkflowExitHookRunsAfterSuccess) {
  Json wf = run_yaml(R"(
apiVersion: argoproj.io/v1alpha1
kind: Workflow
metadata: {name: exithook}
spec:
  entrypoint: main
  hooks:
    exit: {template: handler}
  templates:
  - name: main
    container: {image: busybox, command: [true]}
  - name: handler
    container: {image: busybox, command: [echo, "status={{workflow.status}}"]}
)");
  ASSERT_EQ(workflow_phase(wf), "Succeeded") << describe(wf);
  EXPECT_EQ(result_of(node_by_name(wf, "exithook.onExit")), "status=Succeeded");
}

TEST_F(EngineTest, FailingExitHandlerFailsASucceededWorkflow) {
  Json wf = run_yaml(R"(
apiVersion: argoproj.io/v1alpha1
kind: Workflow
metadata: {name: badexit}
spec:
  entrypoint: main
  onExit: handler
  templates:
  - name: main
    container: {image: busybox, command: [true]}
  - name: handler
    container: {image: busybox, command: [sh, -c, "exit 1"]}
)");
  EXPECT_EQ(workflow_phase(wf), "Failed") << describe(wf);
  EXPECT_NE(workflow_message(wf).find("exit handler"), std::string::npos) << workflow_message(wf);
}

TEST_F(EngineTest, StepOnExitAndExitHookRunAfterTheStep) {
  Json wf = run_yaml(R"(
apiVersion: argoproj.io/v1alpha1
kind: Workflow
metadata: {name: stepexit}
spec:
  entrypoint: main
  templates:
  - name: main
    steps:
    - - {name: a, template: fail, onExit: report, continueOn: {failed: true}}
      - name: b
        template: ok
        hooks:
          exit: {template: report}
  - name: ok
    container: {image: busybox, command: [true]}
  - name: fail
    container: {image: busybox, command: [sh, -c, "exit 1"]}
  - name: report
    container: {image: busybox, command: [echo, "{{steps.status}}"]}
)");
  EXPECT_EQ(workflow_phase(wf), "Succeeded") << describe(wf);
  Json a_exit = node_by_display(wf, "a.onExit");
  EXPECT_EQ(phase_of(a_exit), "Succeeded");
  EXPECT_EQ(result_of(a_exit), "Failed");
  EXPECT_EQ(result_of(node_by_display(wf, "b.onExit")), "Succeeded");
}

}  // namespace
}  // namespace rampart::engine::testing
