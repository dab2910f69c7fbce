// Kubernetes object fields that Argo templates embed and that rampart interprets (typed).
// Fields rampart only passes through (affinity, tolerations, probes, volume sources, ...) are kept
// as JSON: the schema check (schema.h) has already verified their shape and field names.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace rampart::spec {

using Json = nlohmann::json;
using StringMap = std::map<std::string, std::string>;

struct ObjectMeta {
  std::string name;
  std::string generate_name;
  std::string namespace_;
  StringMap labels;
  StringMap annotations;
  Json extra;  // uid, ownerReferences, finalizers, ... kept verbatim
};

struct KeySelector {  // configMapKeyRef / secretKeyRef
  std::string name;
  std::string key;
  bool optional = false;
};

struct EnvVar {
  std::string name;
  std::optional<std::string> value;
  std::optional<KeySelector> secret_key_ref;
  std::optional<KeySelector> config_map_key_ref;
  Json field_ref;  // fieldRef / resourceFieldRef, passed through
  Json resource_field_ref;
};

struct ResourceRequirements {
  StringMap limits;  // quantities as written: "500m", "1Gi"
  StringMap requests;
  Json claims;
};

struct SecurityContext {
  std::optional<bool> privileged;
  std::optional<bool> allow_privilege_escalation;
  std::optional<bool> read_only_root_filesystem;
  std::optional<bool> run_as_non_root;
  std::optional<int64_t> run_as_user;
  std::optional<int64_t> run_as_group;
  std::vector<std::string> capabilities_add;
  std::vector<std::string> capabilities_drop;
  Json extra;  // seccompProfile, seLinuxOptions, appArmorProfile, procMount, windowsOptions
};

struct VolumeMount {
  std::string name;
  std::string mount_path;
  std::string sub_path;
  std::string sub_path_expr;
  bool read_only = false;
  std::string mount_propagation;
};

struct ContainerPort {
  std::string name;
  int32_t container_port = 0;
  std::string protocol;
};

// core/v1 Container. Argo's ScriptTemplate and ContainerNode extend it.
struct Container {
  std::string name;
  std::string image;
  std::string image_pull_policy;
  std::vector<std::string> command;
  std::vector<std::string> args;
  std::string working_dir;
  std::vector<EnvVar> env;
  Json env_from;  // list of EnvFromSource
  ResourceRequirements resources;
  std::optional<SecurityContext> security_context;
  std::vector<VolumeMount> volume_mounts;
  std::vector<ContainerPort> ports;
  Json probes;  // livenessProbe / readinessProbe / startupProbe keyed by field name
  Json lifecycle;
  Json extra;                         // stdin, tty, terminationMessagePath, volumeDevices, resizePolicy, ...
  bool mirror_volume_mounts = false;  // Argo UserContainer (sidecars, initContainers)
};

struct Volume {
  std::string name;
  Json source;  // exactly one volume source, e.g. {"emptyDir": {}} or {"persistentVolumeClaim": {...}}
};

}  // namespace rampart::spec
