// The loader: YAML syntax errors, document kinds, multi-document files, files and folders.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "parse_test_support.h"

namespace rampart::spec {
namespace {

using testing::dump;

const std::string kWorkflow =
    "apiVersion: argoproj.io/v1alpha1\n"
    "kind: Workflow\n"
    "metadata:\n"
    "  name: wf\n"
    "spec:\n"
    "  entrypoint: main\n"
    "  templates:\n"
    "    - name: main\n"
    "      container:\n"
    "        image: busybox\n";

std::string only_message(const LoadResult& result) {
  EXPECT_EQ(result.errors.size(), 1u) << dump(result.errors);
  return result.errors.empty() ? "" : result.errors[0].to_string();
}

TEST(ParseLoader, IllegalMapValue) {
  EXPECT_EQ(only_message(load_string("apiVersion: v1\nkind: a: b\n", "wf.yaml")),
            "wf.yaml:2:8: invalid YAML: illegal map value");
}

TEST(ParseLoader, TabIndentation) {
  EXPECT_EQ(only_message(load_string("spec:\n\tentrypoint: main\n", "wf.yaml")),
            "wf.yaml:2:1: invalid YAML: tabs are not allowed for indentation");
}

TEST(ParseLoader, UnclosedQuote) {
  // yaml-cpp reports the end of the input, where it gave up looking for the closing quote.
  EXPECT_EQ(only_message(load_string("apiVersion: v1\nkind: \"ConfigMap\nmetadata: {}", "wf.yaml")),
            "wf.yaml:3:13: invalid YAML: illegal EOF in scalar");
}

TEST(ParseLoader, DuplicateKeys) {
  const std::string yaml = kWorkflow + "        image: alpine\n";
  EXPECT_EQ(only_message(load_string(yaml, "wf.yaml")),
            "wf.yaml:11:9: spec.templates[0].container.image: duplicate field \"image\" (first "
            "defined at line 10)");
}

TEST(ParseLoader, DuplicateKeysInFreeFormValues) {
  const std::string yaml = kWorkflow +
                           "  arguments:\n    parameters:\n      - {name: a, value: 1}\n"
                           "status: {phase: a, phase: b}\n";
  const std::string message = only_message(load_string(yaml, "wf.yaml"));
  EXPECT_NE(message.find("status.phase: duplicate field \"phase\""), std::string::npos) << message;
}

TEST(ParseLoader, DocumentMustBeAMap) {
  EXPECT_EQ(only_message(load_string("- a\n- b\n", "wf.yaml")),
            "wf.yaml:1:1: a document must be a map with apiVersion and kind, got a list");
  EXPECT_EQ(only_message(load_string("just text\n", "wf.yaml")),
            "wf.yaml:1:1: a document must be a map with apiVersion and kind, got \"just text\"");
}

TEST(ParseLoader, MissingKindAndApiVersion) {
  EXPECT_EQ(only_message(load_string("apiVersion: argoproj.io/v1alpha1\nspec: {}\n", "wf.yaml")),
            "wf.yaml:1:1: missing required field \"kind\"");
  EXPECT_EQ(only_message(load_string("\n\nkind: Workflow\nspec: {}\n", "wf.yaml")),
            "wf.yaml:3:1: missing required field \"apiVersion\"");
}

TEST(ParseLoader, UnsupportedApiVersion) {
  EXPECT_EQ(only_message(load_string("apiVersion: argoproj.io/v1\nkind: Workflow\n", "wf.yaml")),
            "wf.yaml:1:13: apiVersion: apiVersion \"argoproj.io/v1\" is not supported for kind "
            "Workflow (expected \"argoproj.io/v1alpha1\")");
  EXPECT_EQ(only_message(load_string("apiVersion: argoproj.io/v1alpha1\nkind: ConfigMap\n", "c.yaml")),
            "c.yaml:1:13: apiVersion: apiVersion \"argoproj.io/v1alpha1\" is not supported for kind "
            "ConfigMap (expected \"v1\")");
}

TEST(ParseLoader, MisspelledArgoKind) {
  EXPECT_EQ(only_message(load_string("apiVersion: argoproj.io/v1alpha1\nkind: Workflw\n", "wf.yaml")),
            "wf.yaml:2:7: kind: unknown kind \"Workflw\" (did you mean \"Workflow\"?)");
}

TEST(ParseLoader, OtherKindsAreSkipped) {
  const std::string yaml =
      "apiVersion: v1\nkind: Secret\nmetadata: {name: creds}\nstringData: {a: b}\n"
      "---\n"
      "apiVersion: argoproj.io/v1alpha1\nkind: WorkflowEventBinding\nmetadata: {name: e}\n"
      "spec: {event: {selector: x}}\n"
      "---\n"
      "apiVersion: v1\nkind: ResourceQuota\nmetadata: {name: q}\n";
  LoadResult result = load_string(yaml, "mixed.yaml");
  EXPECT_TRUE(result.errors.empty()) << dump(result.errors);
  EXPECT_TRUE(result.documents.empty());
  ASSERT_EQ(result.skipped.size(), 3u);
  EXPECT_EQ(result.skipped[0].kind, "Secret");
  EXPECT_EQ(result.skipped[0].name, "creds");
  EXPECT_EQ(result.skipped[0].file, "mixed.yaml");
  EXPECT_EQ(result.skipped[1].kind, "WorkflowEventBinding");
  EXPECT_EQ(result.skipped[1].index, 1);
  EXPECT_EQ(result.skipped[1].where.line, 6);
  EXPECT_EQ(result.skipped[2].kind, "ResourceQuota");
  EXPECT_EQ(result.skipped[2].api_version, "v1");
}

TEST(ParseLoader, MultipleDocumentsKeepFilePositions) {
  const std::string yaml = "---\n" + kWorkflow + "---\n# nothing here\n---\n" + kWorkflow + "      contianer: {}\n";
  LoadResult result = load_string(yaml, "multi.yaml");
  ASSERT_EQ(result.documents.size(), 1u);
  EXPECT_EQ(result.documents[0].source.document_index(), 0);
  EXPECT_EQ(result.documents[0].source.find("spec.templates[0].container.image").line, 11);
  ASSERT_EQ(result.errors.size(), 1u) << dump(result.errors);
  EXPECT_EQ(result.errors[0].to_string(),
            "multi.yaml:25:7: spec.templates[0].contianer: unknown field \"contianer\" (did you "
            "mean \"container\"?)");
}

TEST(ParseLoader, EmptyInputHasNoDocuments) {
  for (const char* text : {"", "---\n", "# only a comment\n", "---\n...\n---\n"}) {
    LoadResult result = load_string(text, "empty.yaml");
    EXPECT_TRUE(result.errors.empty()) << text << dump(result.errors);
    EXPECT_TRUE(result.documents.empty()) << text;
    EXPECT_EQ(result.files, (std::vector<std::string>{"empty.yaml"}));
  }
}

TEST(ParseLoader, JsonInput) {
  const std::string json = R"({"apiVersion": "argoproj.io/v1alpha1", "kind": "Workflow",
  "metadata": {"name": "j"},
  "spec": {"entrypoint": "a", "templates": [{"name": "a", "container": {"image": "busybox"}}]}})";
  LoadResult result = load_string(json, "wf.json");
  EXPECT_TRUE(result.errors.empty()) << dump(result.errors);
  ASSERT_EQ(result.documents.size(), 1u);
  EXPECT_EQ(result.documents[0].spec.templates.at(0).container->image, "busybox");
  EXPECT_EQ(result.documents[0].source.find("spec.templates[0].container.image").line, 3);
}

TEST(ParseLoader, RawJsonKeepsScalarTypes) {
  const std::string yaml = kWorkflow +
                           "        args: [\"1\", '2']\n"
                           "  arguments:\n"
                           "    parameters:\n"
                           "      - {name: a, value: 10}\n"
                           "      - {name: b, value: \"10\"}\n"
                           "      - {name: c, value: 1.5}\n"
                           "      - {name: d, value: true}\n"
                           "      - {name: e, value: 0x1F}\n"
                           "      - {name: f}\n";
  LoadResult result = load_string(yaml, "wf.yaml");
  ASSERT_TRUE(result.errors.empty()) << dump(result.errors);
  const Json& parameters = result.documents.at(0).raw["spec"]["arguments"]["parameters"];
  EXPECT_EQ(parameters[0]["value"], 10);
  EXPECT_EQ(parameters[1]["value"], "10");
  EXPECT_EQ(parameters[2]["value"], 1.5);
  EXPECT_EQ(parameters[3]["value"], true);
  EXPECT_EQ(parameters[4]["value"], 31);
  EXPECT_FALSE(parameters[5].contains("value"));
  const auto& typed = result.documents[0].spec.arguments.parameters;
  EXPECT_EQ(typed[0].value, "10");
  EXPECT_EQ(typed[4].value, "0x1F");  // as written
  EXPECT_FALSE(typed[5].value);
  EXPECT_EQ(result.documents[0].raw["spec"]["templates"][0]["container"]["args"], Json::parse(R"(["1", "2"])"));
}

TEST(ParseLoader, SourceMapCoversEveryNode) {
  LoadResult result = load_string(kWorkflow, "wf.yaml");
  ASSERT_EQ(result.documents.size(), 1u);
  const SourceMap& source = result.documents[0].source;
  EXPECT_EQ(source.file(), "wf.yaml");
  EXPECT_EQ(source.find("kind").line, 2);
  EXPECT_EQ(source.find("kind").column, 7);
  EXPECT_EQ(source.find("metadata.name").line, 4);
  EXPECT_EQ(source.find("spec.templates[0]").line, 8);
  EXPECT_EQ(source.find("spec.templates[0].container").line, 9);
  EXPECT_EQ(source.find("spec.templates[0].container.image").line, 10);
  EXPECT_EQ(source.find("spec.templates[0].container.image").column, 16);
  // A missing field points at its nearest ancestor.
  EXPECT_EQ(source.find("spec.templates[0].container.command").line, 9);
  const Diagnostic d = source.diagnose("spec.templates[0].container.image", "bad image");
  EXPECT_EQ(d.to_string(), "wf.yaml:10:16: spec.templates[0].container.image: bad image");
}

TEST(ParseLoader, AnchorsAliasesAndMergeKeys) {
  const std::string yaml =
      "apiVersion: argoproj.io/v1alpha1\n"
      "kind: Workflow\n"
      "metadata: {name: wf}\n"
      "x-defaults: &defaults\n"  // not an Argo field: rejected, as Argo would
      "  image: busybox\n"
      "spec:\n"
      "  templates:\n"
      "    - name: a\n"
      "      container:\n"
      "        <<: *defaults\n"
      "        command: [echo]\n";
  EXPECT_EQ(only_message(load_string(yaml, "wf.yaml")), "wf.yaml:4:1: x-defaults: unknown field \"x-defaults\"");

  const std::string merged =
      "apiVersion: argoproj.io/v1alpha1\n"
      "kind: Workflow\n"
      "metadata: {name: wf}\n"
      "spec:\n"
      "  templates:\n"
      "    - name: a\n"
      "      container: &c\n"
      "        image: busybox\n"
      "        args: [a]\n"
      "    - name: b\n"
      "      container:\n"
      "        <<: [*c, {image: ignored, workingDir: /w}]\n"
      "        args: [b]\n"
      "    - name: c\n"
      "      container: *c\n";
  LoadResult result = load_string(merged, "wf.yaml");
  ASSERT_TRUE(result.errors.empty()) << dump(result.errors);
  const auto& templates = result.documents.at(0).spec.templates;
  EXPECT_EQ(templates[1].container->image, "busybox");  // earlier merge sources win
  EXPECT_EQ(templates[1].container->working_dir, "/w");
  EXPECT_EQ(templates[1].container->args, (std::vector<std::string>{"b"}));
  EXPECT_EQ(templates[2].container->args, (std::vector<std::string>{"a"}));

  const std::string bad_merge = "apiVersion: argoproj.io/v1alpha1\nkind: Workflow\nspec:\n  <<: 3\n";
  EXPECT_EQ(only_message(load_string(bad_merge, "wf.yaml")),
            "wf.yaml:4:7: spec[\"<<\"]: a merge key (<<) takes a map or a list of maps, got \"3\"");
}

TEST(ParseLoader, UnreadableFile) {
  LoadResult result = load_file("/nonexistent/wf.yaml");
  EXPECT_EQ(only_message(result), "/nonexistent/wf.yaml: cannot read file: No such file or directory");
  EXPECT_TRUE(result.files.empty());
  EXPECT_EQ(only_message(load_file("/")), "/: cannot read file: Is a directory");
}

TEST(ParseLoader, FoldersAreWalkedInOrder) {
  const auto dir = std::filesystem::temp_directory_path() / ("rampart-parse-" + std::to_string(::getpid()));
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir / "b" / "nested");
  auto write = [&](const std::filesystem::path& path, const std::string& text) { std::ofstream(dir / path) << text; };
  write("b/nested/z.yml", kWorkflow);
  write("b/a.json", R"({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "c"}})");
  write("a.yaml", kWorkflow);
  write("notes.txt", "not yaml: [");
  LoadResult result = load_paths({dir.string(), (dir / "missing.yaml").string()});
  std::filesystem::remove_all(dir);
  ASSERT_EQ(result.files.size(), 3u);
  EXPECT_EQ(result.files[0], (dir / "a.yaml").string());
  EXPECT_EQ(result.files[1], (dir / "b/a.json").string());
  EXPECT_EQ(result.files[2], (dir / "b/nested/z.yml").string());
  ASSERT_EQ(result.documents.size(), 3u);
  EXPECT_EQ(result.documents[1].kind, Kind::ConfigMap);
  EXPECT_EQ(only_message(result), (dir / "missing.yaml").string() + ": cannot read file: No such file or directory");
}

TEST(ParseLoader, AppendMovesEverything) {
  LoadResult a = load_string(kWorkflow, "a.yaml");
  LoadResult b = load_string("apiVersion: v1\nkind: Secret\n---\n- x\n", "b.yaml");
  a.append(std::move(b));
  EXPECT_EQ(a.documents.size(), 1u);
  EXPECT_EQ(a.skipped.size(), 1u);
  EXPECT_EQ(a.errors.size(), 1u);
  EXPECT_EQ(a.files, (std::vector<std::string>{"a.yaml", "b.yaml"}));
}

TEST(ParseLoader, KindNames) {
  EXPECT_STREQ(to_string(Kind::ClusterWorkflowTemplate), "ClusterWorkflowTemplate");
  EXPECT_STREQ(to_string(Kind::ConfigMap), "ConfigMap");
  EXPECT_STREQ(to_string(TemplateKind::Dag), "DAG");
  EXPECT_STREQ(to_string(TemplateKind::ContainerSet), "ContainerSet");
  EXPECT_STREQ(to_string(TemplateKind::Unknown), "Unknown");
}

TEST(ParseLoader, TemplateKindIsTheFirstBodyPresent) {
  const std::string yaml =
      "apiVersion: argoproj.io/v1alpha1\nkind: Workflow\nspec:\n  templates:\n"
      "    - name: two-bodies\n      suspend: {}\n      script: {image: python, source: x}\n"
      "    - name: none\n";
  LoadResult result = load_string(yaml, "wf.yaml");
  ASSERT_TRUE(result.errors.empty()) << dump(result.errors);
  const auto& templates = result.documents.at(0).spec.templates;
  EXPECT_EQ(templates[0].kind, TemplateKind::Script);
  EXPECT_TRUE(templates[0].suspend);
  EXPECT_EQ(templates[0].script->source, "x");
  EXPECT_EQ(templates[1].kind, TemplateKind::Unknown);
}

TEST(ParseLoader, SingularLocksAreFolded) {
  const std::string yaml =
      "apiVersion: argoproj.io/v1alpha1\nkind: Workflow\nspec:\n  synchronization:\n"
      "    mutex: {name: one}\n    mutexes: [{name: two}]\n"
      "    semaphore: {configMapKeyRef: {name: c, key: k}}\n"
      "    semaphores: [{database: {key: db}}]\n";
  LoadResult result = load_string(yaml, "wf.yaml");
  ASSERT_TRUE(result.errors.empty()) << dump(result.errors);
  const Synchronization& sync = *result.documents.at(0).spec.synchronization;
  ASSERT_EQ(sync.mutexes.size(), 2u);
  EXPECT_EQ(sync.mutexes[0].name, "one");
  EXPECT_EQ(sync.mutexes[1].name, "two");
  ASSERT_EQ(sync.semaphores.size(), 2u);
  EXPECT_EQ(sync.semaphores[0].config_map_key_ref->key, "k");
  EXPECT_TRUE(sync.semaphores[1].database);
}

}  // namespace
}  // namespace rampart::spec
