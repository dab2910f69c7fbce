// Input artifacts placed where a step expects them, and output artifacts saved to the local
// artifact repository after it, as Argo's executor does around a pod's main container.
#include <filesystem>
#include <fstream>
#include <functional>

#include "common/bounded_json.h"
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
  if (a.contains("azure") && a["azure"].is_object() && a["azure"].contains("blob")) return a["azure"]["blob"].get<std::string>();
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
    fs::path host;
    if (auto mapped = contained_host_path(pod.paths, path)) {
      host = *mapped;
    } else {
      host = fs::path(pod.step_dir) / "inputs" / std::to_string(index++) / fs::path(path).filename();
      pod.mounts.push_back({host.string(), path, false});
    }
    std::error_code ec;
    fs::create_directories(host.parent_path(), ec);
    fs::remove_all(host, ec);
    std::string error;
    if (raw) {
      std::ofstream out(host, std::ios::binary);
      out << source["raw"].value("data", "");
      if (!out) error = "cannot write " + host.string();
    } else {
      if (!artifacts_.exists(key)) {
        if (optional) continue;
        return "inputs.artifacts." + aname + ": artifact \"" + key + "\" not found in the artifact repository";
      }
      error = artifacts_.load(key, host, a.value("subPath", source.value("subPath", "")));
    }
    if (!error.empty()) return "inputs.artifacts." + aname + ": " + error;
    if (a.contains("mode") && a["mode"].is_number_integer()) {
      fs::permissions(host, static_cast<fs::perms>(a["mode"].get<int>()), ec);
    }
  }
  return "";
}

std::string WorkflowRun::save_output_artifacts(const Node& n, const Json& tmpl, const PathMap& paths, Json& out) {
  Json saved = Json::array();
  bool archive_logs = spec_.value("archiveLogs", false) ||
                      tmpl.value("archiveLocation", Json::object()).value("archiveLogs", false);
  for (const auto& a : tmpl.value("outputs", Json::object()).value("artifacts", Json::array())) {
    std::string aname = a.value("name", "");
    if (!a.contains("path")) continue;
    std::string path = a["path"].get<std::string>();
    auto host = contained_host_path(paths, path);
    std::error_code ec;
    if (!host || !fs::exists(fs::symlink_status(*host, ec))) {
      if (a.value("optional", false)) continue;
      return "outputs.artifacts." + aname + ": path " + path + " does not exist";
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
    if (key.empty()) key = ns_ + "/" + name_ + "/" + n.pod_name + "/" + aname + (archive ? ".tgz" : "");
    std::string error = artifacts_.save(*host, key, archive, level);
    if (!error.empty()) return "outputs.artifacts." + aname + ": " + error;
    Json record = {{"name", aname}, {"path", path}, {"s3", {{"key", key}}}};
    if (!archive) record["archive"] = {{"none", Json::object()}};
    if (a.contains("globalName")) record["globalName"] = a["globalName"];
    saved.push_back(record);
  }
  if (archive_logs) {
    std::string key = ns_ + "/" + name_ + "/" + n.pod_name + "/main.log";
    fs::path log = fs::path(options_.state_dir) / "logs" / ns_ / name_ / (n.id + ".log");
    std::error_code ec;
    fs::create_directories(artifacts_.path_of(key).parent_path(), ec);
    fs::copy_file(log, artifacts_.path_of(key), fs::copy_options::overwrite_existing, ec);
    if (!ec) saved.push_back({{"name", "main-logs"}, {"s3", {{"key", key}}}});
  }
  if (!saved.empty()) out["artifacts"] = saved;
  return "";
}

}  // namespace rampart::engine
