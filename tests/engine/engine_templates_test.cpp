// Template kinds, outputs, parameters and variables: container and script templates, results,
// output parameters, global outputs, arguments, templateRef / workflowTemplateRef, defaults.
#include "engine_fixture.h"

namespace rampart::engine::testing {
namespace {

TEST_F(EngineTest, ContainerAndPythonScriptResults) {
  Json wf = run_yaml(R"(
apiVersion: argoproj.io/v1alpha1
kind: Workflow
metadata: {name: scripts}
spec:
  entrypoint: main
  templates:
  - name: main
    steps:
    - - {name: c, template: container}
      - {name: py, template: py}
      - {name: sh, template: sh}
  - name: container
    container: {image: alpine:3.19, command: [sh, -c, "echo one; echo two"]}
  - name: py
    script:
      image: python:3.12
      command: [python]
      source: |
        import sys
        print(sum(range(10)))
  - name: sh
    script:
      image: busybox
      command: [sh]
      source: |
        x=40
        echo $((x + 2))
)");
  ASSERT_EQ(workflow_phase(wf), "Succeeded") << describe(wf);
  EXPECT_EQ(result_of(node_by_display(wf, "c")), "one\ntwo");
  Json py = node_by_display(wf, "py");
  EXPECT_EQ(result_of(py), "45");
  EXPECT_EQ(py["outputs"].value("exitCode", ""), "0");
  EXPECT_EQ(result_of(node_by_display(wf, "sh")), "42");
}

TEST_F(EngineTest, OutputParametersFromAPathAndGlobalOutputs) {
  Json wf = run_yaml(R"(
apiVersion: argoproj.io/v1alpha1
kind: Workflow
metadata: {name: outputs}
spec:
  entrypoint: main
  templates:
  - name: main
    steps:
    - - {name: produce, template: produce}
    - - name: consume
        template: consume
        arguments:
          parameters:
          - {name: a, value: "{{steps.produce.outputs.parameters.word}}"}
          - {name: b, value: "{{steps.produce.outputs.result}}"}
  - name: produce
    container:
      image: busybox
      command: [sh, -c, "printf 'hello\n' > /tmp/word && printf 'multi\nline\n\n' > /tmp/two && echo stdout-text"]
    outputs:
      parameters:
      - name: word
        valueFrom: {path: /tmp/word}
        globalName: global-word
      - name: two
        valueFrom: {path: /tmp/two}
      - name: fallback
        valueFrom: {path: /tmp/missing, default: dflt}
  - name: consume
    inputs: {parameters: [{name: a}, {name: b}]}
    container: {image: busybox, command: [echo, "{{inputs.parameters.a}}+{{inputs.parameters.b}}"]}
)");
  ASSERT_EQ(workflow_phase(wf), "Succeeded") << describe(wf);
  Json produce = node_by_display(wf, "produce");
  EXPECT_EQ(output_parameter(produce, "word"), "hello");         // the trailing newline is trimmed
  EXPECT_EQ(output_parameter(produce, "two"), "multi\nline\n");  // only one newline
  EXPECT_EQ(output_parameter(produce, "fallback"), "dflt");
  EXPECT_EQ(result_of(produce), "stdout-text");
  EXPECT_EQ(result_of(node_by_display(wf, "consume")), "hello+stdout-text");
  EXPECT_EQ(global_output(wf, "global-word"), "hello");
}

TEST_F(EngineTest, MissingOutputParameterFileIsAnError) {
  Json wf = run_yaml(R"(
apiVersion: argoproj.io/v1alpha1
kind: Workflow
metadata: {name: missingout}
spec:
  entrypoint: main
  templates:
  - name: main
    container: {image: busybox, command: ["true"]}
    outputs:
      parameters:
      - name: p
        valueFrom: {path: /tmp/nothing-here}
)");
  EXPECT_EQ(workflow_phase(wf), "Error") << describe(wf);
  Json root = node_by_name(wf, "missingout");
  EXPECT_EQ(phase_of(root), "Error");
  EXPECT_NE(message_of(root).find("/tmp/nothing-here"), std::string::npos) << message_of(root);
}

TEST_F(EngineTest, StepsTemplateOutputsFromAChildStep) {
  Json wf = run_yaml(R"(
apiVersion: argoproj.io/v1alpha1
kind: Workflow
metadata: {name: stepsout}
spec:
  entrypoint: main
  templates:
  - name: main
    steps:
    - - {name: inner, template: produce}
    outputs:
      parameters:
      - name: out
        globalName: final
        valueFrom: {parameter: "{{steps.inner.outputs.result}}"}
  - name: produce
    container: {image: busybox, command: [echo, inner-value]}
)");
  ASSERT_EQ(workflow_phase(wf), "Succeeded") << describe(wf);
  EXPECT_EQ(output_parameter(node_by_name(wf, "stepsout"), "out"), "inner-value");
  EXPECT_EQ(global_output(wf, "final"), "inner-value");
}

TEST_F(EngineTest, WorkflowArgumentsDefaultsAndOverrides) {
  const std::string yaml = R"(
apiVersion: argoproj.io/v1alpha1
kind: Workflow
metadata: {generateName: args-}
spec:
  entrypoint: main
  arguments:
    parameters:
    - {name: greeting, value: hello}
    - {name: who, value: world}
  templates:
  - name: main
    container: {image: busybox, command: [echo, "{{workflow.parameters.greeting}} {{workflow.parameters.who}}"]}
)";
  Json defaults = run_yaml(yaml);
  ASSERT_EQ(workflow_phase(defaults), "Succeeded") << describe(defaults);
  std::string name = defaults["metadata"]["name"];
  EXPECT_EQ(name.rfind("args-", 0), 0u) << name;
  EXPECT_EQ(name.size(), 10u) << name;
  EXPECT_EQ(result_of(node_by_name(defaults, name)), "hello world");

  Json overridden = run_yaml(yaml, {{"who", "rampart"}});
  ASSERT_EQ(workflow_phase(overridden), "Succeeded") << describe(overridden);
  EXPECT_NE(overridden["metadata"]["name"], defaults["metadata"]["name"]);
  EXPECT_EQ(result_of(node_by_name(overridden, overridden["metadata"]["name"])), "hello rampart");
}

TEST_F(EngineTest, SubmitRejectsAnUnknownParameter) {
  const std::string yaml = R"(
apiVersion: argoproj.io/v1alpha1
kind: Workflow
metadata: {name: unknown}
spec:
  entrypoint: main
  arguments: {parameters: [{name: known, value: x}]}
  templates:
  - name: main
    container: {image: busybox, command: ["true"]}
)";
  try {
    submit_yaml(yaml, {{"nope", "1"}});
    FAIL() << "expected std::invalid_argument";
  } catch (const std::invalid_argument& e) {
    std::string what = e.what();
    EXPECT_NE(what.find("nope"), std::string::npos) << what;
    EXPECT_NE(what.find("known"), std::string::npos) << what;
  }
  // Nothing was recorded.
  EXPECT_FALSE(store_->get_workflow("argo", "unknown").has_value());
}

TEST_F(EngineTest, SubmitRejectsAValueOutsideTheEnum) {
  const std::string yaml = R"(
apiVersion: argoproj.io/v1alpha1
kind: Workflow
metadata: {name: enums}
spec:
  entrypoint: main
  arguments:
    parameters:
    - {name: color, value: red, enum: [red, green]}
  templates:
  - name: main
    container: {image: busybox, command: [echo, "{{workflow.parameters.color}}"]}
)";
  EXPECT_THROW(submit_yaml(yaml, {{"color", "blue"}}), std::invalid_argument);
  Json wf = run_yaml(yaml, {{"color", "green"}});
  ASSERT_EQ(workflow_phase(wf), "Succeeded") << describe(wf);
  EXPECT_EQ(result_of(node_by_name(wf, "enums")), "green");
}

TEST_F(EngineTest, SubmitRejectsAParameterWithoutAValue) {
  EXPECT_THROW(submit_yaml(R"(
apiVersion: argoproj.io/v1alpha1
kind: Workflow
metadata: {name: novalue}
spec:
  entrypoint: main
  arguments: {parameters: [{name: x}]}
  templates:
  - name: main
    container: {image: busybox, command: ["true"]}
)"),
               std::invalid_argument);
}

TEST_F(EngineTest, MissingRequiredInputIsAnError) {
  Json wf = run_yaml(R"(
apiVersion: argoproj.io/v1alpha1
kind: Workflow
metadata: {name: noinput}
spec:
  entrypoint: main
  templates:
  - name: main
    steps:
    - - {name: s, template: needs-x}
  - name: needs-x
    inputs: {parameters: [{name: x}]}
    container: {image: busybox, command: [echo, "{{inputs.parameters.x}}"]}
)");
  EXPECT_NE(workflow_phase(wf), "Succeeded") << describe(wf);
  Json s = node_by_display(wf, "s");
  EXPECT_EQ(phase_of(s), "Error");
  EXPECT_NE(message_of(s).find("inputs.parameters.x was not supplied"), std::string::npos) << message_of(s);
}

TEST_F(EngineTest, TemplateRefIntoAWorkflowTemplate) {
  Json wf = run_yaml(R"(
apiVersion: argoproj.io/v1alpha1
kind: Workflow
metadata: {name: tref}
spec:
  entrypoint: main
  templates:
  - name: main
    steps:
    - - name: call
        templateRef: {name: lib, template: greet}
        arguments: {parameters: [{name: who, value: ref}]}
---
apiVersion: argoproj.io/v1alpha1
kind: WorkflowTemplate
metadata: {name: lib}
spec:
  templates:
  - name: greet
    inputs: {parameters: [{name: who}]}
    steps:
    - - {name: inner, template: say, arguments: {parameters: [{name: m, value: "hi {{inputs.parameters.who}}"}]}}
  - name: say
    inputs: {parameters: [{name: m}]}
    container: {image: busybox, command: [echo, "{{inputs.parameters.m}}"]}
)");
  ASSERT_EQ(workflow_phase(wf), "Succeeded") << describe(wf);
  EXPECT_EQ(node_by_display(wf, "call").value("type", ""), "Steps");
  // `inner` resolves `say` inside the WorkflowTemplate, not the workflow.
  EXPECT_EQ(result_of(node_by_display(wf, "inner")), "hi ref");
}

TEST_F(EngineTest, WorkflowTemplateRefRunsTheTemplateWithTheWorkflowsArguments) {
  Json wf = run_yaml(R"(
apiVersion: argoproj.io/v1alpha1
kind: Workflow
metadata: {name: wtref}
spec:
  workflowTemplateRef: {name: whole}
  arguments: {parameters: [{name: msg, value: from-workflow}]}
---
apiVersion: argoproj.io/v1alpha1
kind: WorkflowTemplate
metadata: {name: whole}
spec:
  entrypoint: main
  arguments: {parameters: [{name: msg, value: from-template}, {name: other, value: kept}]}
  templates:
  - name: main
    container: {image: busybox, command: [echo, "{{workflow.parameters.msg}} {{workflow.parameters.other}}"]}
)");
  ASSERT_EQ(workflow_phase(wf), "Succeeded") << describe(wf);
  EXPECT_EQ(result_of(node_by_name(wf, "wtref")), "from-workflow kept");
}

TEST_F(EngineTest, WorkflowTemplateRefToAMissingTemplateIsRejected) {
  EXPECT_THROW(submit_yaml(R"(
apiVersion: argoproj.io/v1alpha1
kind: Workflow
metadata: {name: wtmissing}
spec:
  workflowTemplateRef: {name: not-loaded}
)"),
               std::invalid_argument);
}

TEST_F(EngineTest, TemplateDefaultsApplyToEveryTemplate) {
  Json wf = run_yaml(R"(
apiVersion: argoproj.io/v1alpha1
kind: Workflow
metadata: {name: defaults}
spec:
  entrypoint: main
  templateDefaults:
    container:
      env: [{name: FROM_DEFAULTS, value: yes-defaults}]
  templates:
  - name: main
    container: {image: busybox, command: [sh, -c, "echo $FROM_DEFAULTS"]}
)");
  ASSERT_EQ(workflow_phase(wf), "Succeeded") << describe(wf);
  EXPECT_EQ(result_of(node_by_name(wf, "defaults")), "yes-defaults");
}

TEST_F(EngineTest, WorkflowAndPodVariables) {
  Json wf = run_yaml(R"(
apiVersion: argoproj.io/v1alpha1
kind: Workflow
metadata: {name: vars}
spec:
  entrypoint: main
  arguments: {parameters: [{name: p1, value: v1}, {name: p2, value: v2}]}
  templates:
  - name: main
    steps:
    - - name: s
        template: show
        arguments: {parameters: [{name: a, value: A}, {name: b, value: B}]}
  - name: show
    inputs: {parameters: [{name: a}, {name: b}]}
    container:
      image: busybox
      command: [sh, -c]
      args:
      - |
        echo "name={{workflow.name}}"
        echo "pod={{pod.name}}"
        echo "retries={{retries}}"
        echo 'inputs={{inputs.parameters}}'
        echo 'json={{workflow.parameters.json}}'
)");
  ASSERT_EQ(workflow_phase(wf), "Succeeded") << describe(wf);
  Json s = node_by_display(wf, "s");
  std::string out = result_of(s);
  EXPECT_NE(out.find("name=vars\n"), std::string::npos) << out;
  std::string pod = s.value("podName", "");
  ASSERT_FALSE(pod.empty()) << s.dump();
  EXPECT_EQ(pod.rfind("vars-show-", 0), 0u) << pod;
  EXPECT_NE(out.find("pod=" + pod + "\n"), std::string::npos) << out;
  EXPECT_NE(out.find("retries=0\n"), std::string::npos) << out;

  auto json_after = [&](const std::string& key) {
    size_t at = out.find(key);
    if (at == std::string::npos) return Json();
    size_t end = out.find('\n', at);
    return Json::parse(out.substr(at + key.size(), end - at - key.size()), nullptr, false);
  };
  Json inputs = json_after("inputs=");
  EXPECT_EQ(inputs, Json::parse(R"([{"name":"a","value":"A"},{"name":"b","value":"B"}])")) << out;
  Json params = json_after("json=");
  EXPECT_EQ(params, Json::parse(R"([{"name":"p1","value":"v1"},{"name":"p2","value":"v2"}])")) << out;
}

TEST_F(EngineTest, ExpressionTagsInArguments) {
  Json wf = run_yaml(R"(
apiVersion: argoproj.io/v1alpha1
kind: Workflow
metadata: {name: exprs}
spec:
  entrypoint: main
  arguments: {parameters: [{name: n, value: "20"}, {name: s, value: rampart}]}
  templates:
  - name: main
    container:
      image: busybox
      command: [echo]
      args: ["{{=asInt(workflow.parameters.n) + 22}}", "{{=sprig.upper(workflow.parameters.s)}}", "{{=workflow.parameters.n == '20' ? 'yes' : 'no'}}"]
)");
  ASSERT_EQ(workflow_phase(wf), "Succeeded") << describe(wf);
  EXPECT_EQ(result_of(node_by_name(wf, "exprs")), "42 RAMPART yes");
}

TEST_F(EngineTest, UnknownVariableIsAnErrorNotAnEmptyString) {
  Json wf = run_yaml(R"(
apiVersion: argoproj.io/v1alpha1
kind: Workflow
metadata: {name: unknownvar}
spec:
  entrypoint: main
  templates:
  - name: main
    container: {image: busybox, command: [echo, "{{workflow.parameters.nope}}"]}
)");
  EXPECT_EQ(workflow_phase(wf), "Error") << describe(wf);
  EXPECT_EQ(phase_of(node_by_name(wf, "unknownvar")), "Error");
}

TEST_F(EngineTest, MissingImageIsAnErrorNamingTheImageAndTheCatalog) {
  Json wf = run_yaml(R"(
apiVersion: argoproj.io/v1alpha1
kind: Workflow
metadata: {name: noimage}
spec:
  entrypoint: main
  templates:
  - name: main
    container: {image: "example.com/no/such-image:1.0", command: ["true"]}
)");
  EXPECT_EQ(workflow_phase(wf), "Error") << describe(wf);
  Json root = node_by_name(wf, "noimage");
  EXPECT_EQ(phase_of(root), "Error");
  std::string message = message_of(root);
  EXPECT_NE(message.find("example.com/no/such-image:1.0"), std::string::npos) << message;
  EXPECT_NE(message.find("catalog"), std::string::npos) << message;
}

TEST_F(EngineTest, UnsupportedTemplateKindIsAnError) {
  Json wf = run_yaml(R"(
apiVersion: argoproj.io/v1alpha1
kind: Workflow
metadata: {name: resource}
spec:
  entrypoint: main
  templates:
  - name: main
    resource: {action: create, manifest: "kind: ConfigMap"}
)");
  EXPECT_EQ(workflow_phase(wf), "Error") << describe(wf);
  EXPECT_NE(message_of(node_by_name(wf, "resource")).find("not supported"), std::string::npos);
}

TEST_F(EngineTest, EntrypointOverrideAndMissingEntrypoint) {
  const std::string yaml = R"(
apiVersion: argoproj.io/v1alpha1
kind: Workflow
metadata: {generateName: entry-}
spec:
  entrypoint: main
  templates:
  - name: main
    container: {image: busybox, command: [echo, main]}
  - name: other
    container: {image: busybox, command: [echo, other]}
)";
  SubmitOptions options;
  options.entrypoint = "other";
  Json wf = run_name(submit_yaml(yaml, {}, {}, options));
  ASSERT_EQ(workflow_phase(wf), "Succeeded") << describe(wf);
  EXPECT_EQ(result_of(node_by_name(wf, wf["metadata"]["name"])), "other");
}

TEST_F(EngineTest, MissingEntrypointIsAnError) {
  SubmitOptions options;
  options.entrypoint = "absent";
  std::string name = submit_yaml(R"(
apiVersion: argoproj.io/v1alpha1
kind: Workflow
metadata: {name: noentry}
spec:
  entrypoint: main
  templates:
  - name: main
    container: {image: busybox, command: ["true"]}
)",
                                 {}, {}, options);
  auto record = engine_->run("argo", name);
  EXPECT_EQ(record.phase, "Error");
  Json missing = Engine::workflow_object(*store_, "argo", name);
  EXPECT_EQ(workflow_phase(missing), "Error");
  EXPECT_NE(workflow_message(missing).find("absent"), std::string::npos) << workflow_message(missing);
}

TEST_F(EngineTest, SubmittingTheSameNameTwiceIsRejected) {
  const std::string yaml = R"(
apiVersion: argoproj.io/v1alpha1
kind: Workflow
metadata: {name: twice}
spec:
  entrypoint: main
  templates:
  - name: main
    container: {image: busybox, command: ["true"]}
)";
  submit_yaml(yaml);
  EXPECT_THROW(submit_yaml(yaml), std::invalid_argument);
}

TEST_F(EngineTest, WorkflowObjectHasArgoShape) {
  Json wf = run_yaml(R"(
apiVersion: argoproj.io/v1alpha1
kind: Workflow
metadata: {name: shape, labels: {team: a}}
spec:
  entrypoint: main
  templates:
  - name: main
    container: {image: busybox, command: [echo, x]}
)");
  EXPECT_EQ(wf.value("apiVersion", ""), "argoproj.io/v1alpha1");
  EXPECT_EQ(wf.value("kind", ""), "Workflow");
  EXPECT_EQ(wf["metadata"].value("name", ""), "shape");
  EXPECT_EQ(wf["metadata"].value("namespace", ""), "argo");
  EXPECT_FALSE(wf["metadata"].value("uid", "").empty());
  EXPECT_EQ(wf["metadata"]["labels"].value("team", ""), "a");
  EXPECT_TRUE(wf["status"].contains("startedAt"));
  EXPECT_TRUE(wf["status"].contains("finishedAt"));
  for (const auto& [id, n] : nodes_of(wf).items()) {
    EXPECT_FALSE(n.contains("startedAtMs")) << n.dump();
    EXPECT_EQ(n.value("id", id), id);
  }
  EXPECT_TRUE(Engine::workflow_object(*store_, "argo", "absent").is_null());
}

// A sidecar runs beside the main container on the pod's shared loopback, and is stopped when the
// main container ends although it would run forever.
TEST_F(EngineTest, SidecarsShareThePodLoopbackAndStopWithTheMainContainer) {
  Json wf = run_yaml(R"(
apiVersion: argoproj.io/v1alpha1
kind: Workflow
metadata: {name: sidecar}
spec:
  entrypoint: main
  templates:
  - name: main
    container:
      image: python:3.12
      command: [python3, -c]
      args:
      - |
        import time, urllib.request
        for _ in range(300):
            try:
                print(urllib.request.urlopen("http://127.0.0.1:8765/hello.txt", timeout=1).read().decode().strip())
                break
            except OSError:
                time.sleep(0.05)
    sidecars:
    - name: web
      image: python:3.12
      command: [sh, -c, "mkdir -p /tmp/www && echo from-sidecar > /tmp/www/hello.txt && cd /tmp/www && exec python3 -m http.server 8765"]
)");
  ASSERT_EQ(workflow_phase(wf), "Succeeded") << describe(wf);
  EXPECT_EQ(result_of(node_by_name(wf, "sidecar")), "from-sidecar");
  // The sidecar's log is kept beside the main container's.
  EXPECT_TRUE(fs::exists(fs::path(state_dir()) / "logs" / "argo" / "sidecar" / "sidecar.web.log"));
}

}  // namespace
}  // namespace rampart::engine::testing
