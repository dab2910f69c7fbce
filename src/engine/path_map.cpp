#include "engine/path_map.h"

#include "common/confined_dir.h"

namespace rampart::engine {

namespace fs = std::filesystem;

namespace {

bool is_within(const fs::path& path, const fs::path& dir) {
  auto rel = path.lexically_relative(dir);
  return !rel.empty() && *rel.begin() != "..";
}

}  // namespace

std::optional<MappedPath> map_container_path(const PathMap& paths, const std::string& container_path) {
  fs::path container = fs::path(container_path).lexically_normal();
  if (!container.is_absolute()) return std::nullopt;
  for (const auto& [prefix, host] : paths) {
    auto rel = container.lexically_relative(fs::path(prefix).lexically_normal());
    if (rel.empty() || *rel.begin() == "..") continue;
    std::string relative = rel == "." ? "" : rel.string();
    while (!relative.empty() && relative.back() == '/') relative.pop_back();
    if (!ConfinedDir::check_relative(relative).empty()) return std::nullopt;
    return MappedPath{host, relative};
  }
  return std::nullopt;
}

std::optional<fs::path> contained_host_path(const PathMap& paths, const std::string& container_path) {
  fs::path container = fs::path(container_path).lexically_normal();
  for (const auto& [prefix, host] : paths) {
    auto rel = container.lexically_relative(fs::path(prefix).lexically_normal());
    if (rel.empty() || *rel.begin() == "..") continue;
    fs::path base = fs::path(host);
    fs::path candidate = rel == "." ? base : base / rel;
    // The step has ended when outputs are read and has not started when inputs are written, so
    // nothing can swap a symlink in between this check and the use of the path.
    std::error_code ec;
    fs::path real_base = fs::weakly_canonical(base, ec);
    if (ec) return std::nullopt;
    fs::path real = fs::weakly_canonical(candidate, ec);
    if (ec || !is_within(real, real_base)) return std::nullopt;
    return candidate;
  }
  return std::nullopt;
}

}  // namespace rampart::engine
