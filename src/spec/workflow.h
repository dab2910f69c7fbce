// The top-level documents rampart reads: Workflow, WorkflowTemplate, ClusterWorkflowTemplate,
// CronWorkflow, and ConfigMap (a parameter source), each with where it came from.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "spec/source_map.h"
#include "spec/template.h"

namespace rampart::spec {

struct TtlStrategy {
  std::optional<int32_t> seconds_after_completion;
  std::optional<int32_t> seconds_after_success;
  std::optional<int32_t> seconds_after_failure;
};

struct PodGc {
  std::string strategy;  // OnPodCompletion | OnPodSuccess | OnWorkflowCompletion | OnWorkflowSuccess
  std::string delete_delay_duration;
  Json label_selector;
};

struct WorkflowTemplateRef {
  std::string name;
  bool cluster_scope = false;
};

struct ArtifactRepositoryRef {
  std::string config_map;
  std::string key;
};

struct WorkflowSpec {
  std::string entrypoint;
  std::vector<Template> templates;
  Arguments arguments;
  std::string on_exit;
  std::vector<LifecycleHook> hooks;
  std::optional<int64_t> parallelism;
  std::optional<int64_t> active_deadline_seconds;
  std::optional<bool> suspend;
  std::string shutdown;  // Stop | Terminate
  std::optional<Synchronization> synchronization;
  std::optional<Template> template_defaults;
  std::optional<WorkflowTemplateRef> workflow_template_ref;
  std::optional<RetryStrategy> retry_strategy;
  std::optional<TtlStrategy> ttl_strategy;
  std::optional<PodGc> pod_gc;
  std::optional<ArtifactRepositoryRef> artifact_repository_ref;
  Json artifact_gc;
  std::optional<bool> archive_logs;
  std::vector<Volume> volumes;
  Json volume_claim_templates;  // list of PersistentVolumeClaim
  Json volume_claim_gc;
  std::optional<ObjectMeta> pod_metadata;
  std::optional<ObjectMeta> workflow_metadata;
  std::string pod_spec_patch;
  Json pod_resources;  // podResources: pod-level ResourceRequirements (Argo v4.1)
  std::string service_account_name;
  std::optional<bool> automount_service_account_token;
  std::string executor_service_account_name;
  StringMap node_selector;
  Json affinity;
  Json tolerations;
  Json security_context;
  Json image_pull_secrets;
  Json host_aliases;
  std::optional<bool> host_network;
  Json dns_config;
  std::string dns_policy;
  std::string scheduler_name;
  std::string pod_priority_class_name;
  std::optional<int32_t> pod_priority;
  std::optional<int32_t> priority;
  Json pod_disruption_budget;
  std::optional<Metrics> metrics;
};

struct CronWorkflowSpec {
  std::vector<std::string> schedules;  // `schedule:` is folded in as the first entry
  std::string timezone;
  std::string concurrency_policy;  // Allow | Forbid | Replace
  std::optional<bool> suspend;
  std::optional<int64_t> starting_deadline_seconds;
  std::optional<int32_t> successful_jobs_history_limit;
  std::optional<int32_t> failed_jobs_history_limit;
  std::string when;
  std::string stop_strategy_expression;
  std::optional<ObjectMeta> workflow_metadata;
  WorkflowSpec workflow_spec;
};

enum class Kind { Workflow, WorkflowTemplate, ClusterWorkflowTemplate, CronWorkflow, ConfigMap };

const char* to_string(Kind kind);

// One parsed YAML document of a kind rampart runs or reads.
struct Document {
  Kind kind = Kind::Workflow;
  std::string api_version;
  ObjectMeta metadata;
  WorkflowSpec spec;                     // Workflow, WorkflowTemplate, ClusterWorkflowTemplate
  std::optional<CronWorkflowSpec> cron;  // CronWorkflow (its workflowSpec is also copied to spec)
  StringMap data;                        // ConfigMap
  Json raw;                              // the whole document as JSON, for `get -o yaml` and the API
  SourceMap source;                      // where each field came from

  // Path prefix of the WorkflowSpec inside the document: "spec" or "spec.workflowSpec".
  std::string spec_path() const { return kind == Kind::CronWorkflow ? "spec.workflowSpec" : "spec"; }
};

// A document of a kind rampart does not run (PersistentVolumeClaim, ResourceQuota, ...).
struct SkippedDocument {
  std::string file;
  int index = 0;  // 0-based document index in the file
  SourceLocation where;
  std::string api_version;
  std::string kind;
  std::string name;
};

}  // namespace rampart::spec
