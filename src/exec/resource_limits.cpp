#include "exec/resource_limits.h"

namespace rampart::exec {

LimitPlan plan_limits(const ResourceLimits& limits, const CgroupHost& host) {
  LimitPlan plan;
  // Core dumps of a step's crash would land in its cwd and can be huge; Kubernetes nodes
  // rarely keep them either.
  plan.rlimits.push_back({RLIMIT_CORE, 0});

  // Processes: only a pids cgroup counts per step. RLIMIT_NPROC counts every process of the uid
  // (root, here) across the host, so it cannot express "this step may have N processes".
  if (host.has(CgroupController::Pids)) plan.cgroup.max_processes = limits.max_processes.value_or(kDefaultMaxProcesses);

  // Memory: a cgroup caps resident memory and records OOM kills (reported as "OOMKilled").
  // Without one, RLIMIT_AS caps the address space instead: allocations past it fail (the
  // program sees ENOMEM / MemoryError) rather than the step being killed.
  if (limits.memory_bytes) {
    if (host.has(CgroupController::Memory)) {
      plan.cgroup.memory_bytes = *limits.memory_bytes;
    } else {
      plan.rlimits.push_back({RLIMIT_AS, static_cast<rlim_t>(*limits.memory_bytes)});
    }
  }

  // CPU: only a cgroup quota limits the rate. RLIMIT_CPU would kill the step after N seconds of
  // CPU time, which is a different thing, so without a cpu cgroup the limit is not enforced.
  if (limits.cpu_cores && host.has(CgroupController::Cpu)) plan.cgroup.cpu_cores = *limits.cpu_cores;
  return plan;
}

std::string describe_enforcement(const CgroupHost& host) {
  std::string out;
  out += host.has(CgroupController::Pids)
             ? "processes: pids.max of a per-step cgroup (default " + std::to_string(kDefaultMaxProcesses) + "); " +
                   host.describe(CgroupController::Pids) + "\n"
             : "processes: not enforced (" + host.describe(CgroupController::Pids) +
                   "); the PID namespace still ends every process with the step\n";
  out += host.has(CgroupController::Memory) ? "memory: per-step cgroup limit, OOM kills reported as OOMKilled; " +
                                                  host.describe(CgroupController::Memory) + "\n"
                                            : "memory: RLIMIT_AS (allocations fail past the limit) (" +
                                                  host.describe(CgroupController::Memory) + ")\n";
  out += host.has(CgroupController::Cpu)
             ? "cpu: per-step cgroup CFS quota; " + host.describe(CgroupController::Cpu) + "\n"
             : "cpu: not enforced (" + host.describe(CgroupController::Cpu) + ")\n";
  return out;
}

}  // namespace rampart::exec
