// Argo's Template and everything inside it (argoproj.io/v1alpha1), as a typed model.
// Values that Argo allows to contain {{...}} are kept as the strings the user wrote; the engine
// substitutes them at run time. Field names follow Argo's, in snake_case.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "spec/kubernetes.h"

namespace rampart::spec {

// Argo's AnyString / IntOrString: a scalar the user may write as a number, bool or string.
// `text` is the scalar as written; Argo keeps these as strings and so does rampart.
using Scalar = std::string;

struct ValueFrom {
  std::optional<KeySelector> config_map_key_ref;
  std::optional<Scalar> default_;
  std::string event;
  std::string expression;
  std::string jq_filter;
  std::string json_path;
  std::string parameter;
  std::string path;
  bool supplied = false;  // `supplied: {}` was present: the value comes from a resume
};

struct Parameter {
  std::string name;
  std::optional<Scalar> value;
  std::optional<Scalar> default_;
  std::vector<Scalar> enum_;
  std::string description;
  std::string global_name;
  std::optional<ValueFrom> value_from;
};

struct ArchiveStrategy {
  bool none = false;
  std::optional<int> tar_compression_level;  // set when `tar:` present (may be empty object)
  bool tar = false;
  bool zip = false;
};

struct Artifact {
  std::string name;
  std::string path;
  std::optional<int32_t> mode;
  std::string from;
  std::string from_expression;
  std::string global_name;
  std::string sub_path;
  bool optional = false;
  bool archive_logs = false;
  bool deleted = false;
  std::optional<ArchiveStrategy> archive;
  std::optional<std::string> raw_data;  // raw: {data: ...}
  std::string recurse_mode;
  // One artifact location (s3, gcs, git, http, artifactory, azure, hdfs, oss), keyed by its
  // field name; rampart's local repository uses `s3.key`-style keys from it.
  Json location;
  Json artifact_gc;
};

struct Inputs {
  std::vector<Parameter> parameters;
  std::vector<Artifact> artifacts;
};

struct Outputs {
  std::vector<Parameter> parameters;
  std::vector<Artifact> artifacts;
  std::optional<std::string> result;
  std::optional<std::string> exit_code;
};

struct Arguments {
  std::vector<Parameter> parameters;
  std::vector<Artifact> artifacts;
};

struct Backoff {
  Scalar duration;
  std::optional<Scalar> factor;
  std::string max_duration;
  std::string cap;
};

struct RetryStrategy {
  std::optional<Scalar> limit;  // IntOrString, may be "{{inputs.parameters.n}}"
  std::string retry_policy;     // Always | OnFailure | OnError | OnTransientError
  std::optional<Backoff> backoff;
  std::string expression;
  Json affinity;
};

struct ContinueOn {
  bool error = false;
  bool failed = false;
};

struct Sequence {
  std::optional<Scalar> count;
  std::optional<Scalar> start;
  std::optional<Scalar> end;
  std::string format;
};

struct TemplateRef {
  std::string name;       // WorkflowTemplate or ClusterWorkflowTemplate name
  std::string template_;  // template inside it
  bool cluster_scope = false;
};

struct LifecycleHook {
  std::string name;  // map key: "exit", "running", or any hook name
  std::string template_;
  std::optional<TemplateRef> template_ref;
  Arguments arguments;
  std::string expression;
};

struct Template;  // for inline templates

// One element of `withItems`: kept as JSON so that maps, lists and numbers survive.
using Item = Json;

struct WorkflowStep {
  std::string name;
  std::string template_;
  std::optional<TemplateRef> template_ref;
  std::shared_ptr<Template> inline_;
  Arguments arguments;
  std::string when;
  std::optional<std::vector<Item>> with_items;
  std::string with_param;
  std::optional<Sequence> with_sequence;
  std::optional<ContinueOn> continue_on;
  std::string on_exit;
  std::vector<LifecycleHook> hooks;
};

struct DagTask {
  std::string name;
  std::string template_;
  std::optional<TemplateRef> template_ref;
  std::shared_ptr<Template> inline_;
  Arguments arguments;
  std::vector<std::string> dependencies;
  std::string depends;
  std::string when;
  std::optional<std::vector<Item>> with_items;
  std::string with_param;
  std::optional<Sequence> with_sequence;
  std::optional<ContinueOn> continue_on;
  std::string on_exit;
  std::vector<LifecycleHook> hooks;
};

struct DagTemplate {
  std::vector<DagTask> tasks;
  std::string target;             // space-separated task names
  std::optional<bool> fail_fast;  // default true
};

struct ScriptTemplate {
  Container container;  // ScriptTemplate embeds Container
  std::string source;
};

struct ContainerNode {
  Container container;
  std::vector<std::string> dependencies;
};

struct ContainerSetRetryStrategy {
  std::string duration;
  std::optional<Scalar> retries;
};

struct ContainerSetTemplate {
  std::vector<ContainerNode> containers;
  std::vector<VolumeMount> volume_mounts;
  std::optional<ContainerSetRetryStrategy> retry_strategy;
};

struct ResourceTemplate {
  std::string action;  // get | create | apply | delete | replace | patch
  std::string manifest;
  Json manifest_from;
  std::string merge_strategy;
  std::string success_condition;
  std::string failure_condition;
  std::vector<std::string> flags;
  std::optional<bool> set_owner_reference;
};

struct SuspendTemplate {
  std::string duration;  // "20s", "5m", a number of seconds, or empty (until resumed)
};

struct DataTemplate {
  Json source;                              // {artifactPaths: Artifact}
  std::vector<std::string> transformation;  // expressions, in order
};

struct HttpHeader {
  std::string name;
  std::string value;
  std::optional<KeySelector> secret_key_ref;
};

struct HttpTemplate {
  std::string method;
  std::string url;
  std::vector<HttpHeader> headers;
  std::string body;
  Json body_from;
  std::optional<int64_t> timeout_seconds;
  std::string success_condition;
  bool insecure_skip_verify = false;
};

struct Memoize {
  std::string key;
  std::string max_age;
  std::string config_map_name;  // cache.configMap.name
};

struct MutexRef {
  std::string name;
  std::string namespace_;
  bool database = false;
};

struct SemaphoreRef {
  std::optional<KeySelector> config_map_key_ref;
  std::string namespace_;
  bool database = false;
};

struct Synchronization {
  std::vector<MutexRef> mutexes;         // `mutex:` (deprecated single form) is folded in here
  std::vector<SemaphoreRef> semaphores;  // `semaphore:` likewise
};

struct Metrics {
  Json prometheus;  // list of Prometheus metric definitions, passed through
};

// Which kind of work a template describes. Exactly one is set per template.
enum class TemplateKind { Unknown, Container, Script, Resource, Suspend, Steps, Dag, Data, Http, ContainerSet, Plugin };

const char* to_string(TemplateKind kind);

struct Template {
  std::string name;
  TemplateKind kind = TemplateKind::Unknown;

  std::optional<Container> container;
  std::optional<ScriptTemplate> script;
  std::optional<ResourceTemplate> resource;
  std::optional<SuspendTemplate> suspend;
  std::optional<std::vector<std::vector<WorkflowStep>>> steps;  // groups run in sequence
  std::optional<DagTemplate> dag;
  std::optional<DataTemplate> data;
  std::optional<HttpTemplate> http;
  std::optional<ContainerSetTemplate> container_set;
  Json plugin;  // {pluginName: {...}}

  Inputs inputs;
  Outputs outputs;
  ObjectMeta metadata;  // pod labels / annotations (name fields unused)
  std::optional<RetryStrategy> retry_strategy;
  std::string timeout;                            // duration string, may contain {{...}}
  std::optional<Scalar> active_deadline_seconds;  // IntOrString
  std::optional<int64_t> parallelism;
  std::optional<bool> fail_fast;
  std::optional<bool> daemon;
  std::optional<Synchronization> synchronization;
  std::optional<Memoize> memoize;
  std::string pod_spec_patch;
  Json pod_resources;  // podResources: pod-level ResourceRequirements (Argo v4.1)
  std::vector<Volume> volumes;
  std::vector<Container> init_containers;
  std::vector<Container> sidecars;
  std::optional<Metrics> metrics;
  Json archive_location;
  StringMap node_selector;
  Json affinity;
  Json tolerations;
  Json security_context;  // PodSecurityContext
  Json host_aliases;
  std::string service_account_name;
  std::optional<bool> automount_service_account_token;
  std::string executor_service_account_name;
  std::string scheduler_name;
  std::string priority_class_name;
  std::optional<int32_t> priority;
};

}  // namespace rampart::spec
