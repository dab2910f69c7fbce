#include "exec/cgroups.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <chrono>
#include <cmath>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <thread>

namespace rampart::exec {
namespace fs = std::filesystem;

namespace {

const char* const kControllerNames[] = {"pids", "memory", "cpu"};

int index_of(CgroupController c) { return static_cast<int>(c); }

std::string read_file(const std::string& path) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  std::string out = text.str();
  while (!out.empty() && out.back() == '\n') out.pop_back();
  return out;
}

// True when the group exists and holds no process (a group that is gone is not empty).
bool group_is_empty(const std::string& dir) {
  int fd = ::open((dir + "/cgroup.procs").c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return false;
  char byte;
  ssize_t n;
  do {
    n = ::read(fd, &byte, 1);
  } while (n < 0 && errno == EINTR);
  ::close(fd);
  return n == 0;
}

// Writes the whole value with a single write(2), as cgroup files expect; false with errno set.
bool write_value(const std::string& path, const std::string& value) {
  int fd = ::open(path.c_str(), O_WRONLY | O_CLOEXEC);
  if (fd < 0) return false;
  ssize_t n = ::write(fd, value.data(), value.size());
  int saved = errno;
  ::close(fd);
  errno = saved;
  return n == static_cast<ssize_t>(value.size());
}

std::vector<std::string> split(const std::string& s, char sep) {
  std::vector<std::string> out;
  std::string item;
  std::istringstream in(s);
  while (std::getline(in, item, sep)) out.push_back(item);
  return out;
}

bool contains_word(const std::string& list, const std::string& word, char sep) {
  for (const auto& w : split(list, sep)) {
    if (w == word) return true;
  }
  return false;
}

struct Mount {
  std::string root;  // the part of the hierarchy the mount shows ("/" usually)
  std::string mountpoint;
  std::string fstype;
  std::string super_options;
};

std::vector<Mount> cgroup_mounts() {
  std::vector<Mount> mounts;
  std::ifstream in("/proc/self/mountinfo");
  std::string line;
  while (std::getline(in, line)) {
    // "36 25 0:31 / /sys/fs/cgroup/pids rw,relatime shared:5 - cgroup cgroup rw,pids"
    size_t dash = line.find(" - ");
    if (dash == std::string::npos) continue;
    auto before = split(line.substr(0, dash), ' ');
    auto after = split(line.substr(dash + 3), ' ');
    if (before.size() < 5 || after.size() < 3) continue;
    if (after[0] != "cgroup" && after[0] != "cgroup2") continue;
    mounts.push_back({before[3], before[4], after[0], after[2]});
  }
  return mounts;
}

// This process's group in the hierarchy with `key` ("pids" for v1; "" for the v2 line "0::").
std::optional<std::string> own_group(const std::string& key) {
  std::ifstream in("/proc/self/cgroup");
  std::string line;
  while (std::getline(in, line)) {
    size_t first = line.find(':');
    size_t second = line.find(':', first + 1);
    if (first == std::string::npos || second == std::string::npos) continue;
    std::string controllers = line.substr(first + 1, second - first - 1);
    bool match = key.empty() ? controllers.empty() : contains_word(controllers, key, ',');
    if (match) return line.substr(second + 1);
  }
  return std::nullopt;
}

// Where `group` is under a mount that shows the hierarchy from `mount.root`.
std::optional<std::string> group_dir(const Mount& mount, const std::string& group) {
  if (mount.root == "/") return mount.mountpoint + (group == "/" ? "" : group);
  if (group.rfind(mount.root, 0) != 0) return std::nullopt;  // we are outside what is mounted
  return mount.mountpoint + group.substr(mount.root.size());
}

void remove_group(const std::string& dir);

// Parent groups left by rampart processes that no longer exist (after a crash).
void remove_stale_parents(const std::string& dir) {
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(dir, ec)) {
    std::string name = entry.path().filename().string();
    if (name.rfind("rampart-", 0) != 0 || !entry.is_directory(ec)) continue;
    std::string pid = name.substr(8, name.find('-', 8) - 8);  // rampart-<pid>-<n>
    if (pid.empty() || pid.find_first_not_of("0123456789") != std::string::npos) continue;
    if (fs::exists("/proc/" + pid, ec)) continue;
    for (const auto& child : fs::directory_iterator(entry.path(), ec)) {
      if (!child.is_directory(ec)) continue;
      // Processes that outlived their engine (a container's, whose runtime was SIGKILLed with
      // it) would keep the group alive: kill them first, then wait for the kernel to let go.
      for (int round = 0; round < 100; ++round) {
        std::string procs = read_file(child.path().string() + "/cgroup.procs");
        if (procs.empty()) break;
        for (const auto& line : split(procs, '\n')) {
          if (!line.empty()) ::kill(std::stoi(line), SIGKILL);
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(5));
      }
      remove_group(child.path().string());
    }
    ::rmdir(entry.path().c_str());
  }
}

void remove_group(const std::string& dir) {
  // The kernel may still be tearing down the last processes of a step that was just reaped.
  for (int attempt = 0; attempt < 50; ++attempt) {
    if (::rmdir(dir.c_str()) == 0 || errno == ENOENT) return;
    if (errno != EBUSY) return;
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
}

}  // namespace

std::shared_ptr<CgroupHost> CgroupHost::probe() {
  std::shared_ptr<CgroupHost> host(new CgroupHost());
  // Several executors may live in one process (tests do this): each gets its own parent.
  static std::atomic<unsigned> executors_in_process{0};
  const std::string parent_name =
      "rampart-" + std::to_string(::getpid()) + "-" + std::to_string(executors_in_process++);
  auto mounts = cgroup_mounts();

  // cgroup v2 first: one directory for every controller it can delegate to our children.
  std::string v2_note = "no cgroup2 mount";
  for (const auto& mount : mounts) {
    if (mount.fstype != "cgroup2") continue;
    auto group = own_group("");
    auto dir = group ? group_dir(mount, *group) : std::nullopt;
    if (!dir) {
      v2_note = "this process's cgroup v2 group is not visible";
      break;
    }
    std::string available = read_file(*dir + "/cgroup.controllers");
    std::string parent = *dir + "/" + parent_name;
    remove_stale_parents(*dir);
    bool parent_made = false;
    for (int i = 0; i < 3; ++i) {
      std::string name = kControllerNames[i];
      if (!contains_word(available, name, ' ')) continue;
      // Our own group must delegate the controller; that fails (EBUSY) when it holds processes
      // and is not the root ("no internal processes" rule).
      if (!contains_word(read_file(*dir + "/cgroup.subtree_control"), name, ' ') &&
          !write_value(*dir + "/cgroup.subtree_control", "+" + name)) {
        host->hierarchies_[i].why_unavailable =
            "cgroup v2 cannot delegate it from " + *dir + ": " + std::strerror(errno);
        continue;
      }
      if (!parent_made) {
        if (::mkdir(parent.c_str(), 0755) != 0 && errno != EEXIST) {
          host->hierarchies_[i].why_unavailable = "cannot create " + parent + ": " + std::strerror(errno);
          continue;
        }
        parent_made = true;
      }
      if (!write_value(parent + "/cgroup.subtree_control", "+" + name)) {
        host->hierarchies_[i].why_unavailable = "cannot enable it in " + parent + ": " + std::strerror(errno);
        continue;
      }
      host->hierarchies_[i] = {2, parent, ""};
    }
    if (parent_made && !host->has(CgroupController::Pids) && !host->has(CgroupController::Memory) &&
        !host->has(CgroupController::Cpu)) {
      ::rmdir(parent.c_str());
    }
    v2_note = "not delegated by cgroup v2";
    break;
  }

  // Controllers still missing: a v1 hierarchy of their own.
  for (int i = 0; i < 3; ++i) {
    Hierarchy& h = host->hierarchies_[i];
    if (h.version) continue;
    std::string name = kControllerNames[i];
    const Mount* found = nullptr;
    for (const auto& mount : mounts) {
      if (mount.fstype == "cgroup" && contains_word(mount.super_options, name, ',')) found = &mount;
    }
    if (!found) {
      if (h.why_unavailable.empty()) h.why_unavailable = v2_note + " and no cgroup v1 " + name + " hierarchy";
      continue;
    }
    auto group = own_group(name);
    auto dir = group ? group_dir(*found, *group) : std::nullopt;
    if (!dir) {
      h.why_unavailable = "this process's group in " + found->mountpoint + " is not visible";
      continue;
    }
    remove_stale_parents(*dir);
    std::string parent = *dir + "/" + parent_name;
    if (::mkdir(parent.c_str(), 0755) != 0 && errno != EEXIST) {
      h.why_unavailable = "cannot create " + parent + ": " + std::strerror(errno);
      continue;
    }
    h = {1, parent, ""};
  }
  return host;
}

std::shared_ptr<CgroupHost> CgroupHost::shared() {
  static std::mutex mutex;
  static std::weak_ptr<CgroupHost> current;
  std::lock_guard lock(mutex);
  if (auto host = current.lock()) return host;
  auto host = probe();
  current = host;
  return host;
}

std::string CgroupHost::next_step_name() const { return "step-" + std::to_string(next_step_++); }

CgroupHost::~CgroupHost() {
  for (auto& [key, spare] : spares_) {
    for (int fd : spare.procs_fds) ::close(fd);
  }
  for (const auto& h : hierarchies_) {
    if (!h.version) continue;
    std::error_code ec;
    for (const auto& child : fs::directory_iterator(h.parent_dir, ec)) {
      if (child.is_directory(ec)) remove_group(child.path().string());
    }
    ::rmdir(h.parent_dir.c_str());  // v2 shares one parent: the second attempt finds it gone
  }
}

bool CgroupHost::has(CgroupController controller) const { return hierarchies_[index_of(controller)].version != 0; }

std::string CgroupHost::describe(CgroupController controller) const {
  const Hierarchy& h = hierarchies_[index_of(controller)];
  std::string name = kControllerNames[index_of(controller)];
  if (!h.version) return name + ": unavailable (" + h.why_unavailable + ")";
  return name + ": cgroup v" + std::to_string(h.version) + " (" + h.parent_dir + ")";
}

bool CgroupHost::take_spare(const std::string& limits_key, SpareGroup& out) const {
  std::lock_guard lock(spares_mutex_);
  auto it = spares_.find(limits_key);
  if (it == spares_.end()) return false;
  out = std::move(it->second);
  spares_.erase(it);
  return true;
}

bool CgroupHost::keep_spare(const std::string& limits_key, SpareGroup& group) const {
  std::lock_guard lock(spares_mutex_);
  if (spares_.size() >= kMaxSpareGroups) return false;
  spares_.emplace(limits_key, std::move(group));
  return true;
}

StepCgroup::StepCgroup(std::shared_ptr<const CgroupHost> host, const std::string& name, const CgroupLimits& limits)
    : host_(std::move(host)) {
  if (!limits.memory_bytes) {
    spare_key_ = "pids=" + (limits.max_processes ? std::to_string(*limits.max_processes) : "-") +
                 " cpu=" + (limits.cpu_cores ? std::to_string(*limits.cpu_cores) : "-");
    CgroupHost::SpareGroup spare;
    if (host_->take_spare(spare_key_, spare)) {
      dirs_ = std::move(spare.dirs);
      procs_fds_ = std::move(spare.procs_fds);
      return;
    }
  }
  auto group_for = [&](CgroupController c) -> std::string {
    const auto& h = host_->hierarchies_[index_of(c)];
    std::string dir = h.parent_dir + "/" + name;
    for (const auto& existing : dirs_) {
      if (existing == dir) return dir;  // v2: every controller shares the step's one group
    }
    if (::mkdir(dir.c_str(), 0755) != 0 && errno != EEXIST) {
      throw std::runtime_error("cannot create the cgroup " + dir + ": " + std::strerror(errno));
    }
    dirs_.push_back(dir);
    return dir;
  };
  auto set = [](const std::string& file, const std::string& value) {
    if (!write_value(file, value)) {
      throw std::runtime_error("cannot write " + value + " to " + file + ": " + std::strerror(errno));
    }
  };
  try {
    if (limits.max_processes && host_->has(CgroupController::Pids)) {
      set(group_for(CgroupController::Pids) + "/pids.max", std::to_string(*limits.max_processes));
    }
    if (limits.memory_bytes && host_->has(CgroupController::Memory)) {
      std::string dir = group_for(CgroupController::Memory);
      memory_version_ = host_->hierarchies_[index_of(CgroupController::Memory)].version;
      memory_dir_ = dir;
      std::string bytes = std::to_string(*limits.memory_bytes);
      if (memory_version_ == 2) {
        set(dir + "/memory.max", bytes);
        write_value(dir + "/memory.swap.max", "0");  // absent without swap accounting: fine
      } else {
        set(dir + "/memory.limit_in_bytes", bytes);
        write_value(dir + "/memory.memsw.limit_in_bytes", bytes);  // memory+swap; absent without swap
      }
    }
    if (limits.cpu_cores && host_->has(CgroupController::Cpu)) {
      std::string dir = group_for(CgroupController::Cpu);
      const long period_us = 100000;
      long quota_us = std::max(1000L, static_cast<long>(std::llround(*limits.cpu_cores * period_us)));
      if (host_->hierarchies_[index_of(CgroupController::Cpu)].version == 2) {
        set(dir + "/cpu.max", std::to_string(quota_us) + " " + std::to_string(period_us));
      } else {
        set(dir + "/cpu.cfs_period_us", std::to_string(period_us));
        set(dir + "/cpu.cfs_quota_us", std::to_string(quota_us));
      }
    }
    for (const auto& dir : dirs_) {
      // v1: "tasks", because a thread that moves itself there takes no global lock; writing to
      // cgroup.procs waits for an RCU grace period (cgroup_threadgroup_rwsem), milliseconds per
      // step. The child is single-threaded, so moving the thread moves the process. v2 has no
      // "tasks": cgroup.procs.
      int fd = ::open((dir + "/tasks").c_str(), O_WRONLY | O_CLOEXEC);
      if (fd < 0 && errno == ENOENT) fd = ::open((dir + "/cgroup.procs").c_str(), O_WRONLY | O_CLOEXEC);
      if (fd < 0) throw std::runtime_error("cannot open " + dir + "/cgroup.procs: " + std::strerror(errno));
      procs_fds_.push_back(fd);
    }
  } catch (...) {
    for (int fd : procs_fds_) ::close(fd);
    for (const auto& dir : dirs_) ::rmdir(dir.c_str());
    throw;
  }
}

StepCgroup::~StepCgroup() {
  bool empty = !spare_key_.empty();
  for (size_t i = 0; empty && i < dirs_.size(); ++i) empty = group_is_empty(dirs_[i]);
  if (empty) {
    CgroupHost::SpareGroup spare{std::move(dirs_), std::move(procs_fds_)};
    if (host_->keep_spare(spare_key_, spare)) return;
    dirs_ = std::move(spare.dirs);  // the host keeps enough spares: remove this one
    procs_fds_ = std::move(spare.procs_fds);
  }
  for (int fd : procs_fds_) ::close(fd);
  for (const auto& dir : dirs_) remove_group(dir);
}

void StepCgroup::kill_all() const {
  for (const auto& dir : dirs_) {
    if (write_value(dir + "/cgroup.kill", "1")) continue;  // v2 (5.14+): atomic, fork-proof
    // v1: repeat, because a process may fork while we read the list.
    for (int pass = 0; pass < 10; ++pass) {
      std::istringstream procs(read_file(dir + "/cgroup.procs"));
      bool any = false;
      pid_t pid = 0;
      while (procs >> pid) {
        if (pid > 0) ::kill(pid, SIGKILL);
        any = true;
      }
      if (!any) break;
    }
  }
}

bool StepCgroup::oom_killed() const {
  if (memory_dir_.empty()) return false;
  std::istringstream events(read_file(memory_dir_ + (memory_version_ == 2 ? "/memory.events" : "/memory.oom_control")));
  std::string key;
  uint64_t value = 0;
  while (events >> key >> value) {
    if (key == "oom_kill") return value > 0;
  }
  return false;
}

}  // namespace rampart::exec
