// Step cgroups are reused only when the previous step left them empty and they carry no memory
// limit (whose OOM counters would be inherited). Needs root and the pids controller; skipped
// otherwise.
#include "exec/cgroups.h"

#include <fcntl.h>

#include <gtest/gtest.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <fstream>
#include <sstream>
#include <string>

#include "exec/child_process.h"

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

// Executors made one after another in a process (a server's, one per workflow) share one host:
// its parent groups and spares are made once, and step group names never collide.
TEST(CgroupHostShared, OneHostWhileAnyoneHoldsItWithUniqueStepNames) {
  auto a = CgroupHost::shared();
  auto b = CgroupHost::shared();
  EXPECT_EQ(a.get(), b.get());
  EXPECT_NE(a->next_step_name(), b->next_step_name());
}

// The child joins its groups itself, before exec (it writes "0", the writer, to v1's "tasks" or
// v2's cgroup.procs): the program runs inside its limits from its first instruction.
TEST(StepCgroupMembership, AStartedChildIsInItsGroupWhenItRuns) {
  auto host = host_or_skip();
  if (!host) GTEST_SKIP() << "needs root and the pids controller";
  StepCgroup group(host, "membership", CgroupLimits{.max_processes = 8});
  int out[2];
  ASSERT_EQ(::pipe2(out, O_CLOEXEC), 0);
  int null_fd = ::open("/dev/null", O_RDWR | O_CLOEXEC);
  LaunchPlan plan{"/bin/sh", {"sh", "-c", "cat /proc/self/cgroup; cat /proc/$$/cgroup"}, {"PATH=/usr/bin:/bin"}, "/"};
  SpawnedChild child = spawn_child(plan, ChildStdio{null_fd, out[1], null_fd, -1}, group.procs_fds(), {}, true);
  ::close(out[1]);
  ::close(null_fd);
  ASSERT_GT(child.pid, 0) << child.error;
  std::string text;
  char buffer[4096];
  for (ssize_t n; (n = ::read(out[0], buffer, sizeof buffer)) > 0;) text.append(buffer, static_cast<size_t>(n));
  ::close(out[0]);
  int status = 0;
  ::waitpid(child.pid, &status, 0);
  ::close(child.pidfd);
  EXPECT_EQ(status, 0);
  // The pids hierarchy's line ("8:pids:/...") on a v1 host, else the unified one ("0::/...").
  bool v1 = text.find(":pids:") != std::string::npos;
  std::istringstream lines(text);
  int in_group = 0;
  for (std::string line; std::getline(lines, line);) {
    if (v1 ? line.find(":pids:") == std::string::npos : line.rfind("0::", 0) != 0) continue;
    EXPECT_NE(line.find("/membership"), std::string::npos) << line;
    ++in_group;
  }
  EXPECT_EQ(in_group, 2) << "the shell and what it started are in the group:\n" << text;
}

}  // namespace
}  // namespace rampart::exec
