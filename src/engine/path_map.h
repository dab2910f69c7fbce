// Where a path inside a step lives on the host. The engine reads outputs from, and writes inputs
// to, directories the step itself could write: its root, /tmp and volumes. A step can plant
// symlinks there (/tmp/out -> /etc/shadow), so a path is only mapped when, with every symlink on
// the host resolved, it stays inside the host directory it maps to.
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace rampart::engine {

// {container prefix, host directory}, longest prefix first.
using PathMap = std::vector<std::pair<std::string, std::string>>;

// The host directory that maps `container_path` (the longest matching prefix) and the path below
// it, or nullopt when no prefix maps it or the rest is not a path ConfinedDir would walk
// (`..`). Reading and writing then go through ConfinedDir::open(host_root) and the relative path,
// so that links a step planted are never followed on the host.
struct MappedPath {
  std::string host_root;
  std::string relative;  // "" for the prefix itself
};
std::optional<MappedPath> map_container_path(const PathMap& paths, const std::string& container_path);

// The host path behind `container_path`, or nullopt when no prefix maps it or when it resolves
// outside its prefix's host directory (a symlink pointing out of the step). The path need not
// exist yet.
std::optional<std::filesystem::path> contained_host_path(const PathMap& paths, const std::string& container_path);

}  // namespace rampart::engine
