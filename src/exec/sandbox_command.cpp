#include "exec/sandbox_command.h"

#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>

namespace rampart::exec {
namespace fs = std::filesystem;

namespace {

// What a step may see of the host, read-only: programs, libraries and configuration. Not /root,
// /home, /var, /run, /tmp, /work, /mnt, /media or the rampart state dir.
const char* const kHostRootEntries[] = {"/usr",   "/bin",    "/sbin", "/lib", "/lib32",
                                        "/lib64", "/libx32", "/etc",  "/opt", "/srv"};
// Secrets that live under /etc: a step runs as uid 0, and file permissions alone would let it read them.
const char* const kMaskedFiles[] = {"/etc/shadow",   "/etc/shadow-", "/etc/gshadow",
                                    "/etc/gshadow-", "/etc/sudoers", "/etc/security/opasswd"};
const char* const kMaskedDirs[] = {"/etc/ssh", "/etc/sudoers.d", "/etc/ssl/private"};

bool exists(const std::string& path) {
  struct stat st;
  return ::stat(path.c_str(), &st) == 0;
}

size_t depth(const std::string& path) { return static_cast<size_t>(std::count(path.begin(), path.end(), '/')); }

std::string staging_dir(const StepRequest& request) { return (fs::path(request.step_dir) / "staging").string(); }

std::string joined_env(const std::vector<std::pair<std::string, std::string>>& env, const std::string& name) {
  for (auto it = env.rbegin(); it != env.rend(); ++it) {
    if (it->first == name) return it->second;
  }
  return "";
}

std::vector<std::string> to_envp(const std::vector<std::pair<std::string, std::string>>& env) {
  std::vector<std::string> out;
  out.reserve(env.size());
  for (const auto& [name, value] : env) out.push_back(name + "=" + value);
  return out;
}

// execvp's search, done before fork so that a missing program is a clear StartError.
std::optional<std::string> find_in_path(const std::string& program, const std::string& path_variable) {
  if (program.find('/') != std::string::npos) return program;
  size_t begin = 0;
  while (begin <= path_variable.size()) {
    size_t end = path_variable.find(':', begin);
    if (end == std::string::npos) end = path_variable.size();
    std::string dir = path_variable.substr(begin, end - begin);
    if (dir.empty()) dir = ".";
    std::string candidate = dir + "/" + program;
    struct stat st;
    if (::stat(candidate.c_str(), &st) == 0 && S_ISREG(st.st_mode) && ::access(candidate.c_str(), X_OK) == 0)
      return candidate;
    begin = end + 1;
  }
  return std::nullopt;
}

bool is_under(const std::string& path, const std::string& dir) {
  return path.size() > dir.size() && path.compare(0, dir.size(), dir) == 0 && path[dir.size()] == '/';
}

// Shows the host directory `dir` read-only. A read-only bind has no room for a mount point that
// the host lacks (a ConfigMap at /etc/app), so a directory on the way to such a mount point is
// rebuilt instead: a tmpfs holding read-only binds of each entry, made read-only itself once the
// mounts are in place (the --remount-ro operations are appended to `remounts`).
void expose_read_only(std::vector<std::string>& a, std::vector<std::string>& remounts, const std::string& dir,
                      const std::vector<std::string>& missing_mount_points) {
  bool on_the_way = std::any_of(missing_mount_points.begin(), missing_mount_points.end(),
                                [&](const std::string& p) { return is_under(p, dir); });
  if (!on_the_way) {
    a.insert(a.end(), {"--ro-bind", dir, dir});
    return;
  }
  a.insert(a.end(), {"--tmpfs", dir});
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(dir, ec)) {
    std::string path = entry.path().string();
    if (entry.is_symlink(ec)) {
      a.insert(a.end(), {"--symlink", fs::read_symlink(entry.path(), ec).string(), path});
    } else if (entry.is_directory(ec)) {
      expose_read_only(a, remounts, path, missing_mount_points);
    } else {
      a.insert(a.end(), {"--ro-bind", path, path});
    }
  }
  remounts.insert(remounts.end(), {"--remount-ro", dir});  // each tmpfs is its own mount: any order
}

}  // namespace

HostLayout HostLayout::probe(const std::string& bwrap_path) {
  HostLayout layout;
  layout.bwrap = bwrap_path;
  for (const char* entry : kHostRootEntries) {
    struct stat st;
    if (::lstat(entry, &st) != 0) continue;
    if (S_ISLNK(st.st_mode)) {
      std::error_code ec;
      fs::path target = fs::read_symlink(entry, ec);
      if (!ec) layout.symlinks.emplace_back(target.string(), entry);
    } else if (S_ISDIR(st.st_mode)) {
      layout.read_only_dirs.push_back(entry);
    }
  }
  for (const char* file : kMaskedFiles) {
    if (exists(file)) layout.masked_files.push_back(file);
  }
  for (const char* dir : kMaskedDirs) {
    if (exists(dir)) layout.masked_dirs.push_back(dir);
  }
  return layout;
}

std::string sandbox_hostname(const std::string& step_id) {
  std::string out;
  for (char c : step_id) {
    if (out.size() == 63) break;
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    bool ok = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-';
    out += ok ? c : '-';
  }
  while (!out.empty() && out.front() == '-') out.erase(out.begin());
  while (!out.empty() && out.back() == '-') out.pop_back();
  return out.empty() ? "step" : out;
}

std::vector<std::pair<std::string, std::string>> step_environment(const StepRequest& request,
                                                                  const ImageRuntime& runtime, bool host_paths) {
  std::vector<std::pair<std::string, std::string>> env;
  auto set = [&env](const std::string& name, const std::string& value) {
    for (auto& entry : env) {
      if (entry.first == name) {
        entry.second = value;
        return;
      }
    }
    env.emplace_back(name, value);
  };
  set("PATH", runtime.path_variable(host_paths));
  // The container's /tmp: private and collected by the engine. Without a sandbox, the step dir's.
  std::string tmp = host_paths ? (fs::path(request.step_dir) / "tmp").string() : "/tmp";
  set("HOME", tmp);
  if (host_paths) set("TMPDIR", tmp);
  set("HOSTNAME", sandbox_hostname(request.id));
  for (const auto& [name, value] : runtime.env) set(name, value);
  for (const auto& [name, value] : request.env) set(name, value);
  return env;
}

LaunchBuild build_bubblewrap_launch(const HostLayout& host, const LaunchInputs& in) {
  const StepRequest& request = in.request;
  if (in.step_argv.empty()) {
    return {std::nullopt, "the step has no command and image \"" + request.image + "\" has no ENTRYPOINT or CMD"};
  }
  // Mounts go parents first, so that a volume at /tmp/x lands inside the /tmp bind.
  std::vector<Mount> mounts = request.mounts;
  std::stable_sort(mounts.begin(), mounts.end(),
                   [](const Mount& x, const Mount& y) { return depth(x.container_path) < depth(y.container_path); });
  bool tmp_declared = false;
  std::vector<std::string> missing_mount_points;  // inside host directories, absent on the host
  for (auto& m : mounts) {
    if (m.container_path.empty() || m.container_path[0] != '/') {
      return {std::nullopt, "mount \"" + m.container_path + "\": the container path must be absolute"};
    }
    m.container_path = fs::path(m.container_path).lexically_normal().string();
    if (m.container_path.size() > 1 && m.container_path.back() == '/') m.container_path.pop_back();
    if (!exists(m.bind_source())) {
      return {std::nullopt, "mount " + m.container_path + ": host path " + m.host_path + " does not exist"};
    }
    if (m.container_path == "/tmp") tmp_declared = true;
    struct stat st;
    if (::lstat(m.container_path.c_str(), &st) != 0) missing_mount_points.push_back(m.container_path);
  }

  LaunchPlan plan;
  plan.executable = host.bwrap;
  plan.bwrap_status_fd = true;
  auto& a = plan.argv;
  // The root is the step's own host directory, not "--ro-bind / /": a read-only root has no
  // mount points for /tmp, volumes or /argo/staging, and would show the host's /root, /home and
  // /var. Unlike a tmpfs, what the step writes anywhere outside the system directories (say
  // /result.txt, or a working directory) survives it, so the engine can collect outputs there.
  std::string rootfs = (fs::path(request.step_dir) / "rootfs").string();
  std::error_code ec;
  fs::create_directories(rootfs, ec);
  if (ec) return {std::nullopt, "cannot create the step's root directory " + rootfs + ": " + ec.message()};
  // The empty directories every image has (FHS), so steps can mkdir /mnt/out as they would in
  // a container; they are the step's own, not the host's.
  for (const char* dir : {"mnt", "media", "opt", "srv", "home", "root", "run", "var/tmp", "work"}) {
    fs::create_directories(fs::path(rootfs) / dir, ec);
  }
  a = {host.bwrap, "--bind", rootfs, "/"};
  std::vector<std::string> remounts;
  for (const auto& dir : host.read_only_dirs) expose_read_only(a, remounts, dir, missing_mount_points);
  for (const auto& [target, path] : host.symlinks) a.insert(a.end(), {"--symlink", target, path});
  for (const auto& file : host.masked_files) a.insert(a.end(), {"--ro-bind", "/dev/null", file});
  for (const auto& dir : host.masked_dirs) a.insert(a.end(), {"--tmpfs", dir});
  a.insert(a.end(), {"--dev", "/dev", "--proc", "/proc"});
  if (!tmp_declared) {
    std::string tmp = (fs::path(request.step_dir) / "tmp").string();
    if (!exists(tmp)) return {std::nullopt, "the step's /tmp directory " + tmp + " does not exist"};
    a.insert(a.end(), {"--bind", tmp, "/tmp"});
  }
  for (const auto& dir : in.runtime.path) {
    if (dir.host_dir != dir.container_dir) a.insert(a.end(), {"--ro-bind", dir.host_dir, dir.container_dir});
  }
  for (const auto& m : mounts)
    a.insert(a.end(), {m.read_only ? "--ro-bind" : "--bind", m.bind_source(), m.container_path});
  if (in.script_host) a.insert(a.end(), {"--ro-bind", *in.script_host, kScriptContainerPath});
  a.insert(a.end(), remounts.begin(), remounts.end());

  std::string cwd = request.working_dir.empty() ? in.runtime.workdir : request.working_dir;
  if (cwd != "/") a.insert(a.end(), {"--dir", cwd});  // Kubernetes creates a missing workingDir
  a.insert(a.end(), {"--chdir", cwd});

  a.insert(a.end(), {"--unshare-pid", "--unshare-ipc", "--unshare-uts", "--unshare-cgroup-try"});
  if (!request.network) a.push_back("--unshare-net");  // a private loopback only
  a.insert(a.end(), {"--hostname", sandbox_hostname(request.id)});
  // --die-with-parent: the sandbox dies with the engine. --new-session: no TIOCSTI into a tty.
  a.insert(a.end(), {"--die-with-parent", "--new-session", "--cap-drop", "ALL", "--json-status-fd", "3", "--"});
  a.insert(a.end(), in.step_argv.begin(), in.step_argv.end());

  // The environment reaches the step through bwrap's own (bwrap passes it on unchanged), which
  // is what --clearenv + --setenv would produce, without putting every value on the command line.
  plan.envp = to_envp(step_environment(request, in.runtime, false));
  return {std::move(plan), ""};
}

LaunchBuild build_unsandboxed_launch(const LaunchInputs& in) {
  const StepRequest& request = in.request;
  if (in.step_argv.empty()) {
    return {std::nullopt, "the step has no command and image \"" + request.image + "\" has no ENTRYPOINT or CMD"};
  }
  for (const auto& m : request.mounts) {
    // Without a mount namespace a volume cannot appear at its path; writing to the host's path
    // instead would be a surprise, so say so.
    if (fs::path(m.host_path).lexically_normal() != fs::path(m.container_path).lexically_normal()) {
      return {std::nullopt, "mount " + m.container_path + " needs the bwrap sandbox (sandbox \"none\" cannot bind " +
                                m.host_path + " there)"};
    }
  }
  auto env = step_environment(request, in.runtime, true);
  std::string program = in.step_argv.front();
  auto executable = find_in_path(program, joined_env(env, "PATH"));
  if (!executable) return {std::nullopt, "exec: \"" + program + "\": executable file not found in $PATH"};
  LaunchPlan plan;
  plan.executable = *executable;
  plan.argv = in.step_argv;
  plan.envp = to_envp(env);
  plan.host_cwd = request.working_dir.empty() ? (fs::path(request.step_dir) / "work").string() : request.working_dir;
  return {std::move(plan), ""};
}

std::string host_path_for(const StepRequest& request, const std::string& container_path, SandboxMode mode) {
  if (mode == SandboxMode::None) return container_path;
  fs::path path = fs::path(container_path).lexically_normal();
  if (path == kScriptContainerPath) return (fs::path(staging_dir(request)) / "script").string();
  // The deepest mount containing the path wins, as it does in the mount namespace.
  const Mount* best = nullptr;
  for (const auto& m : request.mounts) {
    fs::path mount_point = fs::path(m.container_path).lexically_normal();
    auto rel = path.lexically_relative(mount_point);
    if (rel.empty() || *rel.begin() == "..") continue;
    if (!best || depth(m.container_path) > depth(best->container_path)) best = &m;
  }
  auto join = [](const fs::path& base, const fs::path& rel) {
    return (rel == "." ? base : base / rel).lexically_normal().string();
  };
  if (best) return join(best->host_path, path.lexically_relative(fs::path(best->container_path).lexically_normal()));
  auto rel = path.lexically_relative("/tmp");
  if (!rel.empty() && *rel.begin() != "..") return join(fs::path(request.step_dir) / "tmp", rel);
  // Anything else the step wrote lives in its root directory (system directories are
  // read-only binds, so nothing written there can exist).
  return join(fs::path(request.step_dir) / "rootfs", path.lexically_relative("/"));
}

}  // namespace rampart::exec
