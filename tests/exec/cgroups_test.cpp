// Step cgroups are reused only when the previous step left them empty and they carry no memory
// limit (whose OOM counters would be inherited). Needs root and the pids controller; skipped
// otherwise.
#include "exec/cgroups.h"

#include <gtest/gtest.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <string>

namespace rampart::exec {
namespace {

// The groups' identities: the inodes of their cgroup.procs files (fd numbers are reused).
std::vector<ino_t> identity(const StepCgroup& group) {
  std::vector<ino_t> out;
  for (int fd : group.procs_fds()) {
    struct stat st {};
    ::fstat(fd, &st);
    out.push_back(st.st_ino);
  }
  return out;
}

std::shared_ptr<CgroupHost> host_or_skip() {
  auto host = CgroupHost::probe();
  if (::geteuid() != 0 || !host->has(CgroupController::Pids)) return nullptr;
  return host;
}

TEST(StepCgroupReuse, AnEmptiedGroupServesTheNextStepWithTheSameLimits) {
  auto host = host_or_skip();
  if (!host) GTEST_SKIP() << "needs root and the pids controller";
  std::vector<ino_t> first_fds;
  {
    StepCgroup first(host, "reuse-a", CgroupLimits{.max_processes = 64});
    first_fds = identity(first);
  }
  StepCgroup same(host, "reuse-b", CgroupLimits{.max_processes = 64});
  EXPECT_EQ(identity(same), first_fds) << "the spare group (and its open cgroup.procs) is reused";
  StepCgroup other(host, "reuse-c", CgroupLimits{.max_processes = 32});
  EXPECT_NE(identity(other), first_fds) << "other limits: a group of its own";
}

TEST(StepCgroupReuse, AGroupThatStillHoldsAProcessOrHasAMemoryLimitIsNotReused) {
  auto host = host_or_skip();
  if (!host) GTEST_SKIP() << "needs root and the pids controller";
  std::vector<ino_t> busy_fds;
  pid_t child = ::fork();
  if (child == 0) {
    ::pause();
    ::_exit(0);
  }
  {
    StepCgroup busy(host, "busy", CgroupLimits{.max_processes = 16});
    busy_fds = identity(busy);
    std::string pid = std::to_string(child);
    ASSERT_EQ(::write(busy.procs_fds()[0], pid.data(), pid.size()), static_cast<ssize_t>(pid.size()));
  }
  ::kill(child, SIGKILL);
  ::waitpid(child, nullptr, 0);
  StepCgroup next(host, "next", CgroupLimits{.max_processes = 16});
  EXPECT_NE(identity(next), busy_fds);

  if (!host->has(CgroupController::Memory)) return;
  std::vector<ino_t> memory_fds;
  {
    StepCgroup limited(host, "mem-a", CgroupLimits{.max_processes = 8, .memory_bytes = 64u << 20});
    memory_fds = identity(limited);
  }
  StepCgroup again(host, "mem-b", CgroupLimits{.max_processes = 8, .memory_bytes = 64u << 20});
  EXPECT_NE(identity(again), memory_fds);
}

}  // namespace
}  // namespace rampart::exec
