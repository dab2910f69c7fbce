#include "exec/child_process.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <csignal>
#include <cstring>
#include <memory>

#include <sched.h>
#include <pthread.h>

namespace rampart::exec {
namespace {

// Why the child gave up, sent over the close-on-exec pipe.
enum class ChildStage : int { Cgroup = 1, Stdio, Chdir, Exec };

struct ChildFailure {
  ChildStage stage;
  int error;
};

[[noreturn]] void child_fail(int report_fd, ChildStage stage) {
  ChildFailure failure{stage, errno};
  // Best effort: if this write fails the parent sees EOF and reports the exit status instead.
  ssize_t ignored = ::write(report_fd, &failure, sizeof failure);
  (void)ignored;
  ::_exit(127);
}

// Only async-signal-safe calls from here on: the parent has other threads.
[[noreturn]] void run_child(const LaunchPlan& plan, char* const* argv, char* const* envp, const ChildStdio& stdio,
                            const std::vector<int>& cgroup_procs_fds, const std::vector<RlimitSetting>& rlimits,
                            bool die_with_parent, int report_fd) {
  // The parent may block or ignore signals (an engine blocks SIGCHLD, a server ignores SIGPIPE);
  // exec keeps both, and a step must start with the defaults.
  sigset_t none;
  sigemptyset(&none);
  sigprocmask(SIG_SETMASK, &none, nullptr);
  struct sigaction dfl {};
  dfl.sa_handler = SIG_DFL;
  for (int sig = 1; sig < NSIG; ++sig) sigaction(sig, &dfl, nullptr);

  // Its own session and process group: kill(-pid) reaches everything it starts.
  ::setsid();
  if (die_with_parent) ::prctl(PR_SET_PDEATHSIG, SIGKILL);

  // "0" is the writer itself: with v1's "tasks" file no global lock is taken (see cgroups.cpp).
  for (int fd : cgroup_procs_fds) {
    if (::write(fd, "0", 1) < 0) child_fail(report_fd, ChildStage::Cgroup);
  }
  for (const auto& limit : rlimits) {
    struct rlimit value {
      limit.value, limit.value
    };
    ::setrlimit(limit.resource, &value);
  }

  // Lift every source fd above the targets first, so that dup2 never overwrites one still needed.
  auto lift = [report_fd](int fd) {
    if (fd < 0) return -1;
    int lifted = ::fcntl(fd, F_DUPFD_CLOEXEC, 10);
    if (lifted < 0) child_fail(report_fd, ChildStage::Stdio);
    return lifted;
  };
  int in = lift(stdio.stdin_fd), out = lift(stdio.stdout_fd), err = lift(stdio.stderr_fd),
      status = lift(stdio.status_fd);
  int report = lift(report_fd);
  if (::dup2(in, 0) < 0 || ::dup2(out, 1) < 0 || ::dup2(err, 2) < 0) child_fail(report, ChildStage::Stdio);
  int next_fd = 3;
  if (status >= 0) {
    if (::dup2(status, 3) < 0) child_fail(report, ChildStage::Stdio);
    next_fd = 4;
  }
  if (::dup3(report, next_fd, O_CLOEXEC) < 0) child_fail(report, ChildStage::Stdio);
  report = next_fd;
  // Nothing else of the engine's (databases, sockets, other steps' pipes) reaches the step.
  ::syscall(SYS_close_range, static_cast<unsigned>(next_fd + 1), ~0U, 0U);

  if (!plan.host_cwd.empty() && ::chdir(plan.host_cwd.c_str()) != 0) child_fail(report, ChildStage::Chdir);
  ::execve(plan.executable.c_str(), argv, envp);
  child_fail(report, ChildStage::Exec);
}

std::vector<char*> c_strings(const std::vector<std::string>& strings) {
  std::vector<char*> out;
  out.reserve(strings.size() + 1);
  for (const auto& s : strings) out.push_back(const_cast<char*>(s.c_str()));
  out.push_back(nullptr);
  return out;
}

std::string describe(const ChildFailure& failure, const LaunchPlan& plan) {
  std::string why = std::strerror(failure.error);
  switch (failure.stage) {
    case ChildStage::Cgroup: return "cannot join the step's cgroup: " + why;
    case ChildStage::Stdio: return "cannot set up the step's standard streams: " + why;
    case ChildStage::Chdir: return "cannot change to the working directory " + plan.host_cwd + ": " + why;
    case ChildStage::Exec: return "cannot execute " + plan.executable + ": " + why;
  }
  return why;
}

// What the cloned child reads: everything is prepared by the parent before the clone.
struct ChildArgs {
  const LaunchPlan* plan;
  char* const* argv;
  char* const* envp;
  const ChildStdio* stdio;
  const std::vector<int>* cgroup_procs_fds;
  const std::vector<RlimitSetting>* rlimits;
  bool die_with_parent;
  int report_fd;
};

int child_entry(void* raw) {
  const auto& a = *static_cast<const ChildArgs*>(raw);
  run_child(*a.plan, a.argv, a.envp, *a.stdio, *a.cgroup_procs_fds, *a.rlimits, a.die_with_parent, a.report_fd);
}

// The child's stack while it shares the engine's memory (until its execve). One per spawning
// thread, reused: the parent is suspended until the child has exec'd or exited (CLONE_VFORK).
constexpr size_t kChildStackBytes = 64 * 1024;

}  // namespace

SpawnedChild spawn_child(const LaunchPlan& plan, const ChildStdio& stdio, const std::vector<int>& cgroup_procs_fds,
                         const std::vector<RlimitSetting>& rlimits, bool die_with_parent) {
  std::vector<char*> argv = c_strings(plan.argv);
  std::vector<char*> envp = c_strings(plan.envp);
  int report[2];
  if (::pipe2(report, O_CLOEXEC) != 0) return {-1, -1, std::string("pipe: ") + std::strerror(errno)};

  // clone(CLONE_VM | CLONE_VFORK) rather than fork: the engine's page tables are not copied and
  // no copy-on-write faults follow, so a spawn costs the same whatever the engine's size. Every
  // signal stays blocked across the clone so no handler of the engine's runs in the child,
  // which resets them all to their defaults before unblocking.
  thread_local std::unique_ptr<char[]> stack(new char[kChildStackBytes]);
  ChildArgs args{&plan, argv.data(), envp.data(), &stdio, &cgroup_procs_fds, &rlimits, die_with_parent, report[1]};
  sigset_t all, saved_mask;
  sigfillset(&all);
  ::pthread_sigmask(SIG_SETMASK, &all, &saved_mask);
  int pidfd = -1;
  pid_t pid = ::clone(child_entry, stack.get() + kChildStackBytes, CLONE_VM | CLONE_VFORK | CLONE_PIDFD | SIGCHLD,
                      &args, &pidfd);
  int clone_errno = errno;
  ::pthread_sigmask(SIG_SETMASK, &saved_mask, nullptr);
  if (pid < 0) {
    ::close(report[0]);
    ::close(report[1]);
    return {-1, -1, std::string("clone: ") + std::strerror(clone_errno)};
  }
  ::close(report[1]);
  ChildFailure failure{};
  ssize_t n;
  do {
    n = ::read(report[0], &failure, sizeof failure);
  } while (n < 0 && errno == EINTR);
  ::close(report[0]);
  if (n == static_cast<ssize_t>(sizeof failure)) {
    ::close(pidfd);
    int status;
    while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {}
    return {-1, -1, describe(failure, plan)};
  }

  ::fcntl(pidfd, F_SETFD, FD_CLOEXEC);
  return {pid, pidfd, ""};
}

}  // namespace rampart::exec
