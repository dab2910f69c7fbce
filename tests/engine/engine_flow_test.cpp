// Control flow: steps groups, DAGs (dependencies, depends, failFast, targets), loops and `when`.
#include <set>

#include "engine_fixture.h"

namespace rampart::engine::testing {
namespace {

using ::testing::ElementsAre;
using ::testing::UnorderedElementsAre;

TEST_F(EngineTest, StepsRunGroupsInOrderAndStepsOfAGroupTogether) {
  Json wf = run_yaml(R"(
apiVersion: argoproj.io/v1alpha1
kind: Workflow
metadata: {name: wf}
spec:
  entrypoint: main
  volumes: [{name: v, persistentVolumeClaim: {claimName: order}}]
  templates:
  - name: main
    steps:
    - - {name: a, template: mark, arguments: {parameters: [{name: id, value: a}]}}
      - {name: b, template: mark, arguments: {parameters: [{name: id, value: b}]}}
    - - {name: c, template: mark, arguments: {parameters: [{name: id, value: c}]}}
  - name: mark
    inputs: {parameters: [{name: id}]}
    container:
      image: busybox
      command: [sh, -c, "echo {{inputs.parameters.id}} >> /v/order && echo hi-{{inputs.parameters.id}}"]
      volumeMounts: [{name: v, mountPath: /v}]
)");
  ASSERT_EQ(workflow_phase(wf), "Succeeded") << describe(wf);

  Json root = node_by_name(wf, "wf");
  EXPECT_EQ(root.value("type", ""), "Steps");
  EXPECT_EQ(root.value("displayName", ""), "wf");
  EXPECT_THAT(child_display_names(wf, root), ElementsAre("[0]"));

  Json g0 = node_by_name(wf, "wf[0]");
  EXPECT_EQ(g0.value("type", ""), "StepGroup");
  EXPECT_EQ(g0.value("displayName", ""), "[0]");
  EXPECT_THAT(child_display_names(wf, g0), UnorderedElementsAre("a", "b"));

  Json a = node_by_name(wf, "wf[0].a");
  Json b = node_by_name(wf, "wf[0].b");
  Json c = node_by_name(wf, "wf[1].c");
  for (const Json* n : {&a, &b, &c}) {
    EXPECT_EQ(n->value("type", ""), "Pod");
    EXPECT_EQ(phase_of(*n), "Succeeded");
    EXPECT_EQ(n->value("templateName", ""), "mark");
  }
  EXPECT_EQ(result_of(a), "hi-a");
  // The steps of group 0 lead to group 1.
  EXPECT_THAT(child_display_names(wf, a), ElementsAre("[1]"));
  EXPECT_THAT(child_display_names(wf, b), ElementsAre("[1]"));
  EXPECT_THAT(child_display_names(wf, node_by_name(wf, "wf[1]")), ElementsAre("c"));

  auto order = read_lines(claim_dir("order") / "order");
  ASSERT_EQ(order.size(), 3u);
  EXPECT_EQ(order[2], "c");  // group 1 starts only after both steps of group 0 have ended
  EXPECT_EQ(std::set<std::string>(order.begin(), order.begin() + 2), (std::set<std::string>{"a", "b"}));
}

TEST_F(EngineTest, StepsOfOneGroupRunInParallel) {
  // Each step waits (bounded) until the other one has started: only possible if they overlap.
  Json wf = run_yaml(R"(
apiVersion: argoproj.io/v1alpha1
kind: Workflow
metadata: {name: par}
spec:
  entrypoint: main
  volumes: [{name: v, persistentVolumeClaim: {claimName: par}}]
  templates:
  - name: main
    steps:
    - - {name: a, template: meet, arguments: {parameters: [{name: me, value: a}, {name: other, value: b}]}}
      - {name: b, template: meet, arguments: {parameters: [{name: me, value: b}, {name: other, value: a}]}}
  - name: meet
    inputs: {parameters: [{name: me}, {name: other}]}
    container:
      image: busybox
      command: [sh, -c]
      args:
      - |
        touch /v/{{inputs.parameters.me}}
        i=0
        while [ ! -e /v/{{inputs.parameters.other}} ] && [ $i -lt 300 ]; do sleep 0.1; i=$((i+1)); done
        [ -e /v/{{inputs.parameters.other}} ] && echo met
      volumeMounts: [{name: v, mountPath: /v}]
)");
  ASSERT_EQ(workflow_phase(wf), "Succeeded") << describe(wf);
  EXPECT_EQ(result_of(node_by_display(wf, "a")), "met");
  EXPECT_EQ(result_of(node_by_display(wf, "b")), "met");
}

TEST_F(EngineTest, FailedStepFailsTheWorkflowAndLaterGroupsDoNotRun) {
  Json wf = run_yaml(R"(
apiVersion: argoproj.io/v1alpha1
kind: Workflow
metadata: {name: fails}
spec:
  entrypoint: main
  templates:
  - name: main
    steps:
    - - {name: bad, template: bad}
    - - {name: never, template: ok}
  - name: bad
    container: {image: busybox, command: [sh, -c, "exit 3"]}
  - name: ok
    container: {image: busybox, command: ["true"]}
)");
  EXPECT_EQ(workflow_phase(wf), "Failed") << describe(wf);
  Json bad = node_by_display(wf, "bad");
  EXPECT_EQ(phase_of(bad), "Failed");
  EXPECT_EQ(bad["outputs"].value("exitCode", ""), "3");
  EXPECT_NE(message_of(bad).find("exit code 3"), std::string::npos) << message_of(bad);
  EXPECT_FALSE(has_display(wf, "never"));
  EXPECT_FALSE(has_display(wf, "[1]"));
}

TEST_F(EngineTest, DagDependenciesOrderTasks) {
  Json wf = run_yaml(R"(
apiVersion: argoproj.io/v1alpha1
kind: Workflow
metadata: {name: diamond}
spec:
  entrypoint: main
  volumes: [{name: v, persistentVolumeClaim: {claimName: d}}]
  templates:
  - name: main
    dag:
      tasks:
      - {name: A, template: mark, arguments: {parameters: [{name: id, value: A}]}}
      - {name: B, template: mark, dependencies: [A], arguments: {parameters: [{name: id, value: B}]}}
      - {name: C, template: mark, dependencies: [A], arguments: {parameters: [{name: id, value: C}]}}
      - {name: D, template: mark, dependencies: [B, C], arguments: {parameters: [{name: id, value: D}]}}
  - name: mark
    inputs: {parameters: [{name: id}]}
    container:
      image: busybox
      command: [sh, -c, "echo {{inputs.parameters.id}} >> /v/order"]
      volumeMounts: [{name: v, mountPath: /v}]
)");
  ASSERT_EQ(workflow_phase(wf), "Succeeded") << describe(wf);
  Json root = node_by_name(wf, "diamond");
  EXPECT_EQ(root.value("type", ""), "DAG");
  EXPECT_THAT(child_display_names(wf, root), ElementsAre("A"));
  EXPECT_THAT(child_display_names(wf, node_by_name(wf, "diamond.A")), UnorderedElementsAre("B", "C"));
  EXPECT_THAT(child_display_names(wf, node_by_name(wf, "diamond.B")), ElementsAre("D"));
  EXPECT_EQ(phase_of(node_by_name(wf, "diamond.D")), "Succeeded");
  auto order = read_lines(claim_dir("d") / "order");
  ASSERT_EQ(order.size(), 4u);
  EXPECT_EQ(order.front(), "A");
  EXPECT_EQ(order.back(), "D");
}

TEST_F(EngineTest, DagEnhancedDependsOmitsTasksWhoseConditionIsFalse) {
  Json wf = run_yaml(R"yaml(
apiVersion: argoproj.io/v1alpha1
kind: Workflow
metadata: {name: depends}
spec:
  entrypoint: main
  templates:
  - name: main
    dag:
      failFast: false
      tasks:
      - {name: A, template: ok}
      - {name: B, template: fail}
      - {name: C, template: fail}
      - {name: D, template: ok, depends: "A && (B.Succeeded || C.Failed)"}
      - {name: E, template: ok, depends: "A && B.Succeeded"}
      - {name: F, template: ok, depends: "B.Failed && C.Failed"}
      - {name: G, template: ok, depends: "E"}
  - name: ok
    container: {image: busybox, command: ["true"]}
  - name: fail
    container: {image: busybox, command: [sh, -c, "exit 1"]}
)yaml");
  EXPECT_EQ(phase_of(node_by_display(wf, "A")), "Succeeded") << describe(wf);
  EXPECT_EQ(phase_of(node_by_display(wf, "B")), "Failed");
  EXPECT_EQ(phase_of(node_by_display(wf, "C")), "Failed");
  EXPECT_EQ(phase_of(node_by_display(wf, "D")), "Succeeded");
  EXPECT_EQ(phase_of(node_by_display(wf, "E")), "Omitted");
  EXPECT_EQ(phase_of(node_by_display(wf, "F")), "Succeeded");
  // A task depending on an omitted one is omitted too.
  EXPECT_EQ(phase_of(node_by_display(wf, "G")), "Omitted");
  // B and C failed and nothing handles them as a bare dependency: the DAG fails.
  EXPECT_EQ(workflow_phase(wf), "Failed");
}

TEST_F(EngineTest, DagFailFastByDefaultStartsNothingNewAfterAFailure) {
  Json wf = run_yaml(R"(
apiVersion: argoproj.io/v1alpha1
kind: Workflow
metadata: {name: failfast}
spec:
  entrypoint: main
  templates:
  - name: main
    dag:
      tasks:
      - {name: bad, template: fail}
      - {name: slow, template: slow}
      - {name: after-slow, template: ok, dependencies: [slow]}
  - name: ok
    container: {image: busybox, command: ["true"]}
  - name: slow
    container: {image: busybox, command: [sleep, "2"]}
  - name: fail
    container: {image: busybox, command: [sh, -c, "exit 1"]}
)");
  EXPECT_EQ(workflow_phase(wf), "Failed") << describe(wf);
  EXPECT_EQ(phase_of(node_by_display(wf, "bad")), "Failed");
  // The task already running finishes; its dependent is never started.
  EXPECT_EQ(phase_of(node_by_display(wf, "slow")), "Succeeded");
  for (const auto& n : nodes_with_display_name(wf, "after-slow")) {
    EXPECT_NE(n.value("type", ""), "Pod") << "after-slow must not run: " << n.dump();
    EXPECT_NE(phase_of(n), "Succeeded");
  }
}

TEST_F(EngineTest, DagWithoutFailFastRunsEveryIndependentTask) {
  Json wf = run_yaml(R"(
apiVersion: argoproj.io/v1alpha1
kind: Workflow
metadata: {name: nofailfast}
spec:
  entrypoint: main
  templates:
  - name: main
    dag:
      failFast: false
      tasks:
      - {name: bad, template: fail}
      - {name: slow, template: slow}
      - {name: after-slow, template: ok, dependencies: [slow]}
  - name: ok
    container: {image: busybox, command: ["true"]}
  - name: slow
    container: {image: busybox, command: [sleep, "1"]}
  - name: fail
    container: {image: busybox, command: [sh, -c, "exit 1"]}
)");
  EXPECT_EQ(workflow_phase(wf), "Failed") << describe(wf);
  EXPECT_EQ(phase_of(node_by_display(wf, "bad")), "Failed");
  Json after = node_by_display(wf, "after-slow");
  EXPECT_EQ(after.value("type", ""), "Pod");
  EXPECT_EQ(phase_of(after), "Succeeded");
}

TEST_F(EngineTest, DagTargetsRunOnlyTheTargetsAndWhatTheyNeed) {
  Json wf = run_yaml(R"(
apiVersion: argoproj.io/v1alpha1
kind: Workflow
metadata: {name: targets}
spec:
  entrypoint: main
  templates:
  - name: main
    dag:
      target: C
      tasks:
      - {name: A, template: ok}
      - {name: B, template: ok, dependencies: [A]}
      - {name: C, template: ok, dependencies: [A]}
      - {name: D, template: ok, dependencies: [C]}
  - name: ok
    container: {image: busybox, command: ["true"]}
)");
  ASSERT_EQ(workflow_phase(wf), "Succeeded") << describe(wf);
  EXPECT_EQ(phase_of(node_by_display(wf, "A")), "Succeeded");
  EXPECT_EQ(phase_of(node_by_display(wf, "C")), "Succeeded");
  EXPECT_FALSE(has_display(wf, "B")) << describe(wf);
  EXPECT_FALSE(has_display(wf, "D")) << describe(wf);
}

TEST_F(EngineTest, WithItemsOfStringsAndMapsNamesEachIteration) {
  Json wf = run_yaml(R"(
apiVersion: argoproj.io/v1alpha1
kind: Workflow
metadata: {name: items}
spec:
  entrypoint: main
  templates:
  - name: main
    steps:
    - - name: s
        template: echo
        arguments: {parameters: [{name: m, value: "{{item}}"}]}
        withItems: [a, b]
      - name: m
        template: echo
        arguments: {parameters: [{name: m, value: "{{item.x}}-{{item.y}}"}]}
        withItems:
        - {x: 1, y: 2}
        - {x: 3, y: 4}
  - name: echo
    inputs: {parameters: [{name: m}]}
    container: {image: busybox, command: [echo, "{{inputs.parameters.m}}"]}
)");
  ASSERT_EQ(workflow_phase(wf), "Succeeded") << describe(wf);
  EXPECT_EQ(result_of(node_by_name(wf, "items[0].s(0:a)")), "a");
  EXPECT_EQ(result_of(node_by_name(wf, "items[0].s(1:b)")), "b");
  EXPECT_EQ(result_of(node_by_name(wf, "items[0].m(0:x:1,y:2)")), "1-2");
  EXPECT_EQ(result_of(node_by_name(wf, "items[0].m(1:x:3,y:4)")), "3-4");
  EXPECT_TRUE(has_display(wf, "s(0:a)"));
  EXPECT_EQ(count_nodes(wf, "Pod"), 4);
}

TEST_F(EngineTest, WithParamIteratesOverAPreviousStepsJsonOutput) {
  Json wf = run_yaml(R"(
apiVersion: argoproj.io/v1alpha1
kind: Workflow
metadata: {name: withparam}
spec:
  entrypoint: main
  templates:
  - name: main
    steps:
    - - {name: gen, template: gen}
    - - name: use
        template: echo
        arguments: {parameters: [{name: m, value: "{{item.n}}"}]}
        withParam: "{{steps.gen.outputs.result}}"
  - name: gen
    script:
      image: python:3.12
      command: [python]
      source: |
        import json
        print(json.dumps([{"n": "x"}, {"n": "y"}, {"n": "z"}]))
  - name: echo
    inputs: {parameters: [{name: m}]}
    container: {image: busybox, command: [echo, "got {{inputs.parameters.m}}"]}
)");
  ASSERT_EQ(workflow_phase(wf), "Succeeded") << describe(wf);
  EXPECT_EQ(result_of(node_by_name(wf, "withparam[1].use(0:n:x)")), "got x");
  EXPECT_EQ(result_of(node_by_name(wf, "withparam[1].use(2:n:z)")), "got z");
  EXPECT_EQ(count_nodes(wf, "Pod"), 4);
}

TEST_F(EngineTest, WithSequenceCountStartEndAndFormat) {
  Json wf = run_yaml(R"(
apiVersion: argoproj.io/v1alpha1
kind: Workflow
metadata: {name: seq}
spec:
  entrypoint: main
  templates:
  - name: main
    steps:
    - - {name: count, template: echo, withSequence: {count: "3"}, arguments: {parameters: [{name: m, value: "{{item}}"}]}}
      - {name: range, template: echo, withSequence: {start: "5", end: "7"}, arguments: {parameters: [{name: m, value: "{{item}}"}]}}
      - {name: fmt, template: echo, withSequence: {count: "2", start: "8", format: "%02d"}, arguments: {parameters: [{name: m, value: "{{item}}"}]}}
  - name: echo
    inputs: {parameters: [{name: m}]}
    container: {image: busybox, command: [echo, "{{inputs.parameters.m}}"]}
)");
  ASSERT_EQ(workflow_phase(wf), "Succeeded") << describe(wf);
  EXPECT_EQ(result_of(node_by_name(wf, "seq[0].count(0:0)")), "0");
  EXPECT_EQ(result_of(node_by_name(wf, "seq[0].count(2:2)")), "2");
  EXPECT_FALSE(has_display(wf, "count(3:3)"));
  EXPECT_EQ(result_of(node_by_name(wf, "seq[0].range(0:5)")), "5");
  EXPECT_EQ(result_of(node_by_name(wf, "seq[0].range(2:7)")), "7");
  EXPECT_EQ(result_of(node_by_name(wf, "seq[0].fmt(0:08)")), "08");
  EXPECT_EQ(result_of(node_by_name(wf, "seq[0].fmt(1:09)")), "09");
  EXPECT_EQ(count_nodes(wf, "Pod"), 8);
}

TEST_F(EngineTest, WhenFalseSkipsTheStepWithAMessage) {
  Json wf = run_yaml(R"(
apiVersion: argoproj.io/v1alpha1
kind: Workflow
metadata: {name: when}
spec:
  entrypoint: main
  arguments: {parameters: [{name: go, value: "yes"}]}
  templates:
  - name: main
    steps:
    - - {name: flip, template: flip}
    - - {name: heads, template: ok, when: "{{steps.flip.outputs.result}} == heads"}
      - {name: tails, template: ok, when: "{{steps.flip.outputs.result}} == tails"}
      - {name: param, template: ok, when: "'{{workflow.parameters.go}}' == 'yes'"}
  - name: flip
    container: {image: busybox, command: [echo, heads]}
  - name: ok
    container: {image: busybox, command: ["true"]}
)");
  ASSERT_EQ(workflow_phase(wf), "Succeeded") << describe(wf);
  Json heads = node_by_display(wf, "heads");
  EXPECT_EQ(phase_of(heads), "Succeeded");
  EXPECT_EQ(heads.value("type", ""), "Pod");
  Json tails = node_by_display(wf, "tails");
  EXPECT_EQ(phase_of(tails), "Skipped");
  EXPECT_EQ(tails.value("type", ""), "Skipped");
  EXPECT_NE(message_of(tails).find("when 'heads == tails' evaluated false"), std::string::npos) << message_of(tails);
  EXPECT_EQ(phase_of(node_by_display(wf, "param")), "Succeeded");
}

TEST_F(EngineTest, ContinueOnFailedLetsTheStepsGoOn) {
  Json wf = run_yaml(R"(
apiVersion: argoproj.io/v1alpha1
kind: Workflow
metadata: {name: continue}
spec:
  entrypoint: main
  templates:
  - name: main
    steps:
    - - {name: bad, template: fail, continueOn: {failed: true}}
    - - {name: next, template: ok}
  - name: ok
    container: {image: busybox, command: [echo, next]}
  - name: fail
    container: {image: busybox, command: [sh, -c, "exit 1"]}
)");
  EXPECT_EQ(workflow_phase(wf), "Succeeded") << describe(wf);
  EXPECT_EQ(phase_of(node_by_display(wf, "bad")), "Failed");
  EXPECT_EQ(result_of(node_by_display(wf, "next")), "next");
}

TEST_F(EngineTest, DagContinueOnFailedCountsAsSucceededForDependents) {
  Json wf = run_yaml(R"(
apiVersion: argoproj.io/v1alpha1
kind: Workflow
metadata: {name: dagcontinue}
spec:
  entrypoint: main
  templates:
  - name: main
    dag:
      tasks:
      - {name: bad, template: fail, continueOn: {failed: true}}
      - {name: next, template: ok, dependencies: [bad]}
  - name: ok
    container: {image: busybox, command: ["true"]}
  - name: fail
    container: {image: busybox, command: [sh, -c, "exit 1"]}
)");
  EXPECT_EQ(workflow_phase(wf), "Succeeded") << describe(wf);
  EXPECT_EQ(phase_of(node_by_display(wf, "next")), "Succeeded");
}

}  // namespace
}  // namespace rampart::engine::testing

namespace rampart::engine::testing {
namespace {

TEST_F(EngineTest, DagLoopTaskHasATaskGroupWithOneChildPerItem) {
  Json wf = run_yaml(R"(
apiVersion: argoproj.io/v1alpha1
kind: Workflow
metadata: {name: dagloop}
spec:
  entrypoint: main
  templates:
  - name: main
    dag:
      tasks:
      - {name: fan, template: echo, withItems: [p, q], arguments: {parameters: [{name: m, value: "{{item}}"}]}}
      - {name: after, template: echo, depends: fan, arguments: {parameters: [{name: m, value: "{{tasks.fan.outputs.result}}"}]}}
  - name: echo
    inputs: {parameters: [{name: m}]}
    container: {image: busybox, command: [echo, "{{inputs.parameters.m}}"]}
)");
  ASSERT_EQ(workflow_phase(wf), "Succeeded") << describe(wf);
  Json group = node_by_name(wf, "dagloop.fan");
  EXPECT_EQ(group.value("type", ""), "TaskGroup");
  EXPECT_THAT(child_display_names(wf, group), ::testing::IsSupersetOf({"fan(0:p)", "fan(1:q)"}));
  EXPECT_EQ(result_of(node_by_name(wf, "dagloop.fan(1:q)")), "q");
  // A loop's results are aggregated into a JSON list.
  Json results = Json::parse(result_of(node_by_display(wf, "after")), nullptr, false);
  EXPECT_EQ(results, Json::parse(R"(["p","q"])")) << describe(wf);
}

// BUG (Argo compatibility of the node tree): a task depending on a loop task is attached as a
// child of the TaskGroup node. Argo attaches a dependent to the dependency's outbound nodes
// (getOutboundNodes of a TaskGroup = its item nodes), so the TaskGroup's children are only the
// items and `after` is a child of fan(0:p) and fan(1:q).
// Expected: TaskGroup children == {fan(0:p), fan(1:q)}; each item lists `after`.
// Actual: TaskGroup children == {fan(0:p), fan(1:q), after}; items have no children.
TEST_F(EngineTest, DISABLED_DagDependentOfALoopHangsOffTheItemNodes) {
  Json wf = run_yaml(R"(
apiVersion: argoproj.io/v1alpha1
kind: Workflow
metadata: {name: dagloop2}
spec:
  entrypoint: main
  templates:
  - name: main
    dag:
      tasks:
      - {name: fan, template: ok, withItems: [p, q]}
      - {name: after, template: ok, depends: fan}
  - name: ok
    container: {image: busybox, command: ["true"]}
)");
  ASSERT_EQ(workflow_phase(wf), "Succeeded") << describe(wf);
  EXPECT_THAT(child_display_names(wf, node_by_name(wf, "dagloop2.fan")),
              ::testing::UnorderedElementsAre("fan(0:p)", "fan(1:q)"));
  EXPECT_THAT(child_display_names(wf, node_by_display(wf, "fan(0:p)")), ::testing::ElementsAre("after"));
  EXPECT_THAT(child_display_names(wf, node_by_display(wf, "fan(1:q)")), ::testing::ElementsAre("after"));
}

}  // namespace
}  // namespace rampart::engine::testing
