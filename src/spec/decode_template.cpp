// Templates: the unit of work, and each kind of body a template can have.
#include "spec/decode.h"

namespace rampart::spec {

namespace {

ScriptTemplate decode_script(const YAML::Node& node) {
  return {decode_container(node), read::text(Fields(node), "source")};
}

ResourceTemplate decode_resource(const YAML::Node& node) {
  const Fields fields(node);
  ResourceTemplate resource;
  resource.action = read::text(fields, "action");
  resource.manifest = read::text(fields, "manifest");
  resource.manifest_from = read::json(fields, "manifestFrom");
  resource.merge_strategy = read::text(fields, "mergeStrategy");
  resource.success_condition = read::text(fields, "successCondition");
  resource.failure_condition = read::text(fields, "failureCondition");
  resource.flags = read::texts(fields, "flags");
  resource.set_owner_reference = read::optional_flag(fields, "setOwnerReference");
  return resource;
}

SuspendTemplate decode_suspend(const YAML::Node& node) { return {read::text(Fields(node), "duration")}; }

DataTemplate decode_data(const YAML::Node& node) {
  const Fields fields(node);
  DataTemplate data;
  data.source = read::json(fields, "source");
  data.transformation = read::list(fields, "transformation",
                                   [](const YAML::Node& step) { return read::text(Fields(step), "expression"); });
  return data;
}

HttpHeader decode_http_header(const YAML::Node& node) {
  const Fields fields(node);
  HttpHeader header;
  header.name = read::text(fields, "name");
  header.value = read::text(fields, "value");
  if (const YAML::Node from = fields.get("valueFrom"); from.IsMap()) {
    header.secret_key_ref = read::optional(Fields(from), "secretKeyRef", decode_key_selector);
  }
  return header;
}

HttpTemplate decode_http(const YAML::Node& node) {
  const Fields fields(node);
  HttpTemplate http;
  http.method = read::text(fields, "method");
  http.url = read::text(fields, "url");
  http.headers = read::list(fields, "headers", decode_http_header);
  http.body = read::text(fields, "body");
  http.body_from = read::json(fields, "bodyFrom");
  http.timeout_seconds = read::optional_int(fields, "timeoutSeconds");
  http.success_condition = read::text(fields, "successCondition");
  http.insecure_skip_verify = read::flag(fields, "insecureSkipVerify");
  return http;
}

ContainerNode decode_container_node(const YAML::Node& node) {
  return {decode_container(node), read::texts(Fields(node), "dependencies")};
}

ContainerSetTemplate decode_container_set(const YAML::Node& node) {
  const Fields fields(node);
  ContainerSetTemplate set;
  set.containers = read::list(fields, "containers", decode_container_node);
  set.volume_mounts = read::list(fields, "volumeMounts", decode_volume_mount);
  set.retry_strategy = read::optional(fields, "retryStrategy", [](const YAML::Node& retry) {
    const Fields retry_fields(retry);
    return ContainerSetRetryStrategy{read::text(retry_fields, "duration"),
                                     read::optional_text(retry_fields, "retries")};
  });
  return set;
}

// Argo allows exactly one body; when a template has several (a validation error reported
// elsewhere), the first in this order decides the kind.
TemplateKind kind_of(const Template& t) {
  if (t.container) return TemplateKind::Container;
  if (t.script) return TemplateKind::Script;
  if (t.resource) return TemplateKind::Resource;
  if (t.suspend) return TemplateKind::Suspend;
  if (t.steps) return TemplateKind::Steps;
  if (t.dag) return TemplateKind::Dag;
  if (t.data) return TemplateKind::Data;
  if (t.http) return TemplateKind::Http;
  if (t.container_set) return TemplateKind::ContainerSet;
  if (!t.plugin.is_null()) return TemplateKind::Plugin;
  return TemplateKind::Unknown;
}

}  // namespace

Template decode_template(const YAML::Node& node) {
  const Fields fields(node);
  Template t;
  t.name = read::text(fields, "name");

  t.container = read::optional(fields, "container", decode_container);
  t.script = read::optional(fields, "script", decode_script);
  t.resource = read::optional(fields, "resource", decode_resource);
  t.suspend = read::optional(fields, "suspend", decode_suspend);
  t.steps = read::optional(fields, "steps", decode_steps);
  t.dag = read::optional(fields, "dag", decode_dag);
  t.data = read::optional(fields, "data", decode_data);
  t.http = read::optional(fields, "http", decode_http);
  t.container_set = read::optional(fields, "containerSet", decode_container_set);
  t.plugin = read::json(fields, "plugin");
  t.kind = kind_of(t);

  if (const YAML::Node inputs = fields.get("inputs"); inputs.IsMap()) t.inputs = decode_inputs(inputs);
  if (const YAML::Node outputs = fields.get("outputs"); outputs.IsMap()) {
    t.outputs = decode_outputs(outputs);
  }
  if (const YAML::Node metadata = fields.get("metadata"); metadata.IsMap()) {
    t.metadata = decode_object_meta(metadata);
  }
  t.retry_strategy = read::optional(fields, "retryStrategy", decode_retry_strategy);
  t.timeout = read::text(fields, "timeout");
  t.active_deadline_seconds = read::optional_text(fields, "activeDeadlineSeconds");
  t.parallelism = read::optional_int(fields, "parallelism");
  t.fail_fast = read::optional_flag(fields, "failFast");
  t.daemon = read::optional_flag(fields, "daemon");
  t.synchronization = read::optional(fields, "synchronization", decode_synchronization);
  t.memoize = read::optional(fields, "memoize", decode_memoize);
  t.pod_spec_patch = read::text(fields, "podSpecPatch");
  t.pod_resources = read::json(fields, "podResources");
  t.volumes = read::list(fields, "volumes", decode_volume);
  t.init_containers = read::list(fields, "initContainers", decode_container);
  t.sidecars = read::list(fields, "sidecars", decode_container);
  t.metrics = read::optional(fields, "metrics", decode_metrics);
  t.archive_location = read::json(fields, "archiveLocation");
  t.node_selector = read::text_map(fields, "nodeSelector");
  t.affinity = read::json(fields, "affinity");
  t.tolerations = read::json(fields, "tolerations");
  t.security_context = read::json(fields, "securityContext");
  t.host_aliases = read::json(fields, "hostAliases");
  t.service_account_name = read::text(fields, "serviceAccountName");
  t.automount_service_account_token = read::optional_flag(fields, "automountServiceAccountToken");
  if (const YAML::Node executor = fields.get("executor"); executor.IsMap()) {
    t.executor_service_account_name = read::text(Fields(executor), "serviceAccountName");
  }
  t.scheduler_name = read::text(fields, "schedulerName");
  t.priority_class_name = read::text(fields, "priorityClassName");
  if (auto priority = read::optional_int(fields, "priority")) {
    t.priority = static_cast<int32_t>(*priority);
  }
  return t;
}

}  // namespace rampart::spec
