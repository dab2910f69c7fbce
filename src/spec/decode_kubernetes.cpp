// Kubernetes types embedded in Argo templates: metadata, containers, volumes.
#include <set>

#include "spec/decode.h"

namespace rampart::spec {

namespace {

// The fields of `fields` not named in `typed`, as one JSON object (null when there are none):
// what the typed model keeps verbatim in its `extra` members.
Json remaining_fields(const Fields& fields, const std::set<std::string, std::less<>>& typed) {
  Json out;
  for (const MapEntry& entry : fields.entries()) {
    if (typed.count(entry.key)) continue;
    out[entry.key] = to_json(entry.value);
  }
  return out;
}

EnvVar decode_env_var(const YAML::Node& node) {
  const Fields fields(node);
  EnvVar env;
  env.name = read::text(fields, "name");
  env.value = read::optional_text(fields, "value");
  if (const YAML::Node from = fields.get("valueFrom"); from.IsMap()) {
    const Fields source(from);
    env.secret_key_ref = read::optional(source, "secretKeyRef", decode_key_selector);
    env.config_map_key_ref = read::optional(source, "configMapKeyRef", decode_key_selector);
    env.field_ref = read::json(source, "fieldRef");
    env.resource_field_ref = read::json(source, "resourceFieldRef");
  }
  return env;
}

ResourceRequirements decode_resources(const YAML::Node& node) {
  const Fields fields(node);
  ResourceRequirements resources;
  resources.limits = read::text_map(fields, "limits");
  resources.requests = read::text_map(fields, "requests");
  resources.claims = read::json(fields, "claims");
  return resources;
}

SecurityContext decode_security_context(const YAML::Node& node) {
  const Fields fields(node);
  SecurityContext context;
  context.privileged = read::optional_flag(fields, "privileged");
  context.allow_privilege_escalation = read::optional_flag(fields, "allowPrivilegeEscalation");
  context.read_only_root_filesystem = read::optional_flag(fields, "readOnlyRootFilesystem");
  context.run_as_non_root = read::optional_flag(fields, "runAsNonRoot");
  context.run_as_user = read::optional_int(fields, "runAsUser");
  context.run_as_group = read::optional_int(fields, "runAsGroup");
  if (const YAML::Node capabilities = fields.get("capabilities"); capabilities.IsMap()) {
    const Fields caps(capabilities);
    context.capabilities_add = read::texts(caps, "add");
    context.capabilities_drop = read::texts(caps, "drop");
  }
  context.extra = remaining_fields(fields, {"privileged", "allowPrivilegeEscalation", "readOnlyRootFilesystem",
                                            "runAsNonRoot", "runAsUser", "runAsGroup", "capabilities"});
  return context;
}

ContainerPort decode_port(const YAML::Node& node) {
  const Fields fields(node);
  ContainerPort port;
  port.name = read::text(fields, "name");
  port.container_port = static_cast<int32_t>(read::optional_int(fields, "containerPort").value_or(0));
  port.protocol = read::text(fields, "protocol");
  return port;
}

}  // namespace

ObjectMeta decode_object_meta(const YAML::Node& node) {
  const Fields fields(node);
  ObjectMeta meta;
  meta.name = read::text(fields, "name");
  meta.generate_name = read::text(fields, "generateName");
  meta.namespace_ = read::text(fields, "namespace");
  meta.labels = read::text_map(fields, "labels");
  meta.annotations = read::text_map(fields, "annotations");
  meta.extra = remaining_fields(fields, {"name", "generateName", "namespace", "labels", "annotations"});
  return meta;
}

KeySelector decode_key_selector(const YAML::Node& node) {
  const Fields fields(node);
  return {read::text(fields, "name"), read::text(fields, "key"), read::flag(fields, "optional")};
}

VolumeMount decode_volume_mount(const YAML::Node& node) {
  const Fields fields(node);
  VolumeMount mount;
  mount.name = read::text(fields, "name");
  mount.mount_path = read::text(fields, "mountPath");
  mount.sub_path = read::text(fields, "subPath");
  mount.sub_path_expr = read::text(fields, "subPathExpr");
  mount.read_only = read::flag(fields, "readOnly");
  mount.mount_propagation = read::text(fields, "mountPropagation");
  return mount;
}

Container decode_container(const YAML::Node& node) {
  const Fields fields(node);
  Container container;
  container.name = read::text(fields, "name");
  container.image = read::text(fields, "image");
  container.image_pull_policy = read::text(fields, "imagePullPolicy");
  container.command = read::texts(fields, "command");
  container.args = read::texts(fields, "args");
  container.working_dir = read::text(fields, "workingDir");
  container.env = read::list(fields, "env", decode_env_var);
  container.env_from = read::json(fields, "envFrom");
  if (const YAML::Node resources = fields.get("resources"); resources.IsMap()) {
    container.resources = decode_resources(resources);
  }
  container.security_context = read::optional(fields, "securityContext", decode_security_context);
  container.volume_mounts = read::list(fields, "volumeMounts", decode_volume_mount);
  container.ports = read::list(fields, "ports", decode_port);
  for (const char* probe : {"livenessProbe", "readinessProbe", "startupProbe"}) {
    if (fields.has(probe)) container.probes[probe] = read::json(fields, probe);
  }
  container.lifecycle = read::json(fields, "lifecycle");
  container.mirror_volume_mounts = read::flag(fields, "mirrorVolumeMounts");
  // `source` (ScriptTemplate) and `dependencies` (ContainerNode) belong to the enclosing type.
  container.extra = remaining_fields(
      fields, {"name", "image", "imagePullPolicy", "command", "args", "workingDir", "env", "envFrom", "resources",
               "securityContext", "volumeMounts", "ports", "livenessProbe", "readinessProbe", "startupProbe",
               "lifecycle", "mirrorVolumeMounts", "source", "dependencies"});
  return container;
}

Volume decode_volume(const YAML::Node& node) {
  Volume volume;
  for (const MapEntry& entry : map_entries(node)) {
    if (entry.key == "name") {
      volume.name = entry.value.IsScalar() ? entry.value.Scalar() : std::string();
    } else if (volume.source.is_null()) {
      volume.source = Json::object({{entry.key, to_json(entry.value)}});
    }
  }
  return volume;
}

}  // namespace rampart::spec
