// The strict schema check: unknown fields and wrong types, each with its position and path.
#include <gtest/gtest.h>

#include "parse_test_support.h"

namespace rampart::spec {
namespace {

using testing::dump;

// Loads `yaml` and expects exactly one diagnostic.
Diagnostic only_error(const std::string& yaml) {
  LoadResult result = load_string(yaml, "wf.yaml");
  EXPECT_EQ(result.errors.size(), 1u) << dump(result.errors);
  EXPECT_TRUE(result.documents.empty());
  if (result.errors.empty()) return {};
  return result.errors[0];
}

void expect_error(const Diagnostic& d, int line, int column, const std::string& path, const std::string& message) {
  EXPECT_EQ(d.file, "wf.yaml");
  EXPECT_EQ(d.where.line, line) << d.to_string();
  EXPECT_EQ(d.where.column, column) << d.to_string();
  EXPECT_EQ(d.path, path) << d.to_string();
  EXPECT_EQ(d.message, message) << d.to_string();
}

const std::string kHeader =
    "apiVersion: argoproj.io/v1alpha1\n"
    "kind: Workflow\n"
    "metadata:\n"
    "  generateName: test-\n";

TEST(ParseSchemaErrors, UnknownFieldInSpec) {
  expect_error(only_error(kHeader + "spec:\n  entrypoint: main\n  templats: []\n"), 7, 3, "spec.templats",
               "unknown field \"templats\" (did you mean \"templates\"?)");
}

TEST(ParseSchemaErrors, UnknownTopLevelFieldWithoutSuggestion) {
  expect_error(only_error(kHeader + "spec: {}\nsurprise: 1\n"), 6, 1, "surprise", "unknown field \"surprise\"");
}

TEST(ParseSchemaErrors, UnknownFieldInTemplate) {
  const std::string yaml = kHeader +
                           "spec:\n"
                           "  templates:\n"
                           "    - name: a\n"
                           "      container: {image: busybox}\n"
                           "    - name: b\n"
                           "      contianer:\n"
                           "        image: busybox\n";
  expect_error(only_error(yaml), 10, 7, "spec.templates[1].contianer",
               "unknown field \"contianer\" (did you mean \"container\"?)");
}

TEST(ParseSchemaErrors, UnknownFieldInContainer) {
  const std::string yaml = kHeader +
                           "spec:\n"
                           "  templates:\n"
                           "    - name: a\n"
                           "      container:\n"
                           "        image: busybox\n"
                           "        comand: [echo]\n";
  expect_error(only_error(yaml), 10, 9, "spec.templates[0].container.comand",
               "unknown field \"comand\" (did you mean \"command\"?)");
}

TEST(ParseSchemaErrors, UnknownFieldInVolumeSource) {
  const std::string yaml = kHeader +
                           "spec:\n"
                           "  volumes:\n"
                           "    - name: data\n"
                           "      hostPath:\n"
                           "        path: /data\n"
                           "        kind: Directory\n";
  expect_error(only_error(yaml), 10, 9, "spec.volumes[0].hostPath.kind", "unknown field \"kind\"");
}

TEST(ParseSchemaErrors, UnknownFieldInAffinity) {
  const std::string yaml = kHeader +
                           "spec:\n"
                           "  affinity:\n"
                           "    nodeAffinity:\n"
                           "      requiredDuringSchedulingIgnoredDuringExecution:\n"
                           "        nodeSelectorTerms:\n"
                           "          - matchExpression:\n"
                           "              - {key: a, operator: Exists}\n";
  expect_error(only_error(yaml), 10, 13,
               "spec.affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution."
               "nodeSelectorTerms[0].matchExpression",
               "unknown field \"matchExpression\" (did you mean \"matchExpressions\"?)");
}

TEST(ParseSchemaErrors, UnknownFieldInDagTask) {
  const std::string yaml = kHeader +
                           "spec:\n"
                           "  templates:\n"
                           "    - name: main\n"
                           "      dag:\n"
                           "        tasks:\n"
                           "          - name: a\n"
                           "            template: x\n"
                           "          - name: b\n"
                           "            dependz: a\n";
  expect_error(only_error(yaml), 13, 13, "spec.templates[0].dag.tasks[1].dependz",
               "unknown field \"dependz\" (did you mean \"depends\"?)");
}

TEST(ParseSchemaErrors, StringWhereAListBelongs) {
  const std::string yaml = kHeader +
                           "spec:\n"
                           "  templates:\n"
                           "    - name: a\n"
                           "      container:\n"
                           "        image: busybox\n"
                           "        command: echo hello\n";
  expect_error(only_error(yaml), 10, 18, "spec.templates[0].container.command", "expected a list, got \"echo hello\"");
}

TEST(ParseSchemaErrors, MapWhereAStringBelongs) {
  const std::string yaml = kHeader +
                           "spec:\n"
                           "  entrypoint:\n"
                           "    name: main\n";
  expect_error(only_error(yaml), 7, 5, "spec.entrypoint", "expected a string, got a map");
}

TEST(ParseSchemaErrors, TextWhereAnIntegerBelongs) {
  expect_error(only_error(kHeader + "spec:\n  parallelism: abc\n"), 6, 16, "spec.parallelism",
               "expected an integer, got \"abc\"");
  expect_error(only_error(kHeader + "spec:\n  parallelism: \"2\"\n"), 6, 16, "spec.parallelism",
               "expected an integer, got \"2\"");
}

TEST(ParseSchemaErrors, ListWhereAMapBelongs) {
  expect_error(only_error(kHeader + "spec:\n  arguments:\n    - name: a\n"), 7, 5, "spec.arguments",
               "expected a map, got a list");
}

TEST(ParseSchemaErrors, NumberWhereAStringBelongs) {
  const std::string yaml = kHeader +
                           "spec:\n"
                           "  templates:\n"
                           "    - name: a\n"
                           "      suspend:\n"
                           "        duration: 20\n";
  expect_error(only_error(yaml), 9, 19, "spec.templates[0].suspend.duration",
               "expected a string, got the number 20 (quote it to make it a string)");
}

TEST(ParseSchemaErrors, BooleanFieldRejectsText) {
  expect_error(only_error(kHeader + "spec:\n  suspend: yes please\n"), 6, 12, "spec.suspend",
               "expected a boolean, got \"yes please\"");
}

TEST(ParseSchemaErrors, ParameterValuesAcceptAnyScalarButNotMaps) {
  const std::string ok = kHeader +
                         "spec:\n"
                         "  arguments:\n"
                         "    parameters:\n"
                         "      - {name: a, value: 1}\n"
                         "      - {name: b, value: 1.5, default: false, enum: [1, x, true]}\n";
  LoadResult result = load_string(ok, "wf.yaml");
  EXPECT_TRUE(result.errors.empty()) << dump(result.errors);
  ASSERT_EQ(result.documents.size(), 1u);
  EXPECT_EQ(result.documents[0].spec.arguments.parameters[1].value, "1.5");
  EXPECT_EQ(result.documents[0].spec.arguments.parameters[1].default_, "false");

  const std::string bad = kHeader +
                          "spec:\n"
                          "  arguments:\n"
                          "    parameters:\n"
                          "      - name: a\n"
                          "        value: {x: 1}\n";
  expect_error(only_error(bad), 9, 16, "spec.arguments.parameters[0].value", "expected a scalar value, got a map");
}

TEST(ParseSchemaErrors, StepsAreAListOfLists) {
  const std::string yaml = kHeader +
                           "spec:\n"
                           "  templates:\n"
                           "    - name: main\n"
                           "      steps:\n"
                           "        - name: a\n"
                           "          template: b\n";
  expect_error(only_error(yaml), 9, 11, "spec.templates[0].steps[0]", "expected a list, got a map");
}

TEST(ParseSchemaErrors, HooksAreAMapOfHooks) {
  const std::string yaml = kHeader +
                           "spec:\n"
                           "  hooks:\n"
                           "    exit:\n"
                           "      templat: cleanup\n";
  expect_error(only_error(yaml), 8, 7, "spec.hooks.exit.templat",
               "unknown field \"templat\" (did you mean \"template\"?)");
}

TEST(ParseSchemaErrors, ManifestMustBeYaml) {
  const std::string yaml = kHeader +
                           "spec:\n"
                           "  templates:\n"
                           "    - name: a\n"
                           "      resource:\n"
                           "        action: create\n"
                           "        manifest: \"kind: [unclosed\"\n";
  const Diagnostic d = only_error(yaml);
  EXPECT_EQ(d.path, "spec.templates[0].resource.manifest");
  EXPECT_EQ(d.where.line, 10);
  EXPECT_EQ(d.message.rfind("manifest is not valid YAML: ", 0), 0u) << d.message;
}

TEST(ParseSchemaErrors, LabelsAreStringMaps) {
  const std::string yaml =
      "apiVersion: argoproj.io/v1alpha1\n"
      "kind: Workflow\n"
      "metadata:\n"
      "  labels:\n"
      "    app.kubernetes.io/version: 1.0\n"
      "spec: {}\n";
  expect_error(only_error(yaml), 5, 32, "metadata.labels[\"app.kubernetes.io/version\"]",
               "expected a string, got the number 1.0 (quote it to make it a string)");
}

TEST(ParseSchemaErrors, EveryErrorIsReported) {
  const std::string yaml = kHeader +
                           "spec:\n"
                           "  entrypont: main\n"
                           "  parallelism: many\n"
                           "  templates:\n"
                           "    - name: a\n"
                           "      image: busybox\n";
  LoadResult result = load_string(yaml, "wf.yaml");
  ASSERT_EQ(result.errors.size(), 3u) << dump(result.errors);
  EXPECT_EQ(result.errors[0].to_string(),
            "wf.yaml:6:3: spec.entrypont: unknown field \"entrypont\" (did you mean \"entrypoint\"?)");
  EXPECT_EQ(result.errors[1].to_string(), "wf.yaml:7:16: spec.parallelism: expected an integer, got \"many\"");
  EXPECT_EQ(result.errors[2].to_string(), "wf.yaml:10:7: spec.templates[0].image: unknown field \"image\"");
}

TEST(ParseSchemaErrors, CronWorkflowFields) {
  const std::string yaml =
      "apiVersion: argoproj.io/v1alpha1\n"
      "kind: CronWorkflow\n"
      "metadata: {name: c}\n"
      "spec:\n"
      "  schedules: \"* * * * *\"\n"
      "  workflowSpec:\n"
      "    entrypoint: main\n";
  expect_error(only_error(yaml), 5, 14, "spec.schedules", "expected a list, got \"* * * * *\"");
}

TEST(ParseSchemaErrors, ConfigMapDataValuesAreStrings) {
  const std::string yaml =
      "apiVersion: v1\n"
      "kind: ConfigMap\n"
      "metadata: {name: c}\n"
      "data:\n"
      "  count: 3\n";
  expect_error(only_error(yaml), 5, 10, "data.count",
               "expected a string, got the number 3 (quote it to make it a string)");
}

TEST(ParseSchemaErrors, WorkflowStatusIsIgnored) {
  const std::string yaml = kHeader +
                           "spec: {entrypoint: a}\n"
                           "status:\n"
                           "  phase: Succeeded\n"
                           "  nodes: {a: {anything: [1, 2]}}\n";
  LoadResult result = load_string(yaml, "wf.yaml");
  EXPECT_TRUE(result.errors.empty()) << dump(result.errors);
  EXPECT_EQ(result.documents.size(), 1u);
}

}  // namespace
}  // namespace rampart::spec
