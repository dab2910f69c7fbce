// Realistic workflows using features the conformance corpus does not: they load cleanly and
// decode into the typed model.
#include <gtest/gtest.h>

#include <filesystem>

#include "parse_test_support.h"

namespace rampart::spec {
namespace {

using testing::dump;
using testing::kValidDir;

LoadResult load_valid(const std::string& name) {
  LoadResult result = load_file(kValidDir + "/" + name);
  EXPECT_TRUE(result.errors.empty()) << dump(result.errors);
  return result;
}

const Template& find_template(const WorkflowSpec& spec, const std::string& name) {
  for (const Template& t : spec.templates) {
    if (t.name == name) return t;
  }
  throw std::runtime_error("no template " + name);
}

TEST(ParseValid, EveryFixtureLoadsCleanly) {
  LoadResult all = load_paths({kValidDir});
  EXPECT_TRUE(all.errors.empty()) << dump(all.errors);
  EXPECT_GE(all.files.size(), 7u);
  EXPECT_TRUE(all.skipped.empty());
}

TEST(ParseValid, HttpDataAndPluginTemplates) {
  const LoadResult result = load_valid("http-data-plugin.yaml");
  ASSERT_EQ(result.documents.size(), 1u);
  const WorkflowSpec& spec = result.documents[0].spec;

  ASSERT_EQ(spec.arguments.parameters.size(), 3u);
  EXPECT_EQ(spec.arguments.parameters[1].value, "3");
  EXPECT_EQ(spec.arguments.parameters[2].value, "true");
  EXPECT_EQ(spec.arguments.parameters[2].enum_, (std::vector<std::string>{"true", "false"}));

  const Template& fetch = find_template(spec, "fetch");
  EXPECT_EQ(fetch.kind, TemplateKind::Http);
  EXPECT_EQ(fetch.http->method, "POST");
  EXPECT_EQ(fetch.http->timeout_seconds, 20);
  EXPECT_TRUE(fetch.http->insecure_skip_verify);
  ASSERT_EQ(fetch.http->headers.size(), 2u);
  ASSERT_TRUE(fetch.http->headers[1].secret_key_ref);
  EXPECT_EQ(fetch.http->headers[1].secret_key_ref->key, "token");
  EXPECT_EQ(fetch.http->body, R"({"name": "rampart"})");

  const Template& data = find_template(spec, "list-files");
  EXPECT_EQ(data.kind, TemplateKind::Data);
  EXPECT_EQ(data.data->source["artifactPaths"]["s3"]["bucket"], "my-bucket");
  EXPECT_EQ(data.data->source["artifactPaths"]["s3"]["insecure"], true);
  EXPECT_EQ(data.data->transformation.size(), 2u);

  const Template& plugin = find_template(spec, "hello-plugin");
  EXPECT_EQ(plugin.kind, TemplateKind::Plugin);
  EXPECT_EQ(plugin.plugin["hello"]["options"]["times"], 2);

  const Template& main = find_template(spec, "main");
  EXPECT_EQ(main.dag->fail_fast, false);
  EXPECT_EQ(main.dag->tasks[2].depends, "list");
}

TEST(ParseValid, ResourceTemplates) {
  const LoadResult result = load_valid("resource-manifest.yaml");
  const WorkflowSpec& spec = result.documents.at(0).spec;
  const Template& pi = find_template(spec, "pi");
  EXPECT_EQ(pi.kind, TemplateKind::Resource);
  EXPECT_EQ(pi.resource->action, "create");
  EXPECT_EQ(pi.resource->set_owner_reference, true);
  EXPECT_EQ(pi.resource->flags, (std::vector<std::string>{"--validate=false"}));
  EXPECT_NE(pi.resource->manifest.find("kind: Job"), std::string::npos);
  const Template& patch = find_template(spec, "patch-from-artifact");
  EXPECT_EQ(patch.resource->manifest_from["artifact"]["name"], "manifest");
  ASSERT_TRUE(patch.inputs.artifacts.at(0).raw_data);
  EXPECT_NE(patch.inputs.artifacts[0].raw_data->find("name: patched"), std::string::npos);
}

TEST(ParseValid, ContainerSetWithRetries) {
  const LoadResult result = load_valid("container-set-retry.yaml");
  const Template& t = result.documents.at(0).spec.templates.at(0);
  EXPECT_EQ(t.kind, TemplateKind::ContainerSet);
  ASSERT_TRUE(t.container_set->retry_strategy);
  EXPECT_EQ(t.container_set->retry_strategy->retries, "2");
  EXPECT_EQ(t.container_set->retry_strategy->duration, "5s");
  ASSERT_EQ(t.container_set->containers.size(), 2u);
  EXPECT_EQ(t.container_set->containers[1].dependencies, (std::vector<std::string>{"prepare"}));
  EXPECT_EQ(t.container_set->containers[1].container.resources.limits.at("cpu"), "1");
  EXPECT_EQ(t.container_set->volume_mounts.at(0).mount_path, "/workspace");
  ASSERT_TRUE(t.retry_strategy);
  EXPECT_EQ(t.retry_strategy->limit, "3");
  EXPECT_EQ(t.retry_strategy->backoff->factor, "2");
  EXPECT_EQ(t.retry_strategy->backoff->cap, "30s");
  EXPECT_TRUE(t.retry_strategy->affinity.contains("nodeAntiAffinity"));
  ASSERT_EQ(t.volumes.size(), 1u);
  EXPECT_EQ(t.volumes[0].source, Json::parse(R"({"emptyDir": {}})"));
}

TEST(ParseValid, PodSettings) {
  const LoadResult result = load_valid("pod-settings.yaml");
  const Document& doc = result.documents.at(0);
  const WorkflowSpec& spec = doc.spec;
  EXPECT_EQ(doc.metadata.namespace_, "argo");
  EXPECT_EQ(spec.pod_gc->strategy, "OnPodSuccess");
  EXPECT_EQ(spec.pod_gc->label_selector["matchLabels"]["keep"], "false");
  EXPECT_EQ(spec.ttl_strategy->seconds_after_success, 60);
  EXPECT_EQ(spec.active_deadline_seconds, 600);
  EXPECT_EQ(spec.tolerations.size(), 2u);
  EXPECT_EQ(spec.tolerations[1]["tolerationSeconds"], 300);
  EXPECT_EQ(spec.affinity["podAntiAffinity"]["preferredDuringSchedulingIgnoredDuringExecution"][0]["weight"], 100);
  EXPECT_EQ(spec.security_context["fsGroup"], 2000);
  EXPECT_EQ(spec.node_selector.at("kubernetes.io/os"), "linux");
  EXPECT_EQ(spec.volume_claim_templates[0]["spec"]["resources"]["requests"]["storage"], "1Gi");
  EXPECT_EQ(spec.workflow_metadata->labels.at("owner"), "rampart");
  EXPECT_TRUE(spec.workflow_metadata->extra.contains("labelsFrom"));
  ASSERT_EQ(spec.volumes.size(), 10u);
  EXPECT_EQ(spec.volumes[0].name, "config");
  EXPECT_EQ(spec.volumes[0].source["configMap"]["defaultMode"], 420);  // 0644 is octal
  EXPECT_EQ(spec.volumes[3].source["nfs"]["server"], "nfs.example.com");
  EXPECT_EQ(spec.metrics->prometheus.size(), 3u);
  EXPECT_EQ(spec.pod_disruption_budget["minAvailable"], 1);

  const Template& main = spec.templates.at(0);
  EXPECT_EQ(main.active_deadline_seconds, "{{workflow.parameters.deadline}}");
  EXPECT_EQ(main.memoize->config_map_name, "main-cache");
  EXPECT_EQ(main.memoize->max_age, "10m");
  EXPECT_EQ(main.synchronization->semaphores.at(0).config_map_key_ref->key, "main");
  EXPECT_EQ(main.synchronization->mutexes.at(0).namespace_, "argo");
  EXPECT_TRUE(main.init_containers.at(0).mirror_volume_mounts);
  EXPECT_EQ(main.sidecars.at(0).ports.at(0).container_port, 9901);
  EXPECT_EQ(main.sidecars[0].probes["readinessProbe"]["httpGet"]["port"], "admin");

  const Container& c = *main.container;
  EXPECT_EQ(c.image_pull_policy, "IfNotPresent");
  EXPECT_EQ(c.working_dir, "/work");
  ASSERT_EQ(c.env.size(), 4u);
  EXPECT_EQ(c.env[0].value, "batch");
  EXPECT_EQ(c.env[1].field_ref["fieldPath"], "metadata.name");
  EXPECT_EQ(c.env[2].secret_key_ref->name, "app-creds");
  EXPECT_EQ(c.env[3].resource_field_ref["resource"], "limits.cpu");
  EXPECT_EQ(c.env_from.size(), 2u);
  EXPECT_EQ(c.resources.requests.at("cpu"), "250m");
  EXPECT_EQ(c.resources.limits.at("nvidia.com/gpu"), "1");
  ASSERT_TRUE(c.security_context);
  EXPECT_EQ(c.security_context->run_as_user, 1000);
  EXPECT_EQ(c.security_context->read_only_root_filesystem, true);
  EXPECT_EQ(c.security_context->capabilities_drop, (std::vector<std::string>{"ALL"}));
  EXPECT_EQ(c.security_context->extra["seccompProfile"]["type"], "Localhost");
  EXPECT_EQ(c.probes["livenessProbe"]["initialDelaySeconds"], 5);
  EXPECT_TRUE(c.probes.contains("startupProbe"));
  EXPECT_EQ(c.lifecycle["preStop"]["sleep"]["seconds"], 2);
  EXPECT_EQ(c.volume_mounts.at(1).sub_path, "settings.json");
  EXPECT_TRUE(c.volume_mounts.at(1).read_only);
  EXPECT_EQ(c.extra["terminationMessagePolicy"], "FallbackToLogsOnError");
  EXPECT_TRUE(c.extra.contains("volumeDevices"));
  EXPECT_TRUE(c.extra.contains("resizePolicy"));
}

TEST(ParseValid, EveryArtifactLocation) {
  const LoadResult result = load_valid("artifact-locations.yaml");
  const Document& doc = result.documents.at(0);
  EXPECT_EQ(doc.kind, Kind::WorkflowTemplate);
  EXPECT_EQ(doc.spec.artifact_repository_ref->key, "minio");
  const Template& t = doc.spec.templates.at(0);
  EXPECT_EQ(t.archive_location["archiveLogs"], true);
  const std::vector<std::string> expected = {"s3", "gcs", "git", "http", "http", "artifactory", "azure", "hdfs", "oss"};
  ASSERT_EQ(t.inputs.artifacts.size(), 11u);
  for (size_t i = 0; i < expected.size(); ++i) {
    EXPECT_TRUE(t.inputs.artifacts[i].location.contains(expected[i])) << i;
  }
  EXPECT_EQ(t.inputs.artifacts[0].mode, 0755);
  EXPECT_EQ(t.inputs.artifacts[0].recurse_mode, "true");
  EXPECT_EQ(t.inputs.artifacts[2].location["git"]["depth"], 1);
  EXPECT_EQ(t.inputs.artifacts[9].raw_data, "hello from a raw artifact\n");
  EXPECT_TRUE(t.inputs.artifacts[10].location.contains("plugin"));
  EXPECT_TRUE(t.inputs.artifacts[10].optional);

  const auto& outputs = t.outputs.artifacts;
  ASSERT_EQ(outputs.size(), 3u);
  EXPECT_TRUE(outputs[0].archive->tar);
  EXPECT_EQ(outputs[0].archive->tar_compression_level, 9);
  EXPECT_EQ(outputs[0].artifact_gc["strategy"], "OnWorkflowCompletion");
  EXPECT_TRUE(outputs[1].archive->none);
  EXPECT_EQ(outputs[1].global_name, "plain-output");
  EXPECT_TRUE(outputs[2].archive->zip);
}

TEST(ParseValid, CronWorkflow) {
  const LoadResult result = load_valid("cron-workflow.yaml");
  const Document& doc = result.documents.at(0);
  EXPECT_EQ(doc.kind, Kind::CronWorkflow);
  EXPECT_EQ(doc.spec_path(), "spec.workflowSpec");
  ASSERT_TRUE(doc.cron);
  EXPECT_EQ(doc.cron->schedules, (std::vector<std::string>{"0 2 * * *", "30 14 * * 1-5"}));
  EXPECT_EQ(doc.cron->timezone, "Europe/Paris");
  EXPECT_EQ(doc.cron->concurrency_policy, "Replace");
  EXPECT_EQ(doc.cron->starting_deadline_seconds, 60);
  EXPECT_EQ(doc.cron->successful_jobs_history_limit, 3);
  EXPECT_EQ(doc.cron->failed_jobs_history_limit, 1);
  EXPECT_EQ(doc.cron->suspend, false);
  EXPECT_EQ(doc.cron->stop_strategy_expression, "cronworkflow.failed >= 3");
  EXPECT_EQ(doc.cron->workflow_metadata->labels.at("schedule"), "nightly");
  // The workflow spec is available both ways.
  EXPECT_EQ(doc.cron->workflow_spec.entrypoint, "main");
  EXPECT_EQ(doc.spec.entrypoint, "main");
  EXPECT_EQ(doc.spec.workflow_template_ref->name, "artifact-locations");
  ASSERT_EQ(doc.spec.hooks.size(), 2u);
  EXPECT_EQ(doc.spec.hooks[0].name, "running");
  EXPECT_EQ(doc.spec.hooks[0].expression, "workflow.status == \"Running\"");
  EXPECT_EQ(doc.spec.hooks[1].name, "exit");
  EXPECT_TRUE(doc.spec.hooks[1].template_ref->cluster_scope);
  EXPECT_EQ(doc.spec.templates.at(0).kind, TemplateKind::Suspend);
  EXPECT_EQ(doc.spec.templates[0].suspend->duration, "10");
  EXPECT_GT(doc.source.find("spec.workflowSpec.templates[0].suspend.duration").line, 0);
}

TEST(ParseValid, AnchorsAndMergeKeys) {
  const LoadResult result = load_valid("anchors-and-merges.yaml");
  ASSERT_EQ(result.documents.size(), 2u);
  const Document& config = result.documents[0];
  EXPECT_EQ(config.kind, Kind::ConfigMap);
  EXPECT_EQ(config.data.at("retries"), "3");
  EXPECT_EQ(config.raw["immutable"], true);

  const Document& wf = result.documents[1];
  EXPECT_EQ(wf.source.document_index(), 1);
  const auto& groups = *wf.spec.templates.at(0).steps;
  ASSERT_EQ(groups.size(), 2u);
  EXPECT_EQ(groups[0].size(), 2u);
  const WorkflowStep& third = groups[1].at(0);
  ASSERT_TRUE(third.with_items);
  EXPECT_EQ(Json(*third.with_items), Json::parse(R"([1, "two", {"three": 3}, [4], true])"));
  EXPECT_TRUE(third.continue_on->failed);

  const Template& echo = wf.spec.templates.at(1);
  const Template& loud = wf.spec.templates.at(2);
  EXPECT_EQ(loud.name, "echo-loud");  // the explicit key wins over the merged one
  EXPECT_EQ(loud.inputs.parameters.at(0).name, "message");
  EXPECT_EQ(loud.container->image, echo.container->image);
  EXPECT_EQ(loud.container->command, (std::vector<std::string>{"echo"}));
  EXPECT_EQ(loud.container->env.at(0).name, "LOUD");
  EXPECT_TRUE(echo.container->env.empty());
  EXPECT_EQ(wf.raw["spec"]["templates"][2]["container"]["image"], "alpine:3.19");
  EXPECT_FALSE(wf.raw["spec"]["templates"][2].contains("<<"));
  // Second document: positions count from the start of the file.
  EXPECT_EQ(wf.source.find("kind").line, 12);
}

}  // namespace
}  // namespace rampart::spec
