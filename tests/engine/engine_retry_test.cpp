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
metadata: {name: )" +
         name + R"(}
spec:
  entrypoint: main
  volumes: [{name: v, persistentVolumeClaim: {claimName: c}}]
  templates:
  - name: main
    steps:
    - - {name: flaky, template: flaky}
  - name: flaky
    retryStrategy: )" +
         strategy + R"(
    container:
      image: busybox
      command: [sh, -c]
      args:
      - |
        n=$(cat /v/count 2>/dev/null || echo 0)
        echo $((n + 1)) > /v/count
        echo "attempt {{retries}}"
        if [ "$n" -lt )" +
         std::to_string(failures) + R"( ]; then )" + fail_command + R"(; fi
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
  EXPECT_EQ(result_of(last), "attempt 2");   // {{retries}} counts attempts from 0
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
    container: {image: "no-such-image-anywhere", command: ["true"]}
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
  Json retried =
      run_yaml(flaky_workflow("expr-yes", "{limit: 5, expression: \"asInt(lastRetry.exitCode) == 2\"}", 2, "exit 2"));
  ASSERT_EQ(workflow_phase(retried), "Succeeded") << describe(retried);
  EXPECT_EQ(child_display_names(retried, node_by_display(retried, "flaky")).size(), 3u);

  std::filesystem::remove(claim_dir("c") / "count");
  Json refused =
      run_yaml(flaky_workflow("expr-no", "{limit: 5, expression: \"asInt(lastRetry.exitCode) == 2\"}", 2, "exit 3"));
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
    container: {image: busybox, command: ["true"]}
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
    container: {image: busybox, command: ["true"]}
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
  volumes: [{name: v, persistentVolumeClaim: {claimName: c}}]
  templates:
  - name: main
    steps:
    - - {name: a, template: fail, onExit: after-a, continueOn: {failed: true}}
      - name: b
        template: ok
        hooks:
          exit:
            template: report
            arguments: {parameters: [{name: s, value: "{{steps.status}}"}]}
  - name: ok
    container:
      image: busybox
      command: [sh, -c, "echo b >> /v/order"]
      volumeMounts: [{name: v, mountPath: /v}]
  - name: fail
    container:
      image: busybox
      command: [sh, -c, "echo a >> /v/order; exit 1"]
      volumeMounts: [{name: v, mountPath: /v}]
  - name: after-a
    container:
      image: busybox
      command: [sh, -c, "echo a.onExit >> /v/order; echo handled"]
      volumeMounts: [{name: v, mountPath: /v}]
  - name: report
    inputs: {parameters: [{name: s}]}
    container: {image: busybox, command: [echo, "b was {{inputs.parameters.s}}"]}
)");
  EXPECT_EQ(workflow_phase(wf), "Succeeded") << describe(wf);
  Json a = node_by_display(wf, "a");
  EXPECT_EQ(phase_of(a), "Failed");
  Json a_exit = node_by_display(wf, "a.onExit");
  EXPECT_EQ(phase_of(a_exit), "Succeeded") << describe(wf);
  EXPECT_EQ(result_of(a_exit), "handled");
  EXPECT_EQ(a_exit.value("name", ""), "stepexit[0].a.onExit");
  EXPECT_THAT(child_display_names(wf, a), ::testing::Contains("a.onExit"));
  EXPECT_EQ(result_of(node_by_display(wf, "b.onExit")), "b was Succeeded") << describe(wf);
  // The handler runs after its step has ended.
  auto order = read_lines(claim_dir("c") / "order");
  auto at = [&](const std::string& x) { return std::find(order.begin(), order.end(), x) - order.begin(); };
  EXPECT_LT(at("a"), at("a.onExit"));
}

}  // namespace
}  // namespace rampart::engine::testing

namespace rampart::engine::testing {
namespace {

TEST_F(EngineTest, ExitHandlerSeesTheFailures) {
  Json wf = run_yaml(R"(
apiVersion: argoproj.io/v1alpha1
kind: Workflow
metadata: {name: failures}
spec:
  entrypoint: main
  onExit: handler
  templates:
  - name: main
    steps:
    - - {name: broken, template: broken}
  - name: broken
    container: {image: busybox, command: [sh, -c, "exit 7"]}
  - name: handler
    container: {image: busybox, command: [echo, "{{workflow.failures}}"]}
)");
  EXPECT_EQ(workflow_phase(wf), "Failed") << describe(wf);
  Json failures = Json::parse(result_of(node_by_name(wf, "failures.onExit")), nullptr, false);
  ASSERT_TRUE(failures.is_array()) << describe(wf);
  ASSERT_EQ(failures.size(), 1u);
  EXPECT_EQ(failures[0].value("displayName", ""), "broken");
  EXPECT_EQ(failures[0].value("phase", ""), "Failed");
  EXPECT_EQ(failures[0].value("templateName", ""), "broken");
}

TEST_F(EngineTest, ExitCodeOfAFailedStepIsVisibleToLaterSteps) {
  Json wf = run_yaml(R"(
apiVersion: argoproj.io/v1alpha1
kind: Workflow
metadata: {name: exitcode}
spec:
  entrypoint: main
  templates:
  - name: main
    steps:
    - - {name: a, template: code, continueOn: {failed: true}}
    - - name: b
        template: echo
        arguments: {parameters: [{name: m, value: "{{steps.a.exitCode}} {{steps.a.status}}"}]}
  - name: code
    container: {image: busybox, command: [sh, -c, "exit 5"]}
  - name: echo
    inputs: {parameters: [{name: m}]}
    container: {image: busybox, command: [echo, "{{inputs.parameters.m}}"]}
)");
  ASSERT_EQ(workflow_phase(wf), "Succeeded") << describe(wf);
  EXPECT_EQ(result_of(node_by_display(wf, "b")), "5 Failed");
}

TEST_F(EngineTest, RunningAFinishedWorkflowAgainRunsNothing) {
  std::string name = submit_yaml(R"(
apiVersion: argoproj.io/v1alpha1
kind: Workflow
metadata: {name: once}
spec:
  entrypoint: main
  volumes: [{name: v, persistentVolumeClaim: {claimName: c}}]
  templates:
  - name: main
    container:
      image: busybox
      command: [sh, -c, "echo ran >> /v/runs"]
      volumeMounts: [{name: v, mountPath: /v}]
)");
  Json first = run_name(name);
  ASSERT_EQ(workflow_phase(first), "Succeeded") << describe(first);
  Json second = run_name(name);
  EXPECT_EQ(workflow_phase(second), "Succeeded");
  EXPECT_EQ(second["status"]["nodes"], first["status"]["nodes"]);
  EXPECT_EQ(read_lines(claim_dir("c") / "runs").size(), 1u);
}

}  // namespace
}  // namespace rampart::engine::testing

namespace rampart::engine::testing {
namespace {

TEST_F(EngineTest, TimeoutOnAStepsTemplateStopsItsChildren) {
  Json wf = run_yaml(R"(
apiVersion: argoproj.io/v1alpha1
kind: Workflow
metadata: {name: composite-timeout}
spec:
  entrypoint: main
  templates:
  - name: main
    steps:
    - - {name: inner, template: inner}
  - name: inner
    timeout: 2s
    steps:
    - - {name: sleepy, template: sleepy}
    - - {name: never, template: sleepy}
  - name: sleepy
    container: {image: busybox, command: [sleep, "100"]}
)");
  EXPECT_EQ(workflow_phase(wf), "Failed") << describe(wf);
  EXPECT_EQ(phase_of(node_by_display(wf, "inner")), "Failed");
  EXPECT_EQ(phase_of(node_by_display(wf, "sleepy")), "Failed");
  EXPECT_FALSE(has_display(wf, "never"));
}

TEST_F(EngineTest, RetryLimitGivenAsAStringOrAParameter) {
  Json wf = run_yaml(
      flaky_workflow("limit-string", "{limit: \"{{workflow.parameters.n}}\"}")
          .replace(flaky_workflow("limit-string", "{limit: \"{{workflow.parameters.n}}\"}").find("  entrypoint: main"),
                   18, "  entrypoint: main\n  arguments: {parameters: [{name: n, value: \"2\"}]}"));
  ASSERT_EQ(workflow_phase(wf), "Succeeded") << describe(wf);
  EXPECT_EQ(child_display_names(wf, node_by_display(wf, "flaky")).size(), 3u);
}

}  // namespace
}  // namespace rampart::engine::testing
