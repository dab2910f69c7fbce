// The table of invalid (and a few borderline valid) workflows: each is loaded from a string
// with load_string and checked with validate_all, and must produce exactly the listed
// diagnostics, in order, as "file:line:column: path: message". Cases marked `kWorkflow` get the
// five-line Workflow header below, so their body starts on line 6.
#include <cstdlib>
#include <fstream>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "spec/loader.h"
#include "spec/validate.h"

namespace rampart::spec {
namespace {

constexpr const char* kHeader =
    "apiVersion: argoproj.io/v1alpha1\n"
    "kind: Workflow\n"
    "metadata:\n"
    "  name: t\n"
    "spec:\n";

enum Form { kWorkflow, kWhole };

struct Case {
  const char* name;
  Form form;
  const char* yaml;
  std::vector<std::string> expected;
};

// clang-format off
const Case kCases[] = {
{"entrypoint_missing", kWorkflow, R"yaml(  templates:
  - name: main
    container: {image: busybox}
)yaml",
 {
    "case.yaml:5:1: spec.entrypoint: entrypoint is required",
 }},
{"entrypoint_not_found", kWorkflow, R"yaml(  entrypoint: foo
  templates:
  - name: main
    container: {image: busybox}
)yaml",
 {
    "case.yaml:6:15: spec.entrypoint: template \"foo\" not found",
 }},
{"on_exit_not_found", kWorkflow, R"yaml(  entrypoint: main
  onExit: cleanup
  templates:
  - name: main
    container: {image: busybox}
)yaml",
 {
    "case.yaml:7:11: spec.onExit: template \"cleanup\" not found",
 }},
{"workflow_template_ref_not_found", kWorkflow, R"yaml(  workflowTemplateRef:
    name: missing-wt
)yaml",
 {
    "case.yaml:7:11: spec.workflowTemplateRef.name: WorkflowTemplate \"missing-wt\" not found",
 }},
{"cluster_workflow_template_ref_not_found", kWorkflow, R"yaml(  workflowTemplateRef:
    name: missing-cwt
    clusterScope: true
)yaml",
 {
    "case.yaml:7:11: spec.workflowTemplateRef.name: ClusterWorkflowTemplate \"missing-cwt\" not found",
 }},
{"workflow_hook_without_expression_and_template", kWorkflow, R"yaml(  entrypoint: main
  hooks:
    running:
      template: nowhere
  templates:
  - name: main
    container: {image: busybox}
)yaml",
 {
    "case.yaml:8:5: spec.hooks.running.expression: hook \"running\" needs an expression",
    "case.yaml:9:17: spec.hooks.running.template: template \"nowhere\" not found",
 }},
{"template_defaults_with_name_and_type", kWorkflow, R"yaml(  entrypoint: main
  templateDefaults:
    name: defaults
    suspend: {}
  templates:
  - name: main
    container: {image: busybox}
)yaml",
 {
    "case.yaml:8:11: spec.templateDefaults.name: templateDefaults must not set a template name",
    "case.yaml:9:5: spec.templateDefaults.suspend: templateDefaults must not set template type suspend",
 }},
{"template_defaults_supply_image", kWorkflow, R"yaml(  entrypoint: main
  templateDefaults:
    container:
      image: busybox
  templates:
  - name: main
    container:
      command: [echo, hi]
)yaml",
 {}},
{"shutdown_invalid", kWorkflow, R"yaml(  entrypoint: main
  shutdown: Halt
  templates:
  - name: main
    container: {image: busybox}
)yaml",
 {
    "case.yaml:7:13: spec.shutdown: shutdown \"Halt\" must be one of Stop, Terminate",
 }},
{"pod_gc_strategy_and_delay", kWorkflow, R"yaml(  entrypoint: main
  podGC:
    strategy: OnTuesday
    deleteDelayDuration: 5 minutes
  templates:
  - name: main
    container: {image: busybox}
)yaml",
 {
    "case.yaml:8:15: spec.podGC.strategy: podGC strategy \"OnTuesday\" must be one of OnPodCompletion, OnPodSuccess, OnWorkflowCompletion, OnWorkflowSuccess",
    "case.yaml:9:26: spec.podGC.deleteDelayDuration: unknown unit \" minutes\" in duration \"5 minutes\"",
 }},
{"template_name_missing", kWorkflow, R"yaml(  entrypoint: main
  templates:
  - name: main
    container: {image: busybox}
  - container: {image: busybox}
)yaml",
 {
    "case.yaml:10:5: spec.templates[1].name: template name is required",
 }},
{"template_name_duplicate", kWorkflow, R"yaml(  entrypoint: main
  templates:
  - name: main
    container: {image: busybox}
  - name: main
    container: {image: alpine}
)yaml",
 {
    "case.yaml:10:11: spec.templates[1].name: duplicate template name \"main\"",
 }},
{"template_name_invalid", kWorkflow, R"yaml(  entrypoint: main
  templates:
  - name: main
    container: {image: busybox}
  - name: bad_name
    container: {image: busybox}
)yaml",
 {
    "case.yaml:10:11: spec.templates[1].name: template name \"bad_name\" is invalid: use at most 128 letters, digits and '-', starting with a letter or digit",
 }},
{"template_two_types", kWorkflow, R"yaml(  entrypoint: main
  templates:
  - name: main
    container: {image: busybox}
    script:
      image: python
      source: print(1)
)yaml",
 {
    "case.yaml:10:5: spec.templates[0].script: template \"main\" has more than one template type: container, script",
 }},
{"template_no_type", kWorkflow, R"yaml(  entrypoint: main
  templates:
  - name: main
    inputs: {}
)yaml",
 {
    "case.yaml:8:5: spec.templates[0]: template \"main\" must specify one of container, script, resource, suspend, steps, dag, data, http, containerSet, plugin",
 }},
{"container_without_image", kWorkflow, R"yaml(  entrypoint: main
  templates:
  - name: main
    container:
      command: [echo]
)yaml",
 {
    "case.yaml:9:5: spec.templates[0].container.image: image is required",
 }},
{"script_without_source_and_image", kWorkflow, R"yaml(  entrypoint: main
  templates:
  - name: main
    script:
      command: [python]
)yaml",
 {
    "case.yaml:9:5: spec.templates[0].script.image: image is required",
    "case.yaml:9:5: spec.templates[0].script.source: script source is required",
 }},
{"resource_action_invalid", kWorkflow, R"yaml(  entrypoint: main
  templates:
  - name: main
    resource:
      action: destroy
      manifest: "kind: ConfigMap"
)yaml",
 {
    "case.yaml:10:15: spec.templates[0].resource.action: resource action \"destroy\" must be one of get, create, apply, delete, replace, patch",
 }},
{"resource_without_manifest", kWorkflow, R"yaml(  entrypoint: main
  templates:
  - name: main
    resource:
      action: create
)yaml",
 {
    "case.yaml:9:5: spec.templates[0].resource: resource template needs manifest or manifestFrom",
 }},
{"http_without_url", kWorkflow, R"yaml(  entrypoint: main
  templates:
  - name: main
    http:
      method: GET
)yaml",
 {
    "case.yaml:9:5: spec.templates[0].http.url: http url is required",
 }},
{"timeout_on_steps_template", kWorkflow, R"yaml(  entrypoint: main
  templates:
  - name: main
    timeout: 10s
    steps:
    - - name: a
        template: leaf
  - name: leaf
    container: {image: busybox}
)yaml",
 {
    "case.yaml:9:14: spec.templates[0].timeout: steps templates do not support timeout (use activeDeadlineSeconds)",
 }},
{"timeout_without_unit", kWorkflow, R"yaml(  entrypoint: main
  templates:
  - name: main
    timeout: "30"
    container: {image: busybox}
)yaml",
 {
    "case.yaml:9:14: spec.templates[0].timeout: timeout \"30\" needs a unit, e.g. \"30s\"",
 }},
{"timeout_not_a_duration", kWorkflow, R"yaml(  entrypoint: main
  templates:
  - name: main
    timeout: 5 minutes
    container: {image: busybox}
)yaml",
 {
    "case.yaml:9:14: spec.templates[0].timeout: unknown unit \" minutes\" in duration \"5 minutes\"",
 }},
{"memoize_without_key_and_bad_max_age", kWorkflow, R"yaml(  entrypoint: main
  templates:
  - name: main
    memoize:
      maxAge: 1 day
      cache:
        configMap:
          name: cache
    container: {image: busybox}
)yaml",
 {
    "case.yaml:9:5: spec.templates[0].memoize.key: memoize key is required",
    "case.yaml:10:15: spec.templates[0].memoize.maxAge: unknown unit \" day\" in duration \"1 day\"",
 }},
{"container_set_duplicate_and_unknown_dependency", kWorkflow, R"yaml(  entrypoint: main
  templates:
  - name: main
    containerSet:
      containers:
      - name: a
        image: busybox
      - name: a
        image: busybox
        dependencies: [b]
)yaml",
 {
    "case.yaml:13:15: spec.templates[0].containerSet.containers[1].name: duplicate container name \"a\"",
    "case.yaml:15:24: spec.templates[0].containerSet.containers[1].dependencies[0]: unknown container \"b\"",
 }},
{"step_name_missing", kWorkflow, R"yaml(  entrypoint: main
  templates:
  - name: main
    steps:
    - - template: leaf
  - name: leaf
    container: {image: busybox}
)yaml",
 {
    "case.yaml:10:9: spec.templates[0].steps[0][0].name: step name is required",
 }},
{"step_name_duplicate_across_groups", kWorkflow, R"yaml(  entrypoint: main
  templates:
  - name: main
    steps:
    - - name: a
        template: leaf
    - - name: a
        template: leaf
  - name: leaf
    container: {image: busybox}
)yaml",
 {
    "case.yaml:12:15: spec.templates[0].steps[1][0].name: duplicate step name \"a\"",
 }},
{"step_template_not_found", kWorkflow, R"yaml(  entrypoint: main
  templates:
  - name: leaf
    container: {image: busybox}
  - name: other
    container: {image: busybox}
  - name: main
    steps:
    - - name: a
        template: leaf
      - name: b
        template: whalesy
)yaml",
 {
    "case.yaml:17:19: spec.templates[2].steps[0][1].template: template \"whalesy\" not found",
 }},
{"step_template_and_template_ref", kWorkflow, R"yaml(  entrypoint: main
  templates:
  - name: main
    steps:
    - - name: a
        template: leaf
        templateRef: {name: wt, template: leaf}
  - name: leaf
    container: {image: busybox}
)yaml",
 {
    "case.yaml:10:9: spec.templates[0].steps[0][0]: set only one of template, templateRef, inline",
 }},
{"step_without_target", kWorkflow, R"yaml(  entrypoint: main
  templates:
  - name: main
    steps:
    - - name: a
)yaml",
 {
    "case.yaml:10:9: spec.templates[0].steps[0][0]: set one of template, templateRef, inline",
 }},
{"template_ref_workflow_template_not_found", kWorkflow, R"yaml(  entrypoint: main
  templates:
  - name: main
    steps:
    - - name: a
        templateRef:
          name: wt
          template: tpl
)yaml",
 {
    "case.yaml:11:9: spec.templates[0].steps[0][0].templateRef: templateRef \"wt/tpl\": WorkflowTemplate \"wt\" not found",
 }},
{"template_ref_template_not_found", kWorkflow, R"yaml(  entrypoint: main
  templates:
  - name: main
    steps:
    - - name: a
        templateRef:
          name: wt
          template: tpl
---
apiVersion: argoproj.io/v1alpha1
kind: WorkflowTemplate
metadata:
  name: wt
spec:
  templates:
  - name: other
    container: {image: busybox}
)yaml",
 {
    "case.yaml:11:9: spec.templates[0].steps[0][0].templateRef: templateRef \"wt/tpl\": WorkflowTemplate \"wt\" has no template \"tpl\"",
 }},
{"template_ref_cluster_scope_not_found", kWorkflow, R"yaml(  entrypoint: main
  templates:
  - name: main
    dag:
      tasks:
      - name: a
        templateRef:
          name: wt
          template: tpl
          clusterScope: true
---
apiVersion: argoproj.io/v1alpha1
kind: WorkflowTemplate
metadata:
  name: wt
spec:
  templates:
  - name: tpl
    container: {image: busybox}
)yaml",
 {
    "case.yaml:12:9: spec.templates[0].dag.tasks[0].templateRef: templateRef \"wt/tpl\": ClusterWorkflowTemplate \"wt\" not found",
 }},
{"step_two_loops", kWorkflow, R"yaml(  entrypoint: main
  templates:
  - name: main
    steps:
    - - name: a
        template: leaf
        withItems: [1, 2]
        withParam: "[1, 2]"
  - name: leaf
    container: {image: busybox}
)yaml",
 {
    "case.yaml:10:9: spec.templates[0].steps[0][0]: set only one of withItems, withParam, withSequence",
 }},
{"with_sequence_count_and_end", kWorkflow, R"yaml(  entrypoint: main
  templates:
  - name: main
    steps:
    - - name: a
        template: leaf
        withSequence:
          count: "3"
          end: "5"
  - name: leaf
    container: {image: busybox}
)yaml",
 {
    "case.yaml:12:9: spec.templates[0].steps[0][0].withSequence: withSequence takes count or end, not both",
 }},
{"with_sequence_without_count_or_end", kWorkflow, R"yaml(  entrypoint: main
  templates:
  - name: main
    steps:
    - - name: a
        template: leaf
        withSequence:
          start: "1"
  - name: leaf
    container: {image: busybox}
)yaml",
 {
    "case.yaml:12:9: spec.templates[0].steps[0][0].withSequence: withSequence needs count or end",
 }},
{"with_sequence_count_not_integer", kWorkflow, R"yaml(  entrypoint: main
  templates:
  - name: main
    steps:
    - - name: a
        template: leaf
        withSequence:
          count: three
  - name: leaf
    container: {image: busybox}
)yaml",
 {
    "case.yaml:13:18: spec.templates[0].steps[0][0].withSequence.count: count \"three\" is not an integer",
 }},
{"missing_parameter_for_template", kWorkflow, R"yaml(  entrypoint: main
  templates:
  - name: main
    steps:
    - - name: a
        template: print
  - name: print
    inputs:
      parameters:
      - name: message
    container:
      image: busybox
      args: ["{{inputs.parameters.message}}"]
)yaml",
 {
    "case.yaml:10:9: spec.templates[0].steps[0][0].arguments: missing parameter \"message\" for template \"print\"",
 }},
{"missing_artifact_for_template", kWorkflow, R"yaml(  entrypoint: main
  templates:
  - name: main
    dag:
      tasks:
      - name: a
        template: consume
  - name: consume
    inputs:
      artifacts:
      - name: data
        path: /tmp/data
    container: {image: busybox}
)yaml",
 {
    "case.yaml:11:9: spec.templates[0].dag.tasks[0].arguments: missing artifact \"data\" for template \"consume\"",
 }},
{"step_argument_without_value", kWorkflow, R"yaml(  entrypoint: main
  templates:
  - name: main
    steps:
    - - name: a
        template: print
        arguments:
          parameters:
          - name: message
  - name: print
    inputs:
      parameters:
      - name: message
    container: {image: busybox}
)yaml",
 {
    "case.yaml:14:13: spec.templates[0].steps[0][0].arguments.parameters[0]: argument \"message\" needs a value or valueFrom",
 }},
{"step_on_exit_not_found", kWorkflow, R"yaml(  entrypoint: main
  templates:
  - name: main
    steps:
    - - name: a
        template: leaf
        onExit: bye
  - name: leaf
    container: {image: busybox}
)yaml",
 {
    "case.yaml:12:17: spec.templates[0].steps[0][0].onExit: template \"bye\" not found",
 }},
{"step_hook_without_expression", kWorkflow, R"yaml(  entrypoint: main
  templates:
  - name: main
    steps:
    - - name: a
        template: leaf
        hooks:
          started:
            template: leaf
  - name: leaf
    container: {image: busybox}
)yaml",
 {
    "case.yaml:13:11: spec.templates[0].steps[0][0].hooks.started.expression: hook \"started\" needs an expression",
 }},
{"inline_template_without_image", kWorkflow, R"yaml(  entrypoint: main
  templates:
  - name: main
    steps:
    - - name: a
        inline:
          container:
            command: [echo]
)yaml",
 {
    "case.yaml:12:11: spec.templates[0].steps[0][0].inline.container.image: image is required",
 }},
{"task_name_duplicate", kWorkflow, R"yaml(  entrypoint: main
  templates:
  - name: main
    dag:
      tasks:
      - name: A
        template: leaf
      - name: A
        template: leaf
  - name: leaf
    container: {image: busybox}
)yaml",
 {
    "case.yaml:13:15: spec.templates[0].dag.tasks[1].name: duplicate task name \"A\"",
 }},
{"task_name_invalid", kWorkflow, R"yaml(  entrypoint: main
  templates:
  - name: main
    dag:
      tasks:
      - name: a.b
        template: leaf
  - name: leaf
    container: {image: busybox}
)yaml",
 {
    "case.yaml:11:15: spec.templates[0].dag.tasks[0].name: task name \"a.b\" is invalid: use letters, digits and '-', starting with a letter or digit",
 }},
{"dependencies_and_depends", kWorkflow, R"yaml(  entrypoint: main
  templates:
  - name: main
    dag:
      tasks:
      - name: A
        template: leaf
      - name: B
        template: leaf
        dependencies: [A]
        depends: A
  - name: leaf
    container: {image: busybox}
)yaml",
 {
    "case.yaml:16:18: spec.templates[0].dag.tasks[1].depends: use either dependencies or depends, not both",
 }},
{"dependencies_unknown_task", kWorkflow, R"yaml(  entrypoint: main
  templates:
  - name: main
    dag:
      tasks:
      - name: A
        template: leaf
      - name: B
        template: leaf
        dependencies: [A, C]
  - name: leaf
    container: {image: busybox}
)yaml",
 {
    "case.yaml:15:27: spec.templates[0].dag.tasks[1].dependencies[1]: unknown task \"C\"",
 }},
{"depends_unknown_task_plain", kWorkflow, R"yaml(  entrypoint: main
  templates:
  - name: main
    dag:
      tasks:
      - name: A
        template: leaf
      - name: B
        template: leaf
        depends: A && C.Succeeded
  - name: leaf
    container: {image: busybox}
)yaml",
 {
    "case.yaml:15:23: spec.templates[0].dag.tasks[1].depends: unknown task \"C\"",
 }},
{"depends_syntax_error", kWorkflow, R"yaml(  entrypoint: main
  templates:
  - name: main
    dag:
      tasks:
      - name: A
        template: leaf
      - name: B
        template: leaf
        depends: A && (A || )
  - name: leaf
    container: {image: busybox}
)yaml",
 {
    "case.yaml:15:29: spec.templates[0].dag.tasks[1].depends: invalid depends: unexpected ')' at column 12",
 }},
{"dag_cycle_two", kWorkflow, R"yaml(  entrypoint: main
  templates:
  - name: main
    dag:
      tasks:
      - name: A
        template: leaf
        depends: B
      - name: B
        template: leaf
        depends: A
  - name: leaf
    container: {image: busybox}
)yaml",
 {
    "case.yaml:13:18: spec.templates[0].dag.tasks[0].depends: dependency cycle: A -> B -> A",
 }},
{"dag_cycle_self", kWorkflow, R"yaml(  entrypoint: main
  templates:
  - name: main
    dag:
      tasks:
      - name: A
        template: leaf
        dependencies: [A]
  - name: leaf
    container: {image: busybox}
)yaml",
 {
    "case.yaml:13:9: spec.templates[0].dag.tasks[0].dependencies: dependency cycle: A -> A",
 }},
{"dag_cycle_three", kWorkflow, R"yaml(  entrypoint: main
  templates:
  - name: main
    dag:
      tasks:
      - name: start
        template: leaf
      - name: A
        template: leaf
        depends: start && C
      - name: B
        template: leaf
        depends: A
      - name: C
        template: leaf
        depends: B
  - name: leaf
    container: {image: busybox}
)yaml",
 {
    "case.yaml:15:18: spec.templates[0].dag.tasks[1].depends: dependency cycle: A -> C -> B -> A",
 }},
{"dag_target_unknown", kWorkflow, R"yaml(  entrypoint: main
  templates:
  - name: main
    dag:
      target: A Z
      tasks:
      - name: A
        template: leaf
  - name: leaf
    container: {image: busybox}
)yaml",
 {
    "case.yaml:10:17: spec.templates[0].dag.target: unknown task \"Z\"",
 }},
{"tag_unterminated", kWorkflow, R"yaml(  entrypoint: main
  templates:
  - name: main
    container:
      image: busybox
      args:
      - echo
      - echo {{workflow.name
)yaml",
 {
    "case.yaml:13:14: spec.templates[0].container.args[1]: malformed {{...}}: unterminated tag \"{{\" at column 6",
 }},
{"tag_empty", kWorkflow, R"yaml(  entrypoint: main
  templates:
  - name: main
    container:
      image: busybox
      args:
      - echo {{}}
)yaml",
 {
    "case.yaml:12:14: spec.templates[0].container.args[0]: empty {{}}",
 }},
{"expression_tag_syntax_error", kWorkflow, R"yaml(  entrypoint: main
  templates:
  - name: main
    container:
      image: busybox
      args:
      - echo {{= 1 + }}
)yaml",
 {
    "case.yaml:12:21: spec.templates[0].container.args[0]: invalid expression: unexpected end of expression at column 4",
 }},
{"when_syntax_error", kWorkflow, R"yaml(  entrypoint: main
  templates:
  - name: main
    steps:
    - - name: a
        template: leaf
        when: 1 == (2
  - name: leaf
    container: {image: busybox}
)yaml",
 {
    "case.yaml:12:22: spec.templates[0].steps[0][0].when: invalid when: Unbalanced parenthesis",
 }},
{"value_from_expression_syntax_error", kWorkflow, R"yaml(  entrypoint: main
  templates:
  - name: main
    steps:
    - - name: a
        template: leaf
    outputs:
      parameters:
      - name: out
        valueFrom:
          expression: steps.a.outputs.result ==
  - name: leaf
    container: {image: busybox}
)yaml",
 {
    "case.yaml:16:48: spec.templates[0].outputs.parameters[0].valueFrom.expression: invalid expression: unexpected end of expression at column 26",
 }},
{"retry_expression_syntax_error", kWorkflow, R"yaml(  entrypoint: main
  templates:
  - name: main
    retryStrategy:
      limit: 2
      expression: lastRetry.status == 'Error' &&
    container: {image: busybox}
)yaml",
 {
    "case.yaml:11:49: spec.templates[0].retryStrategy.expression: invalid expression: unexpected end of expression at column 31",
 }},
{"from_expression_syntax_error", kWorkflow, R"yaml(  entrypoint: main
  templates:
  - name: main
    steps:
    - - name: a
        template: leaf
    outputs:
      artifacts:
      - name: out
        fromExpression: steps.a.outputs.artifacts.x ? 1
  - name: leaf
    container: {image: busybox}
)yaml",
 {
    "case.yaml:15:56: spec.templates[0].outputs.artifacts[0].fromExpression: invalid expression: expected ':' but found end of expression at column 32",
 }},
{"unknown_input_parameter", kWorkflow, R"yaml(  entrypoint: main
  templates:
  - name: main
    inputs:
      parameters:
      - name: message
        value: hi
    container:
      image: busybox
      args:
      - echo {{inputs.parameters.mesage}}
)yaml",
 {
    "case.yaml:16:14: spec.templates[0].container.args[0]: unresolvable \"{{inputs.parameters.mesage}}\": template \"main\" has no input parameter \"mesage\"",
 }},
{"unknown_input_artifact", kWorkflow, R"yaml(  entrypoint: main
  templates:
  - name: main
    container:
      image: busybox
      args:
      - cat {{inputs.artifacts.data.path}}
)yaml",
 {
    "case.yaml:12:13: spec.templates[0].container.args[0]: unresolvable \"{{inputs.artifacts.data.path}}\": template \"main\" has no input artifact \"data\"",
 }},
{"unknown_workflow_parameter", kWorkflow, R"yaml(  entrypoint: main
  arguments:
    parameters:
    - name: message
      value: hi
  templates:
  - name: main
    container:
      image: busybox
      args:
      - echo {{workflow.parameters.msg}}
)yaml",
 {
    "case.yaml:16:14: spec.templates[0].container.args[0]: unresolvable \"{{workflow.parameters.msg}}\": spec.arguments has no parameter \"msg\"",
 }},
{"unknown_workflow_variable", kWorkflow, R"yaml(  entrypoint: main
  templates:
  - name: main
    container:
      image: busybox
      args:
      - echo {{workflow.nam}}
)yaml",
 {
    "case.yaml:12:14: spec.templates[0].container.args[0]: unresolvable \"{{workflow.nam}}\": unknown workflow variable",
 }},
{"step_reference_to_later_group", kWorkflow, R"yaml(  entrypoint: main
  templates:
  - name: main
    steps:
    - - name: a
        template: print
        arguments:
          parameters:
          - name: message
            value: got {{steps.b.outputs.result}}
    - - name: b
        template: leaf
  - name: print
    inputs:
      parameters:
      - name: message
    container: {image: busybox}
  - name: leaf
    container: {image: busybox}
)yaml",
 {
    "case.yaml:15:24: spec.templates[0].steps[0][0].arguments.parameters[0].value: unresolvable \"{{steps.b.outputs.result}}\": step \"b\" does not run before step \"a\"",
 }},
{"step_reference_same_group", kWorkflow, R"yaml(  entrypoint: main
  templates:
  - name: main
    steps:
    - - name: a
        template: leaf
      - name: b
        template: leaf
        when: Succeeded == {{steps.a.status}}
  - name: leaf
    container: {image: busybox}
)yaml",
 {
    "case.yaml:14:28: spec.templates[0].steps[0][1].when: unresolvable \"{{steps.a.status}}\": step \"a\" does not run before step \"b\"",
 }},
{"step_reference_unknown", kWorkflow, R"yaml(  entrypoint: main
  templates:
  - name: main
    steps:
    - - name: a
        template: leaf
    - - name: b
        template: leaf
        when: heads == {{steps.flip.outputs.result}}
  - name: leaf
    container: {image: busybox}
)yaml",
 {
    "case.yaml:14:24: spec.templates[0].steps[1][0].when: unresolvable \"{{steps.flip.outputs.result}}\": template \"main\" has no step \"flip\"",
 }},
{"task_reference_not_a_dependency", kWorkflow, R"yaml(  entrypoint: main
  templates:
  - name: main
    dag:
      tasks:
      - name: A
        template: leaf
      - name: B
        template: leaf
        when: x == {{tasks.A.outputs.result}}
  - name: leaf
    container: {image: busybox}
)yaml",
 {
    "case.yaml:15:20: spec.templates[0].dag.tasks[1].when: unresolvable \"{{tasks.A.outputs.result}}\": task \"A\" is not a dependency of task \"B\"",
 }},
{"task_reference_unknown", kWorkflow, R"yaml(  entrypoint: main
  templates:
  - name: main
    dag:
      tasks:
      - name: A
        template: leaf
      - name: B
        depends: A
        template: leaf
        when: x == {{tasks.Z.outputs.result}}
  - name: leaf
    container: {image: busybox}
)yaml",
 {
    "case.yaml:16:20: spec.templates[0].dag.tasks[1].when: unresolvable \"{{tasks.Z.outputs.result}}\": template \"main\" has no task \"Z\"",
 }},
{"item_without_loop", kWorkflow, R"yaml(  entrypoint: main
  templates:
  - name: main
    steps:
    - - name: a
        template: print
        arguments:
          parameters:
          - name: message
            value: item-{{item}}
  - name: print
    inputs:
      parameters:
      - name: message
    container: {image: busybox}
)yaml",
 {
    "case.yaml:15:25: spec.templates[0].steps[0][0].arguments.parameters[0].value: unresolvable \"{{item}}\": step \"a\" has no withItems, withParam or withSequence",
 }},
{"entrypoint_input_not_supplied", kWorkflow, R"yaml(  entrypoint: main
  templates:
  - name: main
    inputs:
      parameters:
      - name: message
    container: {image: busybox}
)yaml",
 {
    "case.yaml:5:1: spec.arguments: missing parameter \"message\" for template \"main\"",
 }},
{"workflow_argument_without_value", kWorkflow, R"yaml(  entrypoint: main
  arguments:
    parameters:
    - name: message
  templates:
  - name: main
    container: {image: busybox}
)yaml",
 {
    "case.yaml:9:7: spec.arguments.parameters[0]: workflow parameter \"message\" needs a value or valueFrom",
 }},
{"workflow_argument_not_in_enum", kWorkflow, R"yaml(  entrypoint: main
  arguments:
    parameters:
    - name: color
      value: green
      enum: [red, blue]
  templates:
  - name: main
    container: {image: busybox}
)yaml",
 {
    "case.yaml:10:14: spec.arguments.parameters[0].value: value \"green\" of parameter \"color\" is not in its enum: \"red\", \"blue\"",
 }},
{"input_default_not_in_enum", kWorkflow, R"yaml(  entrypoint: main
  templates:
  - name: main
    inputs:
      parameters:
      - name: size
        default: XL
        enum: [S, M, L]
    container: {image: busybox}
)yaml",
 {
    "case.yaml:12:18: spec.templates[0].inputs.parameters[0].default: value \"XL\" of parameter \"size\" is not in its enum: \"S\", \"M\", \"L\"",
 }},
{"output_parameter_without_source", kWorkflow, R"yaml(  entrypoint: main
  templates:
  - name: main
    container: {image: busybox}
    outputs:
      parameters:
      - name: out
)yaml",
 {
    "case.yaml:12:9: spec.templates[0].outputs.parameters[0]: output parameter \"out\" needs value or valueFrom",
 }},
{"output_parameter_two_sources", kWorkflow, R"yaml(  entrypoint: main
  templates:
  - name: main
    container: {image: busybox}
    outputs:
      parameters:
      - name: out
        valueFrom:
          path: /tmp/out
          jsonPath: "{.x}"
)yaml",
 {
    "case.yaml:13:9: spec.templates[0].outputs.parameters[0].valueFrom: valueFrom of \"out\" sets more than one source",
 }},
{"container_output_parameter_needs_path", kWorkflow, R"yaml(  entrypoint: main
  templates:
  - name: main
    container: {image: busybox}
    outputs:
      parameters:
      - name: out
        valueFrom:
          parameter: x
)yaml",
 {
    "case.yaml:13:9: spec.templates[0].outputs.parameters[0].valueFrom: output parameter \"out\" of a container template needs valueFrom.path",
 }},
{"steps_output_artifact_needs_from", kWorkflow, R"yaml(  entrypoint: main
  templates:
  - name: main
    steps:
    - - name: a
        template: leaf
    outputs:
      artifacts:
      - name: out
  - name: leaf
    container: {image: busybox}
)yaml",
 {
    "case.yaml:14:9: spec.templates[0].outputs.artifacts[0]: output artifact \"out\" of a steps template needs from or fromExpression",
 }},
{"input_artifact_without_path", kWorkflow, R"yaml(  entrypoint: main
  templates:
  - name: main
    inputs:
      artifacts:
      - name: data
        raw:
          data: hello
    container: {image: busybox}
)yaml",
 {
    "case.yaml:11:9: spec.templates[0].inputs.artifacts[0].path: input artifact \"data\" needs a path",
 }},
{"input_parameter_duplicate", kWorkflow, R"yaml(  entrypoint: main
  templates:
  - name: main
    inputs:
      parameters:
      - name: a
        value: "1"
      - name: a
        value: "2"
    container: {image: busybox}
)yaml",
 {
    "case.yaml:13:15: spec.templates[0].inputs.parameters[1].name: duplicate parameter name \"a\"",
 }},
{"resource_quantities_invalid", kWorkflow, R"yaml(  entrypoint: main
  templates:
  - name: main
    container:
      image: busybox
      resources:
        limits:
          memory: 1GB
        requests:
          cpu: abc
)yaml",
 {
    "case.yaml:13:19: spec.templates[0].container.resources.limits.memory: invalid quantity \"1GB\": expected a number with an optional suffix (m, k, M, G, Ki, Mi, Gi, ...)",
    "case.yaml:15:16: spec.templates[0].container.resources.requests.cpu: invalid quantity \"abc\": expected a number with an optional suffix (m, k, M, G, Ki, Mi, Gi, ...)",
 }},
{"sidecar_and_init_quantities_invalid", kWorkflow, R"yaml(  entrypoint: main
  templates:
  - name: main
    container: {image: busybox}
    initContainers:
    - name: init
      image: busybox
      resources:
        limits: {cpu: "--1"}
    sidecars:
    - name: side
      image: busybox
      resources:
        requests: {memory: 1 Gi}
)yaml",
 {
    "case.yaml:14:23: spec.templates[0].initContainers[0].resources.limits.cpu: invalid quantity \"--1\": expected a number with an optional suffix (m, k, M, G, Ki, Mi, Gi, ...)",
    "case.yaml:19:28: spec.templates[0].sidecars[0].resources.requests.memory: invalid quantity \"1 Gi\": expected a number with an optional suffix (m, k, M, G, Ki, Mi, Gi, ...)",
 }},
{"suspend_duration_invalid", kWorkflow, R"yaml(  entrypoint: main
  templates:
  - name: main
    suspend:
      duration: 5 minutes
)yaml",
 {
    "case.yaml:10:17: spec.templates[0].suspend.duration: unknown unit \" minutes\" in duration \"5 minutes\"",
 }},
{"retry_backoff_invalid", kWorkflow, R"yaml(  entrypoint: main
  templates:
  - name: main
    retryStrategy:
      limit: ten
      retryPolicy: Sometimes
      backoff:
        duration: 1x
        factor: two
        maxDuration: 1 hour
        cap: 5q
    container: {image: busybox}
)yaml",
 {
    "case.yaml:10:14: spec.templates[0].retryStrategy.limit: retry limit \"ten\" is not an integer",
    "case.yaml:11:20: spec.templates[0].retryStrategy.retryPolicy: retryPolicy \"Sometimes\" must be one of Always, OnFailure, OnError, OnTransientError",
    "case.yaml:13:19: spec.templates[0].retryStrategy.backoff.duration: unknown unit \"x\" in duration \"1x\"",
    "case.yaml:14:17: spec.templates[0].retryStrategy.backoff.factor: backoff factor \"two\" is not a number",
    "case.yaml:15:22: spec.templates[0].retryStrategy.backoff.maxDuration: unknown unit \" hour\" in duration \"1 hour\"",
    "case.yaml:16:14: spec.templates[0].retryStrategy.backoff.cap: unknown unit \"q\" in duration \"5q\"",
 }},
{"active_deadline_seconds_not_integer", kWorkflow, R"yaml(  entrypoint: main
  templates:
  - name: main
    activeDeadlineSeconds: soon
    container: {image: busybox}
)yaml",
 {
    "case.yaml:9:28: spec.templates[0].activeDeadlineSeconds: activeDeadlineSeconds \"soon\" is not an integer",
 }},
{"templated_units_are_skipped", kWorkflow, R"yaml(  entrypoint: main
  arguments:
    parameters:
    - name: mem
      value: 1Gi
  templates:
  - name: main
    inputs:
      parameters:
      - name: t
        value: 10s
    timeout: "{{inputs.parameters.t}}"
    activeDeadlineSeconds: "{{inputs.parameters.t}}"
    retryStrategy:
      limit: "{{inputs.parameters.t}}"
    container:
      image: busybox
      resources:
        limits:
          memory: "{{workflow.parameters.mem}}"
)yaml",
 {}},
{"mutex_without_name", kWorkflow, R"yaml(  entrypoint: main
  synchronization:
    mutexes:
    - namespace: default
  templates:
  - name: main
    container: {image: busybox}
)yaml",
 {
    "case.yaml:9:7: spec.synchronization.mutexes[0].name: mutex name is required",
 }},
{"semaphore_without_config_map", kWorkflow, R"yaml(  entrypoint: main
  templates:
  - name: main
    synchronization:
      semaphores:
      - namespace: default
    container: {image: busybox}
)yaml",
 {
    "case.yaml:11:9: spec.templates[0].synchronization.semaphores[0].configMapKeyRef: semaphore needs configMapKeyRef with name and key",
 }},
{"metadata_without_name", kWhole, R"yaml(apiVersion: argoproj.io/v1alpha1
kind: Workflow
metadata:
  labels: {a: b}
spec:
  entrypoint: main
  templates:
  - name: main
    container: {image: busybox}
)yaml",
 {
    "case.yaml:3:1: metadata: metadata.name or metadata.generateName is required",
 }},
{"duplicate_workflow_template", kWhole, R"yaml(apiVersion: argoproj.io/v1alpha1
kind: WorkflowTemplate
metadata:
  name: wt
spec:
  templates:
  - name: a
    container: {image: busybox}
---
apiVersion: argoproj.io/v1alpha1
kind: WorkflowTemplate
metadata:
  name: wt
spec:
  templates:
  - name: b
    container: {image: busybox}
)yaml",
 {
    "case.yaml:13:9: metadata.name: duplicate WorkflowTemplate \"wt\" (also defined at case.yaml:4:9)",
 }},
{"workflow_template_may_leave_arguments_open", kWhole, R"yaml(apiVersion: argoproj.io/v1alpha1
kind: WorkflowTemplate
metadata:
  name: wt
spec:
  arguments:
    parameters:
    - name: message
  templates:
  - name: a
    inputs:
      parameters:
      - name: x
    container:
      image: busybox
      args: ["{{workflow.parameters.anything}}", "{{inputs.parameters.x}}"]
)yaml",
 {}},
{"cron_bad_schedules", kWhole, R"yaml(apiVersion: argoproj.io/v1alpha1
kind: CronWorkflow
metadata:
  name: cron
spec:
  schedules:
  - "0 * * * * *"
  - "61 * * * *"
  - "*/0 * * * *"
  - "0 0 * JANUARY *"
  - "@fortnightly"
  concurrencyPolicy: Sometimes
  workflowSpec:
    entrypoint: main
    templates:
    - name: main
      container: {image: busybox}
)yaml",
 {
    "case.yaml:7:5: spec.schedules[0]: invalid schedule \"0 * * * * *\": expected 5 fields (minute hour day-of-month month day-of-week), found 6",
    "case.yaml:8:5: spec.schedules[1]: invalid schedule \"61 * * * *\": minute value 61 is out of range 0-59",
    "case.yaml:9:5: spec.schedules[2]: invalid schedule \"*/0 * * * *\": bad step in minute field \"*/0\"",
    "case.yaml:10:5: spec.schedules[3]: invalid schedule \"0 0 * JANUARY *\": bad month value \"JANUARY\"",
    "case.yaml:11:5: spec.schedules[4]: invalid schedule \"@fortnightly\": unknown descriptor \"@fortnightly\"",
    "case.yaml:12:22: spec.concurrencyPolicy: concurrencyPolicy \"Sometimes\" must be one of Allow, Forbid, Replace",
 }},
{"cron_missing_schedule", kWhole, R"yaml(apiVersion: argoproj.io/v1alpha1
kind: CronWorkflow
metadata:
  name: cron
spec:
  workflowSpec:
    entrypoint: main
    templates:
    - name: main
      container: {image: busybox}
)yaml",
 {
    "case.yaml:5:1: spec.schedules: CronWorkflow needs schedule or schedules",
 }},
{"cron_valid_forms", kWhole, R"yaml(apiVersion: argoproj.io/v1alpha1
kind: CronWorkflow
metadata:
  name: cron
spec:
  schedules:
  - "@hourly"
  - "@every 90s"
  - "*/5 1-3,7 ? jan-mar MON-FRI"
  - "CRON_TZ=Europe/Paris 30 6 1 * 0"
  timezone: America/New_York
  when: "{{= cronworkflow.failed < 3}}"
  workflowSpec:
    entrypoint: main
    templates:
    - name: main
      container: {image: busybox}
)yaml",
 {}},
{"cron_single_schedule_and_bad_when", kWhole, R"yaml(apiVersion: argoproj.io/v1alpha1
kind: CronWorkflow
metadata:
  name: cron
spec:
  schedule: "5 4 * *"
  when: cronworkflow.failed <
  workflowSpec:
    entrypoint: main
    templates:
    - name: main
      container: {image: busybox}
)yaml",
 {
    "case.yaml:6:13: spec.schedule: invalid schedule \"5 4 * *\": expected 5 fields (minute hour day-of-month month day-of-week), found 4",
    "case.yaml:7:30: spec.when: invalid expression: unexpected end of expression at column 22",
 }},
{"cron_workflow_spec_errors_use_its_path", kWhole, R"yaml(apiVersion: argoproj.io/v1alpha1
kind: CronWorkflow
metadata:
  name: cron
spec:
  schedule: "0 0 * * *"
  workflowSpec:
    entrypoint: mian
    templates:
    - name: main
      container: {image: busybox}
)yaml",
 {
    "case.yaml:8:17: spec.workflowSpec.entrypoint: template \"mian\" not found",
 }},
{"loader_invalid_yaml", kWhole, R"yaml(apiVersion: argoproj.io/v1alpha1
kind: Workflow
metadata:
  name: t
spec:
  entrypoint: [main
)yaml",
 {
    "case.yaml:7:1: invalid YAML: end of sequence flow not found",
 }},
{"loader_wrong_type", kWhole, R"yaml(apiVersion: argoproj.io/v1alpha1
kind: Workflow
metadata:
  name: t
spec:
  entrypoint: main
  parallelism: lots
  templates:
  - name: main
    container: {image: busybox}
)yaml",
 {
    "case.yaml:7:16: spec.parallelism: expected an integer, got \"lots\"",
 }},
{"loader_unknown_field", kWhole, R"yaml(apiVersion: argoproj.io/v1alpha1
kind: Workflow
metadata:
  name: t
spec:
  entrypoint: main
  templates:
  - name: main
    contianer: {image: busybox}
)yaml",
 {
    "case.yaml:9:5: spec.templates[0].contianer: unknown field \"contianer\" (did you mean \"container\"?)",
 }},
{"several_problems_are_all_reported", kWorkflow, R"yaml(  entrypoint: main
  templates:
  - name: main
    dag:
      tasks:
      - name: A
        template: missing
      - name: B
        depends: A && Z
        template: leaf
  - name: leaf
    container:
      image: busybox
      resources:
        limits: {cpu: lots}
)yaml",
 {
    "case.yaml:12:19: spec.templates[0].dag.tasks[0].template: template \"missing\" not found",
    "case.yaml:14:23: spec.templates[0].dag.tasks[1].depends: unknown task \"Z\"",
    "case.yaml:20:23: spec.templates[1].container.resources.limits.cpu: invalid quantity \"lots\": expected a number with an optional suffix (m, k, M, G, Ki, Mi, Gi, ...)",
 }},
};
// clang-format on

std::vector<std::string> diagnose(const Case& c) {
  const std::string yaml = c.form == kWorkflow ? std::string(kHeader) + c.yaml : std::string(c.yaml);
  std::vector<std::string> found;
  for (const auto& diagnostic : validate_all(load_string(yaml, "case.yaml"))) found.push_back(diagnostic.to_string());
  return found;
}

class ValidateCases : public testing::TestWithParam<Case> {};

TEST_P(ValidateCases, ReportsExactDiagnostics) {
  const Case& c = GetParam();
  EXPECT_EQ(diagnose(c), c.expected);
}

INSTANTIATE_TEST_SUITE_P(Table, ValidateCases, testing::ValuesIn(kCases),
                         [](const testing::TestParamInfo<Case>& info) { return std::string(info.param.name); });

TEST(ValidateCasesTable, HasAtLeastSeventyInvalidWorkflows) {
  size_t invalid = 0;
  for (const Case& c : kCases) invalid += c.expected.empty() ? 0 : 1;
  EXPECT_GE(invalid, 70u);
}

// Regenerating expectations after a deliberate message change: RAMPART_DUMP_CASES=file writes
// what each case reports now, as JSON, for review.
TEST(ValidateCasesTable, DumpWhenAsked) {
  const char* target = std::getenv("RAMPART_DUMP_CASES");
  if (!target) GTEST_SKIP() << "set RAMPART_DUMP_CASES to dump";
  nlohmann::json dump = nlohmann::json::object();
  for (const Case& c : kCases) dump[c.name] = diagnose(c);
  std::ofstream(target) << dump.dump(2);
}

}  // namespace
}  // namespace rampart::spec
