// Input artifacts placed where a step expects them, and output artifacts saved to the local
// artifact repository after it, as Argo's executor does around a pod's main container.
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <functional>

#include "common/bounded_json.h"
#include "common/confined_dir.h"
#include "engine/workflow_run.h"

namespace rampart::engine {

namespace fs = std::filesystem;

namespace {

// The repository key of an artifact reference: Argo's key-only artifacts name it under their
// location (s3, gcs, oss, azure); rampart records its own outputs the same way.
std::string artifact_key(const Json& a) {
  for (const char* location : {"s3", "gcs", "oss", "hdfs"}) {
    if (a.contains(location) && a[location].is_object() && a[location].contains("key")) {
      return a[location]["key"].get<std::string>();
    }
  }
  if (a.contains("azure") && a["azure"].is_object() && a["azure"].contains("blob"))
    return a["azure"]["blob"].get<std::string>();
  return "";
}

std::string write_raw_artifact(const ConfinedDir& base, const std::string& relative, const std::string& data) {
  std::string error;
  if (!base.remove(relative, &error)) return error;
  UniqueFd out = base.open_file(relative, O_WRONLY | O_CREAT | O_TRUNC, 0644, &error);
  if (!out) return error;
  if (::write(out.get(), data.data(), data.size()) != static_cast<ssize_t>(data.size()))
    return "cannot write " + relative;
  return "";
}

}  // namespace

std::string WorkflowRun::stage_input_artifacts(const Json& inputs, const expr::Scope& scope, PodContext& pod) {
  int index = 0;
  for (Json a : inputs.value("artifacts", Json::array())) {
    std::string aname = a.value("name", "");
    try {
      // Tags may sit at any depth: s3.key, raw.data, ...
      std::function<void(Json&)> resolve = [&](Json& v) {
        if (v.is_string()) {
          v = expr::substitute(v.get<std::string>(), scope, expr::Unresolved::Error);
        } else if (v.is_object() || v.is_array()) {
          for (auto it = v.begin(); it != v.end(); ++it) resolve(it.value());
        }
      };
      resolve(a);
    } catch (const expr::ExprError& e) {
      return "inputs.artifacts." + aname + ": " + e.what();
    }
    bool optional = a.value("optional", false);
    std::string path = a.value("path", "");
    if (path.empty()) return "inputs.artifacts." + aname + ": no path";
    // Where the source is: another artifact (`from`), a key, or inline data.
    Json source = a;
    if (a.contains("from")) {
      std::string from = a["from"].is_string() ? a["from"].get<std::string>() : a["from"].dump();
      source = parse_untrusted_json_or_discarded(from);
      if (!source.is_object()) {
        if (optional) continue;
        return "inputs.artifacts." + aname + ": from \"" + from + "\" does not name an artifact";
      }
    }
    std::string key = artifact_key(source);
    bool raw = source.contains("raw");
    if (key.empty() && !raw) {
      if (optional) continue;
      for (const char* unsupported : {"http", "git", "artifactory", "gcs", "s3", "oss", "azure", "hdfs"}) {
        if (source.contains(unsupported)) {
          return "inputs.artifacts." + aname + ": " + unsupported +
                 " artifacts need network access, which the local executor does not have";
        }
      }
      return "inputs.artifacts." + aname + " was not supplied";
    }
    // The host side of `path`: inside /tmp or a volume it is already mapped; elsewhere it gets
    // a host file or directory of its own, bound at `path`.
    std::string error;
    auto step = ConfinedDir::open(pod.step_dir, Create::No, &error);
    if (!step) return "inputs.artifacts." + aname + ": " + error;
    std::optional<ConfinedDir> base;
    std::string relative;
    if (auto mapped = map_container_path(pod.paths, path)) {
      // The host root is rampart's own (the step's root, /tmp, a walked volume): it may not exist
      // yet before the step first runs.
      base = ConfinedDir::open(mapped->host_root, Create::Yes, &error);
      relative = mapped->relative;
    } else {
      std::string file = fs::path(path).lexically_normal().filename().string();
      if (file.empty() || file == "." || file == "..")
        return "inputs.artifacts." + aname + ": path " + path + " names no file";
      relative = "inputs/" + std::to_string(index++) + "/" + file;
      base = step->subdir("", Create::No, &error);
      pod.mounts.push_back({(fs::path(pod.step_dir) / relative).string(), path, false});
    }
    if (!base) return "inputs.artifacts." + aname + ": " + error;
    if (raw) {
      error = write_raw_artifact(*base, relative, source["raw"].value("data", ""));
    } else {
      if (!artifacts_.exists(key)) {
        if (optional) continue;
        return "inputs.artifacts." + aname + ": artifact \"" + key + "\" not found in the artifact repository";
      }
      error = artifacts_.load(key, *base, relative, a.value("subPath", source.value("subPath", "")), *step);
    }
    if (!error.empty()) return "inputs.artifacts." + aname + ": " + error;
    if (a.contains("mode") && a["mode"].is_number_integer()) {
      // Permission bits only: an artifact never becomes setuid.
      UniqueFd fd = base->open_file(relative, O_PATH, 0, &error);
      if (fd)
        ::fchmodat(AT_FDCWD, ("/proc/self/fd/" + std::to_string(fd.get())).c_str(), a["mode"].get<int>() & 0777, 0);
    }
  }
  return "";
}

std::string WorkflowRun::save_output_artifacts(const Node& n, const Json& tmpl, const PathMap& paths, Json& out) {
  Json saved = Json::array();
  bool archive_logs =
      spec_.value("archiveLogs", false) || tmpl.value("archiveLocation", Json::object()).value("archiveLogs", false);
  for (const auto& a : tmpl.value("outputs", Json::object()).value("artifacts", Json::array())) {
    std::string aname = a.value("name", "");
    if (!a.contains("path")) continue;
    std::string path = a["path"].get<std::string>();
    auto mapped = map_container_path(paths, path);
    std::string error;
    auto base = mapped ? ConfinedDir::open(mapped->host_root, Create::No, &error) : std::nullopt;
    if (!base || !base->status(mapped->relative, &error)) {
      if (a.value("optional", false) && error.empty()) continue;
      return "outputs.artifacts." + aname + ": path " + path + (error.empty() ? " does not exist" : ": " + error);
    }
    bool archive = true;
    int level = -1;
    if (a.contains("archive")) {
      const Json& strategy = a["archive"];
      if (strategy.contains("none")) archive = false;
      if (strategy.contains("tar") && strategy["tar"].is_object() && strategy["tar"].contains("compressionLevel")) {
        level = strategy["tar"]["compressionLevel"].get<int>();
      }
    }
    // Argo's default key format: <workflow>/<pod>/<artifact>.tgz; a key-only output names its key.
    std::string key = artifact_key(a);
    // Keys resolve inside the namespace's part of the repository (artifact_repository.h).
    if (key.empty()) key = name_ + "/" + n.pod_name + "/" + aname + (archive ? ".tgz" : "");
    error = artifacts_.save(*base, mapped->relative, key, archive, level);
    if (!error.empty()) return "outputs.artifacts." + aname + ": " + error;
    Json record = {{"name", aname}, {"path", path}, {"s3", {{"key", key}}}};
    if (!archive) record["archive"] = {{"none", Json::object()}};
    if (a.contains("globalName")) record["globalName"] = a["globalName"];
    saved.push_back(record);
  }
  if (archive_logs) {
    std::string key = name_ + "/" + n.pod_name + "/main.log";
    std::string error;
    auto logs = ConfinedDir::open((fs::path(options_.state_dir) / "logs").string(), Create::Yes, &error);
    UniqueFd log = logs ? logs->open_file(ns_ + "/" + name_ + "/" + n.id + ".log", O_RDONLY, 0, &error) : UniqueFd();
    if (log && artifacts_.put_file(key, log.get()).empty())
      saved.push_back({{"name", "main-logs"}, {"s3", {{"key", key}}}});
  }
  if (!saved.empty()) out["artifacts"] = saved;
  return "";
}

}  // namespace rampart::engine
