// Top-level documents: workflow specs, cron workflows, config maps.
#include "spec/decode.h"

namespace rampart::spec {

namespace {

TtlStrategy decode_ttl(const YAML::Node& node) {
  const Fields fields(node);
  auto int32 = [&](std::string_view key) -> std::optional<int32_t> {
    if (auto value = read::optional_int(fields, key)) return static_cast<int32_t>(*value);
    return std::nullopt;
  };
  return {int32("secondsAfterCompletion"), int32("secondsAfterSuccess"), int32("secondsAfterFailure")};
}

PodGc decode_pod_gc(const YAML::Node& node) {
  const Fields fields(node);
  return {read::text(fields, "strategy"), read::text(fields, "deleteDelayDuration"),
          read::json(fields, "labelSelector")};
}

WorkflowTemplateRef decode_workflow_template_ref(const YAML::Node& node) {
  const Fields fields(node);
  return {read::text(fields, "name"), read::flag(fields, "clusterScope")};
}

ArtifactRepositoryRef decode_artifact_repository_ref(const YAML::Node& node) {
  const Fields fields(node);
  return {read::text(fields, "configMap"), read::text(fields, "key")};
}

std::optional<int32_t> optional_int32(const Fields& fields, std::string_view key) {
  if (auto value = read::optional_int(fields, key)) return static_cast<int32_t>(*value);
  return std::nullopt;
}

CronWorkflowSpec decode_cron(const YAML::Node& node) {
  const Fields fields(node);
  CronWorkflowSpec cron;
  if (auto schedule = read::optional_text(fields, "schedule")) cron.schedules.push_back(*schedule);
  for (std::string& schedule : read::texts(fields, "schedules")) cron.schedules.push_back(schedule);
  cron.timezone = read::text(fields, "timezone");
  cron.concurrency_policy = read::text(fields, "concurrencyPolicy");
  cron.suspend = read::optional_flag(fields, "suspend");
  cron.starting_deadline_seconds = read::optional_int(fields, "startingDeadlineSeconds");
  cron.successful_jobs_history_limit = optional_int32(fields, "successfulJobsHistoryLimit");
  cron.failed_jobs_history_limit = optional_int32(fields, "failedJobsHistoryLimit");
  cron.when = read::text(fields, "when");
  if (const YAML::Node stop = fields.get("stopStrategy"); stop.IsMap()) {
    cron.stop_strategy_expression = read::text(Fields(stop), "expression");
  }
  cron.workflow_metadata = read::optional(fields, "workflowMetadata", decode_object_meta);
  if (const YAML::Node spec = fields.get("workflowSpec"); spec.IsMap()) {
    cron.workflow_spec = decode_workflow_spec(spec);
  }
  return cron;
}

}  // namespace

WorkflowSpec decode_workflow_spec(const YAML::Node& node) {
  const Fields fields(node);
  WorkflowSpec spec;
  spec.entrypoint = read::text(fields, "entrypoint");
  spec.templates = read::list(fields, "templates", decode_template);
  if (const YAML::Node arguments = fields.get("arguments"); arguments.IsMap()) {
    spec.arguments = decode_arguments(arguments);
  }
  spec.on_exit = read::text(fields, "onExit");
  spec.hooks = decode_hooks(fields.get("hooks"));
  spec.parallelism = read::optional_int(fields, "parallelism");
  spec.active_deadline_seconds = read::optional_int(fields, "activeDeadlineSeconds");
  spec.suspend = read::optional_flag(fields, "suspend");
  spec.shutdown = read::text(fields, "shutdown");
  spec.synchronization = read::optional(fields, "synchronization", decode_synchronization);
  spec.template_defaults = read::optional(fields, "templateDefaults", decode_template);
  spec.workflow_template_ref = read::optional(fields, "workflowTemplateRef", decode_workflow_template_ref);
  spec.retry_strategy = read::optional(fields, "retryStrategy", decode_retry_strategy);
  spec.ttl_strategy = read::optional(fields, "ttlStrategy", decode_ttl);
  spec.pod_gc = read::optional(fields, "podGC", decode_pod_gc);
  spec.artifact_repository_ref = read::optional(fields, "artifactRepositoryRef", decode_artifact_repository_ref);
  spec.artifact_gc = read::json(fields, "artifactGC");
  spec.archive_logs = read::optional_flag(fields, "archiveLogs");
  spec.volumes = read::list(fields, "volumes", decode_volume);
  spec.volume_claim_templates = read::json(fields, "volumeClaimTemplates");
  spec.volume_claim_gc = read::json(fields, "volumeClaimGC");
  spec.pod_metadata = read::optional(fields, "podMetadata", decode_object_meta);
  spec.workflow_metadata = read::optional(fields, "workflowMetadata", decode_object_meta);
  spec.pod_spec_patch = read::text(fields, "podSpecPatch");
  spec.pod_resources = read::json(fields, "podResources");
  spec.service_account_name = read::text(fields, "serviceAccountName");
  spec.automount_service_account_token = read::optional_flag(fields, "automountServiceAccountToken");
  if (const YAML::Node executor = fields.get("executor"); executor.IsMap()) {
    spec.executor_service_account_name = read::text(Fields(executor), "serviceAccountName");
  }
  spec.node_selector = read::text_map(fields, "nodeSelector");
  spec.affinity = read::json(fields, "affinity");
  spec.tolerations = read::json(fields, "tolerations");
  spec.security_context = read::json(fields, "securityContext");
  spec.image_pull_secrets = read::json(fields, "imagePullSecrets");
  spec.host_aliases = read::json(fields, "hostAliases");
  spec.host_network = read::optional_flag(fields, "hostNetwork");
  spec.dns_config = read::json(fields, "dnsConfig");
  spec.dns_policy = read::text(fields, "dnsPolicy");
  spec.scheduler_name = read::text(fields, "schedulerName");
  spec.pod_priority_class_name = read::text(fields, "podPriorityClassName");
  spec.pod_priority = optional_int32(fields, "podPriority");
  spec.priority = optional_int32(fields, "priority");
  spec.pod_disruption_budget = read::json(fields, "podDisruptionBudget");
  spec.metrics = read::optional(fields, "metrics", decode_metrics);
  return spec;
}

Document decode_document(const YAML::Node& node, Kind kind, const std::string& file, int index) {
  const Fields fields(node);
  Document document;
  document.kind = kind;
  document.api_version = read::text(fields, "apiVersion");
  if (const YAML::Node metadata = fields.get("metadata"); metadata.IsMap()) {
    document.metadata = decode_object_meta(metadata);
  }
  const YAML::Node spec = fields.get("spec");
  switch (kind) {
    case Kind::Workflow:
    case Kind::WorkflowTemplate:
    case Kind::ClusterWorkflowTemplate:
      if (spec.IsMap()) document.spec = decode_workflow_spec(spec);
      break;
    case Kind::CronWorkflow:
      document.cron = spec.IsMap() ? decode_cron(spec) : CronWorkflowSpec{};
      document.spec = document.cron->workflow_spec;
      break;
    case Kind::ConfigMap: document.data = read::text_map(fields, "data"); break;
  }
  document.source = SourceMap(file);
  document.source.set_document_index(index);
  document.raw = to_json(node, &document.source, "");
  return document;
}

}  // namespace rampart::spec
