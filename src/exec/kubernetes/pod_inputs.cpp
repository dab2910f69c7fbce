#include "exec/kubernetes/pod_inputs.h"

#include <sys/stat.h>

#include <filesystem>
#include <fstream>
#include <sstream>

namespace rampart::exec::kube {

namespace fs = std::filesystem;

namespace {

struct Gatherer {
  uint64_t max_bytes = 0;
  uint64_t total = 0;
  PodInputs result;

  bool add(const std::string& container_path, std::string content, int mode) {
    total += content.size();
    if (total > max_bytes) {
      result.error = "the step's input files (scripts, input artifacts, volume contents) exceed " +
                     std::to_string(max_bytes / 1024) +
                     " KiB, more than the kubernetes executor carries in a Secret; use an artifact repository";
      return false;
    }
    result.files.push_back({container_path, std::move(content), mode});
    return true;
  }

  bool add_file(const fs::path& host, const std::string& container_path) {
    std::ifstream in(host, std::ios::binary);
    std::stringstream s;
    s << in.rdbuf();
    struct stat st {};
    int mode = (::lstat(host.c_str(), &st) == 0 && (st.st_mode & S_IXUSR)) ? 0555 : 0444;
    return add(container_path, s.str(), mode);
  }

  // Every regular file under `host_dir`, placed under `container_dir`.
  bool add_tree(const fs::path& host_dir, const std::string& container_dir) {
    std::error_code ec;
    if (fs::is_symlink(host_dir, ec)) return true;
    if (fs::is_regular_file(host_dir, ec)) return add_file(host_dir, container_dir);
    if (!fs::is_directory(host_dir, ec)) return true;
    for (auto it = fs::recursive_directory_iterator(host_dir, fs::directory_options::skip_permission_denied, ec);
         !ec && it != fs::recursive_directory_iterator(); it.increment(ec)) {
      if (it->is_symlink(ec) || !it->is_regular_file(ec)) continue;
      std::string rel = fs::relative(it->path(), host_dir, ec).string();
      std::string target = container_dir == "/" ? "/" + rel : container_dir + "/" + rel;
      if (!add_file(it->path(), target)) return false;
    }
    return true;
  }
};

}  // namespace

PodInputs collect_pod_inputs(const StepRequest& request, uint64_t max_bytes) {
  Gatherer g;
  g.max_bytes = max_bytes;
  if (request.script_source && !g.add("/argo/staging/script", *request.script_source, 0555)) return g.result;
  if (!request.step_dir.empty()) {
    if (!g.add_tree(fs::path(request.step_dir) / "tmp", "/tmp")) return g.result;
    if (!g.add_tree(fs::path(request.step_dir) / "rootfs", "/")) return g.result;
  }
  for (const auto& m : request.mounts) {
    std::string dir = m.container_path;
    while (dir.size() > 1 && dir.back() == '/') dir.pop_back();
    if (!g.add_tree(m.host_path, dir)) return g.result;
  }
  return g.result;
}

}  // namespace rampart::exec::kube
