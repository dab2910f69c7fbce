// How a step's resources.limits are enforced on this host: by a per-step cgroup where the
// controller is usable, else by an rlimit where one means the same thing, else not at all
// (and docs/executor.md says so). Deciding is separate from applying: the rlimits are applied by
// the forked child, the cgroup by StepCgroup.
#pragma once

#include <sys/resource.h>

#include <cstdint>
#include <string>
#include <vector>

#include "exec/cgroups.h"
#include "exec/executor.h"

namespace rampart::exec {

// Applies when the step sets no limit: enough for any build tool, far from a fork bomb's appetite.
inline constexpr uint64_t kDefaultMaxProcesses = 1024;

struct RlimitSetting {
  int resource;  // RLIMIT_*
  rlim_t value;  // soft and hard
};

struct LimitPlan {
  CgroupLimits cgroup;                 // what the step's cgroup enforces (empty: no cgroup needed)
  std::vector<RlimitSetting> rlimits;  // set in the child before exec

  bool needs_cgroup() const { return cgroup.max_processes || cgroup.memory_bytes || cgroup.cpu_cores; }
};

LimitPlan plan_limits(const ResourceLimits& limits, const CgroupHost& host);

// One line per limit saying how this host enforces it, for `rampart` diagnostics and tests.
std::string describe_enforcement(const CgroupHost& host);

}  // namespace rampart::exec
