// The volumes of one pod on the host, and the mounts its containers ask for.
//
// Everything here comes from the workflow (and, through parameters, from whoever submits it):
// volume names, claim names, ConfigMap keys, subPath. Each becomes a host directory only through
// ConfinedDir (common/confined_dir.h): claims live below <state>/volumes/<namespace>, the rest
// below the step's own directory, and a subPath is walked below its volume without `..`,
// absolute paths or symbolic links. Mounts carry the pinned path of the directory that was
// walked to, so a link a step swaps in afterwards cannot redirect the bind.
//
// Not thread-safe: one PodVolumes per pod, used on the engine's thread. The directories stay open
// (and their pinned paths valid) for as long as any copy of a Mount's keep-alive or of this
// object lives.
#pragma once

#include <map>
#include <memory>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "common/confined_dir.h"
#include "engine/path_map.h"
#include "exec/executor.h"

namespace rampart::engine {

struct VolumeSources {
  const std::map<std::string, std::map<std::string, std::string>>* config_maps = nullptr;
  const std::map<std::string, std::map<std::string, std::string>>* secrets = nullptr;
};

class PodVolumes {
 public:
  // `claims`: <state>/volumes/<namespace>, where persistentVolumeClaims and volumeClaimTemplates
  // live; `step`: the step's directory (emptyDir, ConfigMap and Secret volumes go below it).
  PodVolumes(std::shared_ptr<const ConfinedDir> claims, std::shared_ptr<const ConfinedDir> step, VolumeSources sources);

  // Declares one volume of the spec or the template (after parameter substitution). Returns ""
  // or why it cannot be provided (a bad name, a missing ConfigMap, a hostPath, ...).
  std::string add(const nlohmann::json& volume);
  // A volumeClaimTemplate of the workflow: one directory per workflow, `<workflow>-<name>`.
  std::string add_claim_template(const std::string& workflow, const nlohmann::json& claim);

  // Resolves a container's volumeMounts, appending binds to `mounts` and the host directories
  // behind their paths to `paths`. A mount point already bound is skipped. Returns "" or why not.
  std::string mount(const nlohmann::json& volume_mounts, std::vector<exec::Mount>& mounts, PathMap& paths);

 private:
  std::string add_config_map(const std::string& name, const nlohmann::json& source);
  std::string add_secret(const std::string& name, const nlohmann::json& source);
  std::string add_dir(const std::string& name, std::optional<ConfinedDir> dir, const std::string& error);

  std::shared_ptr<const ConfinedDir> claims_;
  std::shared_ptr<const ConfinedDir> step_;
  VolumeSources sources_;
  std::map<std::string, std::shared_ptr<const ConfinedDir>> volumes_;  // by volume name
};

}  // namespace rampart::engine
