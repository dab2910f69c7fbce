// Hostile input: deep nesting, alias bombs, cycles, binary junk. Diagnostics, never crashes.
#include <gtest/gtest.h>

#include "parse_test_support.h"
#include "spec/decode_guard.h"
#include "spec/schema.h"

namespace rampart::spec {
namespace {

using testing::dump;

bool mentions(const LoadResult& result, const std::string& text) {
  for (const Diagnostic& d : result.errors) {
    if (d.message.find(text) != std::string::npos) return true;
  }
  return false;
}

TEST(ParseLimits, DeepFlowNestingIsRefusedBeforeParsing) {
  const std::string deep = std::string(100000, '[') + std::string(100000, ']');
  LoadResult result = load_string(deep, "deep.yaml");
  ASSERT_EQ(result.errors.size(), 1u) << dump(result.errors);
  EXPECT_EQ(result.errors[0].to_string(), "deep.yaml:1:256: invalid YAML: nesting deeper than 256 levels");
}

TEST(ParseLimits, DeepBlockNestingIsRefused) {
  std::string deep;
  for (int i = 0; i < 300; ++i) deep += std::string(i, ' ') + "k:\n";
  EXPECT_TRUE(mentions(load_string(deep, "deep.yaml"), "nesting deeper than 256 levels"));
  std::string dashes;
  for (int i = 0; i < 300; ++i) dashes += "- ";
  EXPECT_TRUE(mentions(load_string(dashes + "x\n", "deep.yaml"), "nesting deeper than 256 levels"));
}

TEST(ParseLimits, ScriptsMayHoldAnyBrackets) {
  const std::string yaml =
      "apiVersion: argoproj.io/v1alpha1\nkind: Workflow\nspec:\n  templates:\n"
      "    - name: a\n      script:\n        image: python\n        source: |\n"
      "          print(\"" +
      std::string(400, '[') +
      "\")\n"
      "        command: [python]\n";
  LoadResult result = load_string(yaml, "wf.yaml");
  EXPECT_TRUE(result.errors.empty()) << dump(result.errors);
  EXPECT_EQ(result.documents.size(), 1u);
}

TEST(ParseLimits, QuotedBracketsDoNotCount) {
  EXPECT_FALSE(find_excessive_nesting("a: \"" + std::string(400, '{') + "\"\n", 256));
  EXPECT_FALSE(find_excessive_nesting("a: '" + std::string(400, '[') + "'\n", 256));
  EXPECT_TRUE(find_excessive_nesting("a: " + std::string(400, '[') + "\n", 256));
}

TEST(ParseLimits, AliasBombIsBounded) {
  std::string yaml = "apiVersion: argoproj.io/v1alpha1\nkind: Workflow\nstatus:\n";
  yaml += "  a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n";
  for (int i = 1; i < 10; ++i) {
    const std::string prev = "*a" + std::to_string(i - 1);
    yaml += "  a" + std::to_string(i) + ": &a" + std::to_string(i) + " [" + prev;
    for (int j = 0; j < 9; ++j) yaml += ", " + prev;
    yaml += "]\n";
  }
  LoadResult result = load_string(yaml, "bomb.yaml");
  EXPECT_TRUE(result.documents.empty());
  EXPECT_TRUE(mentions(result, "values once aliases are expanded")) << dump(result.errors);
}

TEST(ParseLimits, CyclicAliasesAreBounded) {
  LoadResult list = load_string("apiVersion: argoproj.io/v1alpha1\nkind: Workflow\nstatus: &a [*a]\n", "cycle.yaml");
  EXPECT_TRUE(list.documents.empty());
  EXPECT_FALSE(list.errors.empty());
  // A map merged into itself contributes nothing new: it loads.
  LoadResult merge = load_string(
      "apiVersion: argoproj.io/v1alpha1\nkind: Workflow\nspec: &s\n  entrypoint: a\n  <<: *s\n", "cycle.yaml");
  EXPECT_TRUE(merge.errors.empty()) << dump(merge.errors);
  ASSERT_EQ(merge.documents.size(), 1u);
  EXPECT_EQ(merge.documents[0].spec.entrypoint, "a");
}

TEST(ParseLimits, MergeChainsAreBounded) {
  // Each level merges the previous one twice: 2^40 visits without de-duplication.
  std::string yaml = "apiVersion: argoproj.io/v1alpha1\nkind: Workflow\nstatus:\n  m0: &m0 {a: 1}\n";
  for (int i = 1; i < 40; ++i) {
    const std::string prev = "*m" + std::to_string(i - 1);
    yaml += "  m" + std::to_string(i) + ": &m" + std::to_string(i) + " {<<: [" + prev + ", " + prev + "], k" +
            std::to_string(i) + ": 1}\n";
  }
  LoadResult result = load_string(yaml, "chain.yaml");
  EXPECT_TRUE(result.errors.empty()) << dump(result.errors);
}

TEST(ParseLimits, BinaryJunkIsADiagnostic) {
  const std::string junk("\x00\xff\xfe{[\"\x01\n\t- ?:", 14);
  LoadResult result = load_string(junk, "junk.yaml");
  EXPECT_TRUE(result.documents.empty());
  EXPECT_FALSE(result.errors.empty());
}

TEST(ParseLimits, ErrorsPerDocumentAreCapped) {
  std::string yaml = "apiVersion: argoproj.io/v1alpha1\nkind: Workflow\nspec:\n  templates:\n";
  for (int i = 0; i < 500; ++i) yaml += "    - bogus: " + std::to_string(i) + "\n";
  LoadResult result = load_string(yaml, "wf.yaml");
  EXPECT_LE(result.errors.size(), 101u);
  EXPECT_TRUE(mentions(result, "too many errors"));
}

TEST(ParseSchemaTable, ArgoTableIsWellFormed) {
  const Schema& schema = Schema::argo();
  for (const char* type : {"Workflow", "WorkflowTemplate", "ClusterWorkflowTemplate", "CronWorkflow", "ConfigMap",
                           "Template", "Container", "Volume", "Affinity"}) {
    EXPECT_NE(schema.find(type), nullptr) << type;
  }
  // Embedding: a script is a container plus its source.
  const SchemaStruct* script = schema.find("ScriptTemplate");
  ASSERT_NE(script, nullptr);
  EXPECT_NE(script->find("image"), nullptr);
  EXPECT_NE(script->find("source"), nullptr);
  EXPECT_EQ(schema.find("Container")->find("source"), nullptr);
  EXPECT_NE(schema.find("UserContainer")->find("mirrorVolumeMounts"), nullptr);
  const SchemaField* steps = schema.find("Template")->find("steps");
  ASSERT_NE(steps, nullptr);
  EXPECT_EQ(steps->type->form, SchemaType::Form::List);
  EXPECT_EQ(steps->type->element->form, SchemaType::Form::List);
  EXPECT_EQ(steps->type->element->element->name, "WorkflowStep");
  EXPECT_GE(schema.find("Volume")->fields.size(), 30u);
}

TEST(ParseSchemaTable, MalformedTablesAreRejected) {
  EXPECT_THROW(Schema("A\n  b:Missing\n"), std::invalid_argument);
  EXPECT_THROW(Schema("A\n  b\n"), std::invalid_argument);
  EXPECT_THROW(Schema("A\n  ...A\n"), std::invalid_argument);
  EXPECT_THROW(Schema("A\n  b:int b:string\n"), std::invalid_argument);
  EXPECT_THROW(Schema("  b:int\n"), std::invalid_argument);
  const Schema tiny("Pair # comment\n  first:int second:[{string}]\n");
  EXPECT_EQ(tiny.find("Pair")->fields.size(), 2u);
}

TEST(ParseSchemaTable, EditDistance) {
  EXPECT_EQ(edit_distance("container", "contianer"), 2u);
  EXPECT_EQ(edit_distance("", "abc"), 3u);
  EXPECT_EQ(edit_distance("depends", "depends"), 0u);
  EXPECT_EQ(edit_distance("kind", "king"), 1u);
}

}  // namespace
}  // namespace rampart::spec

namespace rampart::spec {
namespace {

// yaml-cpp 0.7 would loop forever on these; found by the fuzzer.
TEST(ParseLimits, StrayCommaAfterADocumentValue) {
  for (const char* text : {"\"\",", "'a' ,", "[a],", "{a: b}, c", "# c\n\"x\"\n,"}) {
    LoadResult result = load_string(text, "comma.yaml");
    ASSERT_EQ(result.errors.size(), 1u) << text << testing::dump(result.errors);
    EXPECT_EQ(result.errors[0].message, "invalid YAML: unexpected \",\" after a complete value");
  }
  EXPECT_EQ(load_string("[a],", "comma.yaml").errors.at(0).to_string(),
            "comma.yaml:1:4: invalid YAML: unexpected \",\" after a complete value");
}

}  // namespace
}  // namespace rampart::spec
