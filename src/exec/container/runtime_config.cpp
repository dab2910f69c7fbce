#include "exec/container/runtime_config.h"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <sstream>

#include "exec/container/seccomp_profile.h"
#include "exec/sandbox_command.h"

namespace rampart::exec {

namespace fs = std::filesystem;
using Json = nlohmann::json;

namespace {

const char* const kCapabilities[] = {"CAP_CHOWN",
                                     "CAP_DAC_OVERRIDE",
                                     "CAP_DAC_READ_SEARCH",
                                     "CAP_FOWNER",
                                     "CAP_FSETID",
                                     "CAP_KILL",
                                     "CAP_SETGID",
                                     "CAP_SETUID",
                                     "CAP_SETPCAP",
                                     "CAP_LINUX_IMMUTABLE",
                                     "CAP_NET_BIND_SERVICE",
                                     "CAP_NET_BROADCAST",
                                     "CAP_NET_ADMIN",
                                     "CAP_NET_RAW",
                                     "CAP_IPC_LOCK",
                                     "CAP_IPC_OWNER",
                                     "CAP_SYS_MODULE",
                                     "CAP_SYS_RAWIO",
                                     "CAP_SYS_CHROOT",
                                     "CAP_SYS_PTRACE",
                                     "CAP_SYS_PACCT",
                                     "CAP_SYS_ADMIN",
                                     "CAP_SYS_BOOT",
                                     "CAP_SYS_NICE",
                                     "CAP_SYS_RESOURCE",
                                     "CAP_SYS_TIME",
                                     "CAP_SYS_TTY_CONFIG",
                                     "CAP_MKNOD",
                                     "CAP_LEASE",
                                     "CAP_AUDIT_WRITE",
                                     "CAP_AUDIT_CONTROL",
                                     "CAP_SETFCAP",
                                     "CAP_MAC_OVERRIDE",
                                     "CAP_MAC_ADMIN",
                                     "CAP_SYSLOG",
                                     "CAP_WAKE_ALARM",
                                     "CAP_BLOCK_SUSPEND",
                                     "CAP_AUDIT_READ",
                                     "CAP_PERFMON",
                                     "CAP_BPF",
                                     "CAP_CHECKPOINT_RESTORE"};

std::string capability_name(std::string name) {
  for (auto& c : name) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  if (name.rfind("CAP_", 0) != 0) name = "CAP_" + name;
  return name;
}

bool known_capability(const std::string& name) {
  return std::any_of(std::begin(kCapabilities), std::end(kCapabilities), [&](const char* c) { return name == c; });
}

size_t depth(const std::string& path) { return static_cast<size_t>(std::count(path.begin(), path.end(), '/')); }

Json bind_mount(const std::string& source, const std::string& destination, bool read_only) {
  return {{"destination", destination},
          {"type", "bind"},
          {"source", source},
          {"options", {"rbind", "nosuid", "nodev", read_only ? "ro" : "rw"}}};
}

// Reads a file of the image's root without following a symlink anywhere on the way: the image
// comes from a registry, and its /etc/passwd must not be a window onto the host's files.
std::optional<std::string> read_in_root(const std::string& rootfs, const std::string& relative) {
  int dir = ::open(rootfs.c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC);
  if (dir < 0) return std::nullopt;
  std::stringstream parts(relative);
  std::string part, content;
  std::vector<std::string> names;
  while (std::getline(parts, part, '/')) {
    if (!part.empty()) names.push_back(part);
  }
  for (size_t i = 0; i < names.size(); ++i) {
    bool last = i + 1 == names.size();
    int next = ::openat(dir, names[i].c_str(), (last ? O_RDONLY : O_PATH | O_DIRECTORY) | O_NOFOLLOW | O_CLOEXEC);
    ::close(dir);
    if (next < 0) return std::nullopt;
    dir = next;
  }
  char buffer[4096];
  ssize_t n;
  while ((n = ::read(dir, buffer, sizeof buffer)) > 0 && content.size() < (1 << 20))
    content.append(buffer, static_cast<size_t>(n));
  ::close(dir);
  return content;
}

// Field `field` (0-based) of the line of a colon-separated file whose first field is `name`.
std::optional<std::string> lookup(const std::string& text, const std::string& name, size_t field) {
  std::stringstream lines(text);
  for (std::string line; std::getline(lines, line);) {
    std::vector<std::string> fields;
    std::stringstream cols(line);
    for (std::string col; std::getline(cols, col, ':');) fields.push_back(col);
    if (fields.size() > field && fields[0] == name) return fields[field];
  }
  return std::nullopt;
}

std::optional<uint32_t> number(const std::string& s) {
  if (s.empty() || s.size() > 10 || s.find_first_not_of("0123456789") != std::string::npos) return std::nullopt;
  unsigned long v = std::stoul(s);
  if (v > 0xFFFFFFFFul) return std::nullopt;
  return static_cast<uint32_t>(v);
}

// crun binds inside the container's own mount namespace, where a descriptor's magic link into
// the engine's namespace cannot be the source (EINVAL). It gets the current path of the very
// directory the engine walked to (read from the descriptor just now, so a rename or a link
// planted before this point is not followed); the window left is the moment until crun mounts.
std::string container_bind_source(const Mount& m) {
  if (m.pinned_path.empty()) return m.host_path;
  std::error_code ec;
  fs::path current = fs::read_symlink(m.pinned_path, ec);
  return ec ? m.host_path : current.string();
}

}  // namespace

std::optional<std::pair<uint32_t, uint32_t>> resolve_user(const std::string& rootfs, const std::string& spec,
                                                          std::string* error) {
  std::string user = spec, group;
  if (size_t colon = spec.find(':'); colon != std::string::npos) {
    user = spec.substr(0, colon);
    group = spec.substr(colon + 1);
  }
  std::optional<std::string> passwd;
  std::optional<uint32_t> uid = number(user), gid;
  if (!uid) {
    passwd = read_in_root(rootfs, "etc/passwd");
    auto found = passwd ? lookup(*passwd, user, 2) : std::nullopt;
    if (found) uid = number(*found);
    if (!uid) {
      *error = "user \"" + user + "\" is not in the image's /etc/passwd";
      return std::nullopt;
    }
    if (group.empty()) {
      auto primary = lookup(*passwd, user, 3);
      if (primary) gid = number(*primary);
    }
  }
  if (!group.empty()) {
    gid = number(group);
    if (!gid) {
      auto groups = read_in_root(rootfs, "etc/group");
      auto found = groups ? lookup(*groups, group, 2) : std::nullopt;
      if (found) gid = number(*found);
      if (!gid) {
        *error = "group \"" + group + "\" is not in the image's /etc/group";
        return std::nullopt;
      }
    }
  }
  return std::make_pair(*uid, gid.value_or(0));
}

std::vector<std::string> container_environment(const StepRequest& request, const ImageConfig& image) {
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
  set("PATH", "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin");
  set("HOSTNAME", sandbox_hostname(request.id));
  set("HOME", "/root");
  for (const auto& [name, value] : image.env) set(name, value);
  for (const auto& [name, value] : request.env) set(name, value);
  std::vector<std::string> out;
  for (const auto& [name, value] : env) out.push_back(name + "=" + value);
  return out;
}

RuntimeConfigBuild make_runtime_config(const RuntimeConfigInputs& in, const ContainerPolicy& policy) {
  const StepRequest& request = in.request;
  const SecurityRequest& security = request.security;
  auto refuse = [](std::string why) { return RuntimeConfigBuild{Json(), std::move(why)}; };

  if (security.privileged && !policy.allow_privileged) {
    return refuse(
        "privileged containers are refused: securityContext.privileged would give the step the host's "
        "devices and every capability (an operator can allow it with --allow-privileged)");
  }
  if ((security.host_network || security.host_pid || security.host_ipc) && !policy.allow_host_namespaces) {
    return refuse(
        "host namespaces are refused: hostNetwork, hostPID and hostIPC would let the step see and reach the "
        "host (an operator can allow them with --allow-host-namespaces)");
  }
  if (request.network && !policy.allow_network) {
    return refuse(
        "network access is refused: the step asks for it (annotation rampart.io/network: enabled) but "
        "containers get only a private loopback unless an operator allows it with --allow-network");
  }
  std::vector<std::string> capabilities;
  for (const auto& requested : security.add_capabilities) {
    std::string name = capability_name(requested);
    if (name == "CAP_ALL") {
      if (!policy.allowed_capabilities.count("ALL")) return refuse("capability ALL is not permitted by policy");
      capabilities.assign(std::begin(kCapabilities), std::end(kCapabilities));
      continue;
    }
    if (!known_capability(name)) return refuse("unknown capability \"" + requested + "\"");
    std::string bare = name.substr(4);
    if (!policy.allowed_capabilities.count(bare) && !policy.allowed_capabilities.count("ALL")) {
      return refuse("capability " + bare +
                    " is not permitted by policy (containers run with no capabilities unless "
                    "an operator allows them with --allow-capability " +
                    bare + ")");
    }
    if (std::find(capabilities.begin(), capabilities.end(), name) == capabilities.end()) capabilities.push_back(name);
  }
  if (security.privileged) capabilities.assign(std::begin(kCapabilities), std::end(kCapabilities));
  if (in.argv.empty()) {
    return refuse("the step has no command and image \"" + request.image + "\" has no ENTRYPOINT or CMD");
  }
  std::string cwd =
      !request.working_dir.empty() ? request.working_dir : (!in.image.working_dir.empty() ? in.image.working_dir : "/");
  if (cwd[0] != '/') return refuse("workingDir \"" + cwd + "\" must be an absolute path");

  uint32_t uid = in.user ? in.user->first : 0, gid = in.user ? in.user->second : 0;
  if (security.run_as_user) uid = static_cast<uint32_t>(*security.run_as_user);
  if (security.run_as_group) gid = static_cast<uint32_t>(*security.run_as_group);
  if (security.run_as_non_root && uid == 0) {
    return refuse(
        "runAsNonRoot is set but the container would run as root (set runAsUser or use an image with a non-root USER)");
  }

  Json process = {
      {"terminal", false},
      {"user", {{"uid", uid}, {"gid", gid}}},
      {"args", in.argv},
      {"env", container_environment(request, in.image)},
      {"cwd", fs::path(cwd).lexically_normal().string()},
      {"capabilities",
       {{"bounding", capabilities},
        {"effective", capabilities},
        {"permitted", capabilities},
        {"ambient", Json::array()}}},
      {"noNewPrivileges", !security.privileged},
      {"rlimits", {{{"type", "RLIMIT_NOFILE"}, {"hard", in.max_open_files}, {"soft", in.max_open_files}}}},
  };

  Json mounts = Json::array({
      {{"destination", "/proc"}, {"type", "proc"}, {"source", "proc"}, {"options", {"nosuid", "noexec", "nodev"}}},
      {{"destination", "/dev"},
       {"type", "tmpfs"},
       {"source", "tmpfs"},
       {"options", {"nosuid", "strictatime", "mode=755", "size=65536k"}}},
      {{"destination", "/dev/pts"},
       {"type", "devpts"},
       {"source", "devpts"},
       {"options", {"nosuid", "noexec", "newinstance", "ptmxmode=0666", "mode=0620"}}},
      {{"destination", "/dev/shm"},
       {"type", "tmpfs"},
       {"source", "shm"},
       {"options", {"nosuid", "noexec", "nodev", "mode=1777", "size=65536k"}}},
      {{"destination", "/dev/mqueue"},
       {"type", "mqueue"},
       {"source", "mqueue"},
       {"options", {"nosuid", "noexec", "nodev"}}},
  });
  if (security.host_network) {
    mounts.push_back(bind_mount("/sys", "/sys", true));
  } else {
    mounts.push_back({{"destination", "/sys"},
                      {"type", "sysfs"},
                      {"source", "sysfs"},
                      {"options", {"nosuid", "noexec", "nodev", "ro"}}});
  }
  std::vector<Mount> volumes = request.mounts;
  std::stable_sort(volumes.begin(), volumes.end(),
                   [](const Mount& a, const Mount& b) { return depth(a.container_path) < depth(b.container_path); });
  bool tmp_declared = false;
  for (const auto& m : volumes) {
    if (m.container_path.empty() || m.container_path[0] != '/') {
      return refuse("mount \"" + m.container_path + "\": the container path must be absolute");
    }
    std::string destination = fs::path(m.container_path).lexically_normal().string();
    if (destination.size() > 1 && destination.back() == '/') destination.pop_back();
    if (destination == "/tmp") tmp_declared = true;
    if (!fs::exists(m.bind_source()))
      return refuse("mount " + destination + ": host path " + m.host_path + " does not exist");
  }
  if (!tmp_declared) mounts.push_back(bind_mount(in.tmp_host, "/tmp", false));
  for (const auto& m : volumes)
    mounts.push_back(
        bind_mount(container_bind_source(m), fs::path(m.container_path).lexically_normal().string(), m.read_only));
  if (in.script_host) mounts.push_back(bind_mount(*in.script_host, kScriptContainerPath, true));
  if (!in.hosts_file.empty()) mounts.push_back(bind_mount(in.hosts_file, "/etc/hosts", true));

  Json namespaces = Json::array({{{"type", "mount"}}, {{"type", "uts"}}, {{"type", "cgroup"}}});
  if (!security.host_pid) namespaces.push_back({{"type", "pid"}});
  if (!security.host_ipc) namespaces.push_back({{"type", "ipc"}});
  // A new network namespace has only a loopback device: no route out, and the host's own
  // loopback ports are out of reach.
  if (!security.host_network && !request.network) {
    if (in.network_namespace.empty()) {
      namespaces.push_back({{"type", "network"}});
    } else {
      namespaces.push_back({{"type", "network"}, {"path", in.network_namespace}});
    }
  }

  Json linux = {
      {"namespaces", namespaces},
      {"maskedPaths",
       {"/proc/acpi", "/proc/asound", "/proc/kcore", "/proc/keys", "/proc/latency_stats", "/proc/timer_list",
        "/proc/timer_stats", "/proc/sched_debug", "/sys/firmware", "/proc/scsi", "/sys/fs/selinux", "/sys/dev/block"}},
      {"readonlyPaths", {"/proc/bus", "/proc/fs", "/proc/irq", "/proc/sys", "/proc/sysrq-trigger"}},
  };
  if (!security.privileged) linux["seccomp"] = default_seccomp_profile();

  Json config = {
      {"ociVersion", "1.0.2"},
      {"process", process},
      {"root", {{"path", in.rootfs}, {"readonly", security.read_only_root}}},
      {"hostname", sandbox_hostname(request.id)},
      {"mounts", mounts},
      {"linux", linux},
  };
  return {config, ""};
}

}  // namespace rampart::exec
