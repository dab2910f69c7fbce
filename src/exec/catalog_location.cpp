#include "exec/catalog_location.h"

#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <vector>

#include "exec/image_catalog.h"

namespace rampart::exec {
namespace fs = std::filesystem;

namespace {

fs::path running_binary_dir() {
  std::error_code ec;
  fs::path self = fs::read_symlink("/proc/self/exe", ec);
  return ec ? fs::path() : self.parent_path();
}

}  // namespace

std::string locate_image_catalog(const std::string& explicit_path) {
  // An explicit choice is never second-guessed: if it is wrong, loading it says so.
  if (!explicit_path.empty()) return explicit_path;
  if (const char* from_env = std::getenv("RAMPART_IMAGE_CATALOG"); from_env && *from_env) return from_env;

  std::vector<fs::path> candidates;
  if (fs::path bin = running_binary_dir(); !bin.empty()) {
    candidates.push_back(bin / ".." / "share" / "rampart" / "images.yaml");
    candidates.push_back(bin / "share" / "rampart" / "images.yaml");
  }
#ifdef RAMPART_SOURCE_DIR
  candidates.push_back(fs::path(RAMPART_SOURCE_DIR) / "share" / "rampart" / "images.yaml");
#endif
  std::string tried;
  for (const auto& candidate : candidates) {
    std::error_code ec;
    if (fs::is_regular_file(candidate, ec)) return candidate.lexically_normal().string();
    tried += (tried.empty() ? "" : ", ") + candidate.lexically_normal().string();
  }
  throw CatalogError("no image catalog found (tried " + tried +
                     "); set RAMPART_IMAGE_CATALOG or pass the catalog path");
}

}  // namespace rampart::exec
