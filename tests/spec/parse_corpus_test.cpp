// Every conformance example loads without a diagnostic, and decodes to the values it spells.
#include <gtest/gtest.h>

#include <filesystem>

#include "parse_test_support.h"

namespace rampart::spec {
namespace {

using testing::dump;
using testing::kCorpusDir;

const Document& only_document(const LoadResult& result) {
  EXPECT_EQ(result.documents.size(), 1u) << dump(result.errors);
  return result.documents.at(0);
}

LoadResult load_example(const std::string& name) {
  LoadResult result = load_file(kCorpusDir + "/" + name);
  EXPECT_TRUE(result.errors.empty()) << dump(result.errors);
  return result;
}

const Template& find_template(const WorkflowSpec& spec, const std::string& name) {
  for (const Template& t : spec.templates) {
    if (t.name == name) return t;
  }
  throw std::runtime_error("no template " + name);
}

TEST(ParseCorpus, EveryExampleLoadsCleanly) {
  ASSERT_TRUE(std::filesystem::is_directory(kCorpusDir)) << kCorpusDir;
  LoadResult all = load_paths({kCorpusDir});
  EXPECT_TRUE(all.errors.empty()) << dump(all.errors);
  EXPECT_EQ(all.files.size(), 93u);
  EXPECT_GE(all.documents.size(), 92u);
  ASSERT_EQ(all.skipped.size(), 1u);
  EXPECT_EQ(all.skipped[0].kind, "PersistentVolumeClaim");
  EXPECT_EQ(all.skipped[0].name, "my-existing-volume");
}

TEST(ParseCorpus, EachFileLoadsCleanlyOnItsOwn) {
  for (const auto& entry : std::filesystem::recursive_directory_iterator(kCorpusDir)) {
    const auto extension = entry.path().extension();
    if (extension != ".yaml" && extension != ".yml") continue;
    LoadResult result = load_file(entry.path().string());
    EXPECT_TRUE(result.errors.empty()) << entry.path() << "\n" << dump(result.errors);
    EXPECT_EQ(result.documents.size() + result.skipped.size() > 0, true) << entry.path();
    for (const Document& document : result.documents) {
      EXPECT_TRUE(document.raw.is_object());
      EXPECT_GT(document.source.find("kind").line, 0) << entry.path();
    }
  }
}

TEST(ParseCorpus, HelloWorld) {
  const LoadResult result = load_example("hello-world.yaml");
  const Document& doc = only_document(result);
  EXPECT_EQ(doc.kind, Kind::Workflow);
  EXPECT_EQ(doc.api_version, "argoproj.io/v1alpha1");
  EXPECT_EQ(doc.metadata.generate_name, "hello-world-");
  EXPECT_EQ(doc.spec.entrypoint, "hello-world");
  ASSERT_EQ(doc.spec.templates.size(), 1u);
  const Template& t = doc.spec.templates[0];
  EXPECT_EQ(t.kind, TemplateKind::Container);
  ASSERT_TRUE(t.container);
  EXPECT_EQ(t.container->image, "busybox");
  EXPECT_EQ(t.container->command, (std::vector<std::string>{"echo"}));
  EXPECT_EQ(t.container->args, (std::vector<std::string>{"hello world"}));
  EXPECT_EQ(doc.raw["spec"]["templates"][0]["container"]["image"], "busybox");
  const SourceLocation image = doc.source.find("spec.templates[0].container.image");
  EXPECT_GT(image.line, 1);
  EXPECT_GT(image.column, 1);
  EXPECT_EQ(doc.source.file(), kCorpusDir + "/hello-world.yaml");
}

TEST(ParseCorpus, DagDepends) {
  const LoadResult doc_result = load_example("dag-enhanced-depends.yaml");
  const Document& doc = only_document(doc_result);
  const Template* dag = nullptr;
  for (const Template& t : doc.spec.templates) {
    if (t.kind == TemplateKind::Dag) dag = &t;
  }
  ASSERT_NE(dag, nullptr);
  ASSERT_GE(dag->dag->tasks.size(), 4u);
  EXPECT_EQ(dag->dag->tasks[0].name, "A");
  bool saw_depends = false;
  for (const DagTask& task : dag->dag->tasks) saw_depends |= !task.depends.empty();
  EXPECT_TRUE(saw_depends);
}

TEST(ParseCorpus, DiamondDependencies) {
  const LoadResult doc_result = load_example("dag-diamond.yaml");
  const Document& doc = only_document(doc_result);
  const Template& diamond = find_template(doc.spec, "diamond");
  ASSERT_TRUE(diamond.dag);
  const auto& tasks = diamond.dag->tasks;
  ASSERT_EQ(tasks.size(), 4u);
  EXPECT_EQ(tasks[3].name, "D");
  EXPECT_FALSE(tasks[3].depends.empty() && tasks[3].dependencies.empty());
}

TEST(ParseCorpus, StepsGroupsAndLoops) {
  const LoadResult doc_result = load_example("loops-maps.yaml");
  const Document& doc = only_document(doc_result);
  const Template* steps = nullptr;
  for (const Template& t : doc.spec.templates) {
    if (t.kind == TemplateKind::Steps) steps = &t;
  }
  ASSERT_NE(steps, nullptr);
  ASSERT_EQ(steps->steps->size(), 1u);
  const WorkflowStep& step = steps->steps->at(0).at(0);
  ASSERT_TRUE(step.with_items);
  ASSERT_FALSE(step.with_items->empty());
  EXPECT_TRUE(step.with_items->at(0).is_object()) << step.with_items->at(0).dump();
}

TEST(ParseCorpus, RetryLimit) {
  const LoadResult doc_result = load_example("retry-container.yaml");
  const Document& doc = only_document(doc_result);
  ASSERT_TRUE(doc.spec.templates.at(0).retry_strategy);
  ASSERT_TRUE(doc.spec.templates[0].retry_strategy->limit);
  EXPECT_EQ(*doc.spec.templates[0].retry_strategy->limit, "10");
}

TEST(ParseCorpus, ExitHooks) {
  const LoadResult doc_result = load_example("exit-handler-step-level.yaml");
  const Document& doc = only_document(doc_result);
  bool saw_hook = false;
  for (const Template& t : doc.spec.templates) {
    if (!t.steps) continue;
    for (const auto& group : *t.steps) {
      for (const WorkflowStep& step : group) {
        for (const LifecycleHook& hook : step.hooks) {
          saw_hook = true;
          EXPECT_EQ(hook.name, "exit");
          EXPECT_FALSE(hook.template_.empty());
        }
      }
    }
  }
  EXPECT_TRUE(saw_hook);
}

TEST(ParseCorpus, Synchronization) {
  const LoadResult doc_result = load_example("synchronization-mutex-wf-level.yaml");
  const Document& doc = only_document(doc_result);
  ASSERT_TRUE(doc.spec.synchronization);
  ASSERT_EQ(doc.spec.synchronization->mutexes.size(), 1u);
  EXPECT_FALSE(doc.spec.synchronization->mutexes[0].name.empty());

  const LoadResult tmpl_result = load_example("synchronization-tmpl-level.yaml");
  const Document& tmpl = only_document(tmpl_result);
  bool saw_semaphore = false;
  for (const Template& t : tmpl.spec.templates) {
    if (t.synchronization && !t.synchronization->semaphores.empty()) {
      saw_semaphore = true;
      EXPECT_TRUE(t.synchronization->semaphores[0].config_map_key_ref);
    }
  }
  EXPECT_TRUE(saw_semaphore);
}

TEST(ParseCorpus, ConfigMapData) {
  const LoadResult result = load_example("configmaps/simple-parameters-configmap.yaml");
  const Document& doc = only_document(result);
  EXPECT_EQ(doc.kind, Kind::ConfigMap);
  EXPECT_EQ(doc.api_version, "v1");
  EXPECT_EQ(doc.metadata.name, "simple-parameters");
  EXPECT_EQ(doc.data.at("msg"), "hello world");
  EXPECT_EQ(doc.metadata.labels.at("workflows.argoproj.io/configmap-type"), "Parameter");
}

TEST(ParseCorpus, PersistentVolumeClaimIsSkipped) {
  const LoadResult result = load_example("testvolume.yaml");
  EXPECT_TRUE(result.documents.empty());
  ASSERT_EQ(result.skipped.size(), 1u);
  EXPECT_EQ(result.skipped[0].kind, "PersistentVolumeClaim");
  EXPECT_EQ(result.skipped[0].api_version, "v1");
  EXPECT_EQ(result.skipped[0].index, 0);
  EXPECT_EQ(result.skipped[0].where.line, 5);  // comments come first
}

TEST(ParseCorpus, WorkflowTemplatesAndContainerSets) {
  const LoadResult templates = load_example("workflow-template/templates.yaml");
  ASSERT_FALSE(templates.documents.empty());
  for (const Document& doc : templates.documents) EXPECT_EQ(doc.kind, Kind::WorkflowTemplate);

  const LoadResult set_result = load_example("container-set-template/graph-workflow.yaml");
  const Document& set = only_document(set_result);
  const Template* container_set = nullptr;
  for (const Template& t : set.spec.templates) {
    if (t.kind == TemplateKind::ContainerSet) container_set = &t;
  }
  ASSERT_NE(container_set, nullptr);
  bool saw_dependencies = false;
  for (const ContainerNode& node : container_set->container_set->containers) {
    saw_dependencies |= !node.dependencies.empty();
  }
  EXPECT_TRUE(saw_dependencies);
}

}  // namespace
}  // namespace rampart::spec
