#include "server/resource_files.h"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>

namespace rampart::server {

namespace fs = std::filesystem;

ResourceFiles::ResourceFiles(std::string root) : root_(std::move(root)) {}

std::string ResourceFiles::path_of(const std::string& kind, const std::string& ns, const std::string& name) const {
  // Names reaching here were checked by the router (DNS-1123), so they cannot escape root_.
  return (fs::path(root_) / kind / (ns.empty() ? "_cluster" : ns) / (name + ".json")).string();
}

std::vector<nlohmann::json> ResourceFiles::list(const std::string& kind, const std::string& ns) {
  std::lock_guard lock(mutex_);
  std::vector<nlohmann::json> out;
  std::vector<fs::path> dirs;
  if (ns.empty() && kind != "clusterworkflowtemplates") {
    std::error_code ec;
    for (const auto& d : fs::directory_iterator(fs::path(root_) / kind, ec)) dirs.push_back(d.path());
  } else {
    dirs.push_back(fs::path(root_) / kind / (ns.empty() ? "_cluster" : ns));
  }
  std::vector<fs::path> files;
  for (const auto& dir : dirs) {
    std::error_code ec;
    for (const auto& f : fs::directory_iterator(dir, ec)) {
      if (f.path().extension() == ".json") files.push_back(f.path());
    }
  }
  std::sort(files.begin(), files.end());
  for (const auto& f : files) {
    std::ifstream in(f);
    try {
      out.push_back(nlohmann::json::parse(in));
    } catch (const std::exception&) {
      // A damaged file is skipped rather than failing every listing.
    }
  }
  return out;
}

std::optional<nlohmann::json> ResourceFiles::get(const std::string& kind, const std::string& ns,
                                                 const std::string& name) {
  std::lock_guard lock(mutex_);
  std::ifstream in(path_of(kind, ns, name));
  if (!in) return std::nullopt;
  try {
    return nlohmann::json::parse(in);
  } catch (const std::exception&) {
    return std::nullopt;
  }
}

void ResourceFiles::put(const std::string& kind, const std::string& ns, const std::string& name,
                        const nlohmann::json& object) {
  std::lock_guard lock(mutex_);
  fs::path path = path_of(kind, ns, name);
  fs::create_directories(path.parent_path());
  fs::path tmp = path.string() + ".tmp";
  {
    std::ofstream out(tmp, std::ios::trunc);
    out << object.dump();
    out.flush();
    if (!out) throw std::runtime_error("cannot write " + tmp.string());
  }
  int fd = ::open(tmp.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd >= 0) {
    ::fsync(fd);
    ::close(fd);
  }
  fs::rename(tmp, path);
}

bool ResourceFiles::remove(const std::string& kind, const std::string& ns, const std::string& name) {
  std::lock_guard lock(mutex_);
  std::error_code ec;
  return fs::remove(path_of(kind, ns, name), ec);
}

}  // namespace rampart::server
