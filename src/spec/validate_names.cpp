// Names and paths that become host paths or Kubernetes object references: checked with
// Kubernetes' rules (common/object_names.h) and ConfinedDir's path rules at lint time, so a
// person sees file:line:col. The engine checks them again after parameter substitution, since
// a value holding {{...}} is only known then.
#include "common/confined_dir.h"
#include "common/object_names.h"
#include "spec/validate_internal.h"

namespace rampart::spec::validation {

namespace {

void check(const Checker& checker, const std::string& path, const std::string& value,
           std::string (*rule)(std::string_view)) {
  if (is_templated(value)) return;
  if (std::string why = rule(value); !why.empty()) checker.report(path, why);
}

void check_metadata_names(const Checker& checker) {
  const ObjectMeta& meta = checker.doc.metadata;
  if (!meta.name.empty()) check(checker, "metadata.name", meta.name, check_dns1123_subdomain);
  if (!meta.generate_name.empty()) check(checker, "metadata.generateName", meta.generate_name, check_generate_name);
  if (!meta.namespace_.empty()) check(checker, "metadata.namespace", meta.namespace_, check_dns1123_label);
  for (const auto& [key, value] : meta.labels) {
    check(checker, "metadata.labels." + key, key, check_qualified_name);
    check(checker, "metadata.labels." + key, value, check_label_value);
  }
  for (const auto& [key, value] : meta.annotations)
    check(checker, "metadata.annotations." + key, key, check_qualified_name);
}

std::string text_at(const Json& object, const char* key) {
  if (!object.is_object() || !object.contains(key) || !object[key].is_string()) return "";
  return object[key].get<std::string>();
}

void check_volumes(const Checker& checker, const std::vector<Volume>& volumes, const std::string& path) {
  for (size_t i = 0; i < volumes.size(); ++i) {
    const std::string at = path + "[" + std::to_string(i) + "]";
    check(checker, at + ".name", volumes[i].name, check_dns1123_label);
    const Json& source = volumes[i].source;
    if (!source.is_object()) continue;
    if (source.contains("persistentVolumeClaim")) {
      check(checker, at + ".persistentVolumeClaim.claimName", text_at(source["persistentVolumeClaim"], "claimName"),
            check_dns1123_subdomain);
    }
    if (source.contains("configMap")) {
      check(checker, at + ".configMap.name", text_at(source["configMap"], "name"), check_dns1123_subdomain);
    }
    if (source.contains("secret")) {
      check(checker, at + ".secret.secretName", text_at(source["secret"], "secretName"), check_dns1123_subdomain);
    }
  }
}

std::string check_sub_path(std::string_view value) {
  std::string why = ConfinedDir::check_relative(value);
  return why.empty() ? "" : "subPath " + shown_name(value) + " is refused: " + why;
}

std::string check_mount_path(std::string_view value) {
  if (!value.empty() && value.front() == '/') return "";
  return "mountPath " + shown_name(value) + " must be an absolute path";
}

void check_mounts(const Checker& checker, const std::vector<VolumeMount>& mounts, const std::string& path) {
  for (size_t i = 0; i < mounts.size(); ++i) {
    const std::string at = path + "[" + std::to_string(i) + "]";
    check(checker, at + ".name", mounts[i].name, check_dns1123_label);
    check(checker, at + ".mountPath", mounts[i].mount_path, check_mount_path);
    if (!mounts[i].sub_path.empty()) check(checker, at + ".subPath", mounts[i].sub_path, check_sub_path);
  }
}

void check_containers(const Checker& checker, const std::vector<Container>& containers, const std::string& path) {
  for (size_t i = 0; i < containers.size(); ++i) {
    check_mounts(checker, containers[i].volume_mounts, path + "[" + std::to_string(i) + "].volumeMounts");
  }
}

void check_template_mounts(const Checker& checker, const Template& tmpl, const std::string& path) {
  check_volumes(checker, tmpl.volumes, path + ".volumes");
  if (tmpl.container) check_mounts(checker, tmpl.container->volume_mounts, path + ".container.volumeMounts");
  if (tmpl.script) check_mounts(checker, tmpl.script->container.volume_mounts, path + ".script.volumeMounts");
  if (tmpl.container_set) {
    check_mounts(checker, tmpl.container_set->volume_mounts, path + ".containerSet.volumeMounts");
    for (size_t i = 0; i < tmpl.container_set->containers.size(); ++i) {
      check_mounts(checker, tmpl.container_set->containers[i].container.volume_mounts,
                   path + ".containerSet.containers[" + std::to_string(i) + "].volumeMounts");
    }
  }
  check_containers(checker, tmpl.init_containers, path + ".initContainers");
  check_containers(checker, tmpl.sidecars, path + ".sidecars");
}

}  // namespace

void check_names(const Checker& checker) {
  check_metadata_names(checker);
  if (checker.doc.kind == Kind::ConfigMap) return;
  const std::string spec = checker.spec_path();
  check_volumes(checker, checker.doc.spec.volumes, spec + ".volumes");
  const Json& claims = checker.doc.spec.volume_claim_templates;
  for (size_t i = 0; claims.is_array() && i < claims.size(); ++i) {
    const Json& meta = claims[i].is_object() ? claims[i].value("metadata", Json::object()) : Json::object();
    check(checker, spec + ".volumeClaimTemplates[" + std::to_string(i) + "].metadata.name", text_at(meta, "name"),
          check_dns1123_label);
  }
  const auto& templates = checker.doc.spec.templates;
  for (size_t i = 0; i < templates.size(); ++i) {
    check_template_mounts(checker, templates[i], spec + ".templates[" + std::to_string(i) + "]");
  }
}

}  // namespace rampart::spec::validation
