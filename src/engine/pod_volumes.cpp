#include "engine/pod_volumes.h"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>

#include "common/object_names.h"

namespace rampart::engine {

using Json = nlohmann::json;

namespace {

std::string text_field(const Json& object, const char* key) {
  if (!object.is_object() || !object.contains(key) || !object[key].is_string()) return "";
  return object[key].get<std::string>();
}

// Writes `value` to `key` in `dir`, never through a link. Returns "" or why not.
std::string write_key(const ConfinedDir& dir, const std::string& key, const std::string& value, mode_t mode) {
  if (std::string why = check_config_key(key); !why.empty()) return "key " + why;
  std::string error;
  UniqueFd fd = dir.open_file(key, O_WRONLY | O_CREAT | O_TRUNC, mode, &error);
  if (!fd) return error;
  size_t written = 0;
  while (written < value.size()) {
    ssize_t n = ::write(fd.get(), value.data() + written, value.size() - written);
    if (n <= 0) return "cannot write key " + shown_name(key);
    written += static_cast<size_t>(n);
  }
  ::fchmod(fd.get(), mode);
  return "";
}

using Sources = std::map<std::string, std::map<std::string, std::string>>;

const std::map<std::string, std::string>* find_source(const Sources* sources, const std::string& name) {
  if (!sources) return nullptr;
  auto found = sources->find(name);
  return found == sources->end() ? nullptr : &found->second;
}

}  // namespace

PodVolumes::PodVolumes(std::shared_ptr<const ConfinedDir> claims, std::shared_ptr<const ConfinedDir> step,
                       VolumeSources sources)
    : claims_(std::move(claims)), step_(std::move(step)), sources_(sources) {}

std::string PodVolumes::add_dir(const std::string& name, std::optional<ConfinedDir> dir, const std::string& error) {
  if (!dir) return "volume " + shown_name(name) + ": " + error;
  volumes_[name] = std::make_shared<const ConfinedDir>(std::move(*dir));
  return "";
}

std::string PodVolumes::add(const Json& volume) {
  std::string name = text_field(volume, "name");
  if (std::string why = check_dns1123_label(name); !why.empty()) return "volume name " + why;
  std::string error;
  if (volume.contains("emptyDir")) return add_dir(name, step_->subdir("volumes/" + name, Create::Yes, &error), error);
  if (volume.contains("persistentVolumeClaim")) {
    std::string claim = text_field(volume["persistentVolumeClaim"], "claimName");
    if (std::string why = check_dns1123_subdomain(claim); !why.empty()) {
      return "volume " + shown_name(name) + ": persistentVolumeClaim.claimName " + why;
    }
    return add_dir(name, claims_->subdir(claim, Create::Yes, &error), error);
  }
  if (volume.contains("configMap")) return add_config_map(name, volume["configMap"]);
  if (volume.contains("secret")) return add_secret(name, volume["secret"]);
  if (volume.contains("hostPath")) {
    return "volume " + shown_name(name) + ": hostPath volumes are not allowed (steps never see host directories)";
  }
  return "volume " + shown_name(name) + ": this volume type is not supported by the local executor";
}

std::string PodVolumes::add_claim_template(const std::string& workflow, const Json& claim) {
  std::string name = text_field(claim.value("metadata", Json::object()), "name");
  if (std::string why = check_dns1123_label(name); !why.empty()) return "volumeClaimTemplates: name " + why;
  std::string directory = workflow + "-" + name;
  if (std::string why = check_dns1123_subdomain(directory); !why.empty()) return "volumeClaimTemplates: claim " + why;
  std::string error;
  return add_dir(name, claims_->subdir(directory, Create::Yes, &error), error);
}

std::string PodVolumes::add_config_map(const std::string& name, const Json& source) {
  std::string config_map = text_field(source, "name");
  if (std::string why = check_dns1123_subdomain(config_map); !why.empty()) {
    return "volume " + shown_name(name) + ": configMap.name " + why;
  }
  const auto* found = find_source(sources_.config_maps, config_map);
  if (!found) {
    return "volume " + shown_name(name) + ": ConfigMap " + shown_name(config_map) +
           " was not given (use --configmap FILE)";
  }
  std::string error;
  auto dir = step_->subdir("volumes/" + name, Create::Yes, &error);
  if (!dir) return "volume " + shown_name(name) + ": " + error;
  for (const auto& [key, value] : *found) {
    if (std::string why = write_key(*dir, key, value, 0644); !why.empty())
      return "volume " + shown_name(name) + ": " + why;
  }
  return add_dir(name, std::move(dir), error);
}

std::string PodVolumes::add_secret(const std::string& name, const Json& source) {
  std::string secret = text_field(source, "secretName");
  if (std::string why = check_dns1123_subdomain(secret); !why.empty()) {
    return "volume " + shown_name(name) + ": secret.secretName " + why;
  }
  const auto* found = find_source(sources_.secrets, secret);
  if (!found) {
    return "volume " + shown_name(name) + ": Secret " + shown_name(secret) + " was not given (use --secret FILE)";
  }
  // Secret files live only in the step's scratch dir, removed when the step ends.
  std::string error;
  auto dir = step_->subdir("secrets/" + name, Create::Yes, &error);
  if (!dir) return "volume " + shown_name(name) + ": " + error;
  for (const auto& [key, value] : *found) {
    if (std::string why = write_key(*dir, key, value, 0400); !why.empty())
      return "volume " + shown_name(name) + ": " + why;
  }
  return add_dir(name, std::move(dir), error);
}

std::string PodVolumes::mount(const Json& volume_mounts, std::vector<exec::Mount>& mounts, PathMap& paths) {
  if (!volume_mounts.is_array()) return "";
  for (const auto& m : volume_mounts) {
    std::string name = text_field(m, "name");
    auto volume = volumes_.find(name);
    if (volume == volumes_.end()) return "volumeMount " + shown_name(name) + " names no volume";
    std::string path = text_field(m, "mountPath");
    if (path.empty() || path.front() != '/')
      return "volumeMount " + shown_name(name) + ": mountPath must be an absolute path";
    if (!text_field(m, "subPathExpr").empty()) {
      return "volumeMount " + shown_name(name) + ": subPathExpr is not supported by the local executors (use subPath)";
    }
    std::shared_ptr<const ConfinedDir> dir = volume->second;
    std::string sub_path = text_field(m, "subPath");
    if (!sub_path.empty()) {
      std::string error;
      auto sub = dir->subdir(sub_path, Create::Yes, &error);
      if (!sub) return "volumeMount " + shown_name(name) + ": subPath " + shown_name(sub_path) + ": " + error;
      dir = std::make_shared<const ConfinedDir>(std::move(*sub));
    }
    bool bound =
        std::any_of(mounts.begin(), mounts.end(), [&](const exec::Mount& x) { return x.container_path == path; });
    if (bound) continue;
    exec::Mount mount;
    mount.host_path = dir->path();
    mount.container_path = path;
    mount.read_only = m.contains("readOnly") && m["readOnly"].is_boolean() && m["readOnly"].get<bool>();
    mount.pinned_path = dir->pinned_path();
    mount.keep_alive = dir;
    mounts.push_back(std::move(mount));
    paths.emplace_back(path, dir->pinned_path());
  }
  return "";
}

}  // namespace rampart::engine
