// Per-step control groups: on Linux, and running as root, they are the only way to bound a
// step's number of processes (RLIMIT_NPROC counts every process of the user, and root ignores
// it), to cap its memory in a way that lets us tell the step was OOM-killed, and to limit its CPU
// rate (RLIMIT_CPU limits total CPU time, which is something else). Both cgroup v2 and the v1
// controllers are supported, per controller, because hosts mix them.
#pragma once

#include <sys/types.h>

#include <atomic>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

namespace rampart::exec {

enum class CgroupController { Pids, Memory, Cpu };

// Which controllers this process can use, and where its per-step groups go. Probing creates one
// parent group "rampart-<pid>-<n>" under this process's own group in each usable hierarchy (so a
// supervisor's limits on us still apply to our steps); the destructor removes them. Groups left
// behind by a rampart process that no longer exists are removed on the way.
class CgroupHost {
 public:
  // Never fails: a controller that cannot be used is simply absent (has() is false).
  static std::shared_ptr<CgroupHost> probe();
  // The process's host while anyone holds one, else a new probe(): executors made one after
  // another (a server makes one per workflow) share the parent groups and the spare step groups
  // instead of making and sweeping them each time. Thread-safe.
  static std::shared_ptr<CgroupHost> shared();
  // A name for a new step group, unique among the users of this host ("step-17").
  std::string next_step_name() const;
  ~CgroupHost();
  CgroupHost(const CgroupHost&) = delete;
  CgroupHost& operator=(const CgroupHost&) = delete;

  bool has(CgroupController controller) const;
  // Emptied step groups kept for the next step with the same limits, at most this many.
  static constexpr size_t kMaxSpareGroups = 64;
  // "pids: cgroup v1 (/sys/fs/cgroup/pids/rampart-42)" or "pids: unavailable (why)"
  std::string describe(CgroupController controller) const;

 private:
  friend class StepCgroup;
  CgroupHost() = default;
  // A step's groups, emptied, with their cgroup.procs fds still open (see StepCgroup).
  struct SpareGroup {
    std::vector<std::string> dirs;
    std::vector<int> procs_fds;
  };
  bool take_spare(const std::string& limits_key, SpareGroup& out) const;
  bool keep_spare(const std::string& limits_key, SpareGroup& group) const;
  mutable std::atomic<uint64_t> next_step_{0};
  mutable std::mutex spares_mutex_;
  mutable std::multimap<std::string, SpareGroup> spares_;  // by limits key
  struct Hierarchy {
    int version = 0;         // 1 or 2; 0: unavailable
    std::string parent_dir;  // .../rampart-<pid>-<n>
    std::string why_unavailable;
  };
  Hierarchy hierarchies_[3];
};

struct CgroupLimits {
  std::optional<uint64_t> max_processes;
  std::optional<uint64_t> memory_bytes;
  std::optional<double> cpu_cores;
};

// The groups of one step, one directory per hierarchy that has a controller it needs. Groups
// without a memory limit are reused: an emptied group goes back to the host and the next step with
// the same limits takes it, which spares the kernel a cgroup mkdir and rmdir per step. (A memory
// group keeps its OOM counters, so it is always new.)
class StepCgroup {
 public:
  // Creates the groups and writes the limits; throws std::runtime_error saying what failed.
  StepCgroup(std::shared_ptr<const CgroupHost> host, const std::string& name, const CgroupLimits& limits);
  // Hands the groups back for reuse when they are empty and reusable, else removes them
  // (retrying briefly while the kernel releases them).
  ~StepCgroup();
  StepCgroup(const StepCgroup&) = delete;
  StepCgroup& operator=(const StepCgroup&) = delete;

  // Write-only fds of each group's membership file (v1 "tasks", v2 "cgroup.procs"), opened
  // close-on-exec: the started child writes "0" (itself) to each before exec, so the step is
  // inside its limits from its first instruction.
  const std::vector<int>& procs_fds() const { return procs_fds_; }
  // SIGKILLs every process still in the groups (processes that left the step's session).
  void kill_all() const;
  // The kernel's OOM killer killed a process of this step.
  bool oom_killed() const;

 private:
  std::shared_ptr<const CgroupHost> host_;
  std::vector<std::string> dirs_;
  std::vector<int> procs_fds_;
  std::string memory_dir_;
  int memory_version_ = 0;
  std::string spare_key_;  // the limits, for reuse; empty: never reused
};

}  // namespace rampart::exec
