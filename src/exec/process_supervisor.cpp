#include "exec/process_supervisor.h"

#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <stdexcept>

#include "exec/child_process.h"
#include "exec/log_capture.h"

namespace rampart::exec {
namespace {

using Clock = std::chrono::steady_clock;

// After the step's main process has exited (and its process group and cgroup were killed), how
// long a descendant that escaped both may keep the output pipes open before we stop reading.
constexpr auto kDrainGrace = std::chrono::seconds(2);
constexpr size_t kReadChunk = 64 * 1024;
constexpr int kReadsPerWakeup = 16;  // bounds the time one flooding step holds the thread
constexpr size_t kMaxStatusText = 8192;

void close_fd(int& fd) {
  if (fd >= 0) ::close(fd);
  fd = -1;
}

int exit_code_of(int wait_status) {
  if (WIFEXITED(wait_status)) return WEXITSTATUS(wait_status);
  if (WIFSIGNALED(wait_status)) return 128 + WTERMSIG(wait_status);
  return -1;
}

// A number from bwrap's --json-status-fd: {"child-pid": N} once the sandbox's first process is
// cloned, {"exit-code": N} only when the step's program ran and ended.
std::optional<int> reported_value(const std::string& status_text, const std::string& name) {
  size_t key = status_text.find("\"" + name + "\"");
  if (key == std::string::npos) return std::nullopt;
  size_t colon = status_text.find(':', key);
  if (colon == std::string::npos) return std::nullopt;
  try {
    return std::stoi(status_text.substr(colon + 1));
  } catch (...) {
    return std::nullopt;
  }
}

// bwrap's own complaint ("bwrap: Can't mount ...") from the end of the step's stderr.
std::string sandbox_failure(const std::string& stderr_tail) {
  std::string reason;
  size_t pos = 0;
  while (pos < stderr_tail.size()) {
    size_t end = stderr_tail.find('\n', pos);
    if (end == std::string::npos) end = stderr_tail.size();
    std::string line = stderr_tail.substr(pos, end - pos);
    if (line.rfind("bwrap: ", 0) == 0) reason = line;
    pos = end + 1;
  }
  // Say it the way Docker and Kubernetes do when the program is missing.
  const std::string execvp = "bwrap: execvp ";
  const std::string missing = ": No such file or directory";
  if (reason.rfind(execvp, 0) == 0 && reason.size() > execvp.size() + missing.size() &&
      reason.compare(reason.size() - missing.size(), missing.size(), missing) == 0) {
    std::string program = reason.substr(execvp.size(), reason.size() - execvp.size() - missing.size());
    return "exec: \"" + program + "\": executable file not found in $PATH";
  }
  if (reason.empty()) reason = stderr_tail.empty() ? "no reason given" : stderr_tail;
  return "the sandbox could not start the step: " + reason;
}

}  // namespace

struct ProcessSupervisor::Step {
  std::string id;
  pid_t pid = -1;
  int pidfd = -1;
  int out_fd = -1;
  int err_fd = -1;
  int status_fd = -1;
  bool bwrap = false;
  std::unique_ptr<LogCapture> capture;
  std::unique_ptr<StepCgroup> cgroup;
  std::function<void(StepResult)> done;
  std::string status_text;
  bool exited = false;
  int wait_status = 0;
  std::optional<std::string> kill_reason;
  std::optional<Clock::time_point> drain_deadline;
  Watch out_watch{this, Watch::Stdout};
  Watch err_watch{this, Watch::Stderr};
  Watch status_watch{this, Watch::Status};
  Watch exit_watch{this, Watch::Exit};
};

ProcessSupervisor::ProcessSupervisor() {
  epoll_fd_ = ::epoll_create1(EPOLL_CLOEXEC);
  wake_fd_ = ::eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
  dev_null_fd_ = ::open("/dev/null", O_RDONLY | O_CLOEXEC);
  if (epoll_fd_ < 0 || wake_fd_ < 0 || dev_null_fd_ < 0) {
    std::string why = std::strerror(errno);
    close_fd(epoll_fd_);
    close_fd(wake_fd_);
    close_fd(dev_null_fd_);
    throw std::runtime_error("cannot set up the process supervisor: " + why);
  }
  epoll_event ev{};
  ev.events = EPOLLIN;
  ev.data.ptr = &wake_watch_;
  ::epoll_ctl(epoll_fd_, EPOLL_CTL_ADD, wake_fd_, &ev);
  thread_ = std::thread([this] {
    ::pthread_setname_np(::pthread_self(), "rampart-steps");  // not the engine thread that made it
    run();
  });
}

ProcessSupervisor::~ProcessSupervisor() {
  shutdown();
  if (thread_.joinable()) thread_.detach();  // only when shutdown ran on the I/O thread itself
  close_fd(epoll_fd_);
  close_fd(wake_fd_);
  close_fd(dev_null_fd_);
}

bool ProcessSupervisor::queues_empty() const { return launches_.empty() && rejections_.empty() && kills_.empty(); }

void ProcessSupervisor::wake() {
  uint64_t one = 1;
  ssize_t ignored = ::write(wake_fd_, &one, sizeof one);
  (void)ignored;
}

void ProcessSupervisor::launch(LaunchJob job) {
  bool queued = false, wake_needed = false;
  {
    std::lock_guard lock(mutex_);
    if (!stopping_) {
      wake_needed = queues_empty();
      ++pending_;
      launches_.push_back(std::move(job));
      queued = true;
    }
  }
  if (queued) {
    if (wake_needed) wake();
    return;
  }
  job.done(StepResult{StepOutcome::StartError, 0, "the executor is shut down", false});
}

void ProcessSupervisor::reject(std::function<void(StepResult)> done, StepResult result) {
  bool queued = false, wake_needed = false;
  {
    std::lock_guard lock(mutex_);
    if (!stopped_) {
      wake_needed = queues_empty();
      ++pending_;
      rejections_.emplace_back(std::move(done), std::move(result));
      queued = true;
    }
  }
  if (queued) {
    if (wake_needed) wake();
    return;
  }
  done(std::move(result));
}

void ProcessSupervisor::kill(const std::string& id, const std::string& reason) {
  bool wake_needed = false;
  {
    std::lock_guard lock(mutex_);
    wake_needed = queues_empty();
    kills_.emplace_back(id, reason);
  }
  if (wake_needed) wake();
}

void ProcessSupervisor::shutdown() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
    kill_everything_ = true;
    wake();
  }
  // A `done` callback that shuts the executor down cannot wait for its own thread.
  if (std::this_thread::get_id() == thread_.get_id()) return;
  if (thread_.joinable()) thread_.join();
}

size_t ProcessSupervisor::active() const {
  std::lock_guard lock(mutex_);
  return pending_;
}

void ProcessSupervisor::run() {
  epoll_event events[64];
  Deliveries deliveries;
  for (;;) {
    int timeout_ms = -1;
    auto now = Clock::now();
    for (const auto& [id, step] : steps_) {
      if (!step->drain_deadline) continue;
      auto left = std::chrono::ceil<std::chrono::milliseconds>(*step->drain_deadline - now).count();
      int ms = left < 0 ? 0 : static_cast<int>(left);
      if (timeout_ms < 0 || ms < timeout_ms) timeout_ms = ms;
    }
    int n = ::epoll_wait(epoll_fd_, events, 64, timeout_ms);
    if (n < 0 && errno != EINTR) {
      std::perror("rampart: epoll_wait");
      n = 0;
    }
    for (int i = 0; i < n; ++i) {
      auto* watch = static_cast<Watch*>(events[i].data.ptr);
      if (watch->kind == Watch::Wake) {
        uint64_t count;
        ssize_t ignored = ::read(wake_fd_, &count, sizeof count);
        (void)ignored;
      } else {
        on_readable(*watch);
      }
    }
    take_commands(deliveries);

    now = Clock::now();
    for (auto it = steps_.begin(); it != steps_.end();) {
      Step& step = *it->second;
      if (step.drain_deadline && now >= *step.drain_deadline) {
        close_stream(step, Watch::Stdout);
        close_stream(step, Watch::Stderr);
        close_stream(step, Watch::Status);
      }
      if (!is_complete(step)) {
        ++it;
        continue;
      }
      StepResult result = result_of(step);
      auto done = std::move(step.done);
      it = steps_.erase(it);  // closes the output files and removes the cgroup
      deliveries.emplace_back(std::move(done), std::move(result));
    }

    size_t delivered = deliveries.size();
    for (auto& [done, result] : deliveries) {
      try {
        done(std::move(result));
      } catch (const std::exception& e) {
        std::fprintf(stderr, "rampart: a step's done callback threw: %s\n", e.what());
      } catch (...) {
        std::fprintf(stderr, "rampart: a step's done callback threw\n");
      }
    }
    deliveries.clear();

    std::lock_guard lock(mutex_);
    pending_ -= delivered;
    if (stopping_ && steps_.empty() && launches_.empty() && rejections_.empty()) {
      stopped_ = true;
      return;
    }
  }
}

void ProcessSupervisor::take_commands(Deliveries& out) {
  std::deque<LaunchJob> launches;
  std::deque<std::pair<std::function<void(StepResult)>, StepResult>> rejections;
  std::deque<std::pair<std::string, std::string>> kills;
  bool kill_everything = false;
  bool stopping = false;
  {
    std::lock_guard lock(mutex_);
    launches.swap(launches_);
    rejections.swap(rejections_);
    kills.swap(kills_);
    kill_everything = kill_everything_;
    kill_everything_ = false;
    stopping = stopping_;
  }
  for (auto& job : launches) {
    if (stopping) {
      out.emplace_back(std::move(job.done), StepResult{StepOutcome::StartError, 0, "the executor is shut down", false});
    } else {
      start_step(std::move(job), out);
    }
  }
  for (auto& rejection : rejections) out.push_back(std::move(rejection));
  for (const auto& [id, reason] : kills) {
    auto it = steps_.find(id);
    if (it != steps_.end()) kill_step(*it->second, reason);
  }
  if (kill_everything) {
    for (auto& [id, step] : steps_) kill_step(*step, "the executor shut down");
  }
}

void ProcessSupervisor::start_step(LaunchJob job, Deliveries& out) {
  auto fail = [&](const std::string& message) {
    out.emplace_back(std::move(job.done), StepResult{StepOutcome::StartError, 0, message, false});
  };
  if (steps_.count(job.id)) return fail("a step with id \"" + job.id + "\" is already running");

  auto step = std::make_unique<Step>();
  step->id = job.id;
  step->bwrap = job.plan.bwrap_status_fd;
  step->capture = std::make_unique<LogCapture>(job.stdout_path, job.log_path, job.max_log_bytes, std::move(job.masker));
  step->cgroup = std::move(job.cgroup);

  int out_pipe[2] = {-1, -1}, err_pipe[2] = {-1, -1}, status_pipe[2] = {-1, -1};
  auto close_pipes = [&] {
    for (int* p : {out_pipe, err_pipe, status_pipe}) {
      close_fd(p[0]);
      close_fd(p[1]);
    }
  };
  if (::pipe2(out_pipe, O_CLOEXEC) != 0 || ::pipe2(err_pipe, O_CLOEXEC) != 0 ||
      (step->bwrap && ::pipe2(status_pipe, O_CLOEXEC) != 0)) {
    std::string why = std::strerror(errno);
    close_pipes();
    return fail("cannot create pipes: " + why);
  }
  ChildStdio stdio{dev_null_fd_, out_pipe[1], err_pipe[1], status_pipe[1]};
  std::vector<int> no_cgroup;
  SpawnedChild child = spawn_child(job.plan, stdio, step->cgroup ? step->cgroup->procs_fds() : no_cgroup, job.rlimits,
                                   /*die_with_parent=*/true);
  close_fd(out_pipe[1]);
  close_fd(err_pipe[1]);
  close_fd(status_pipe[1]);
  if (child.pid < 0) {
    close_pipes();
    std::string line = "rampart: " + child.error + "\n";
    step->capture->append(OutputStream::Stderr, line.data(), line.size());
    return fail(child.error);
  }
  step->pid = child.pid;
  step->pidfd = child.pidfd;
  step->out_fd = out_pipe[0];
  step->err_fd = err_pipe[0];
  step->status_fd = status_pipe[0];
  step->done = std::move(job.done);

  auto watch = [this](int fd, Watch* w) {
    if (fd < 0) return;
    ::fcntl(fd, F_SETFL, ::fcntl(fd, F_GETFL) | O_NONBLOCK);
    epoll_event ev{};
    ev.events = EPOLLIN;
    ev.data.ptr = w;
    ::epoll_ctl(epoll_fd_, EPOLL_CTL_ADD, fd, &ev);
  };
  watch(step->out_fd, &step->out_watch);
  watch(step->err_fd, &step->err_watch);
  watch(step->status_fd, &step->status_watch);
  watch(step->pidfd, &step->exit_watch);
  steps_.emplace(job.id, std::move(step));
}

void ProcessSupervisor::kill_step(Step& step, const std::string& reason) {
  if (step.exited) return;  // it ended on its own; only its output is still being read
  if (!step.kill_reason) step.kill_reason = reason;
  if (step.bwrap) {
    // Kill the sandbox's first process, the PID namespace's init: the kernel then kills every
    // process in the namespace, and bwrap reaps its child and exits on its own. (Killing bwrap
    // first works too, through --die-with-parent, but leaves that init to be reaped by the
    // host's pid 1.) Its pid cannot have been reused while bwrap has not reaped it.
    if (step.status_fd >= 0) on_readable(step.status_watch);  // the {"child-pid"} line may be unread
    if (auto sandbox_init = reported_value(step.status_text, "child-pid"); sandbox_init && *sandbox_init > 1) {
      ::kill(*sandbox_init, SIGKILL);
      return;
    }
  }
  // Not sandboxed, or the sandbox is still being set up: the process itself, its process group
  // and its cgroup. The pid cannot have been reused: only this thread reaps it, and it has not yet.
  ::syscall(SYS_pidfd_send_signal, step.pidfd, SIGKILL, nullptr, 0);
  ::kill(-step.pid, SIGKILL);
  if (step.cgroup) step.cgroup->kill_all();  // whatever left the process group
}

void ProcessSupervisor::on_readable(Watch& watch) {
  Step& step = *watch.step;
  if (watch.kind == Watch::Exit) return on_exit(step);
  int fd = watch.kind == Watch::Stdout ? step.out_fd : watch.kind == Watch::Stderr ? step.err_fd : step.status_fd;
  if (fd < 0) return;
  char buffer[kReadChunk];
  for (int i = 0; i < kReadsPerWakeup; ++i) {
    ssize_t n = ::read(fd, buffer, sizeof buffer);
    if (n > 0) {
      auto size = static_cast<size_t>(n);
      if (watch.kind == Watch::Status) {
        if (step.status_text.size() < kMaxStatusText) step.status_text.append(buffer, size);
      } else {
        step.capture->append(watch.kind == Watch::Stdout ? OutputStream::Stdout : OutputStream::Stderr, buffer, size);
      }
      continue;
    }
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 && errno == EAGAIN) return;
    close_stream(step, watch.kind);  // EOF or a broken pipe
    return;
  }
}

void ProcessSupervisor::on_exit(Step& step) {
  // Kubernetes ends a container with its main process: whatever it left running goes too.
  // The exited main process is a zombie until reaped below, so its pid and process group id
  // cannot have been reused yet.
  ::kill(-step.pid, SIGKILL);
  if (step.cgroup) step.cgroup->kill_all();
  int status = 0;
  pid_t reaped;
  do {
    reaped = ::waitpid(step.pid, &status, WNOHANG);
  } while (reaped < 0 && errno == EINTR);
  if (reaped == 0) return;  // spurious wake-up; the pidfd stays readable until it exits
  step.exited = true;
  step.wait_status = status;
  unwatch(step.pidfd);
  close_fd(step.pidfd);
  if (step.out_fd >= 0 || step.err_fd >= 0 || step.status_fd >= 0) step.drain_deadline = Clock::now() + kDrainGrace;
}

void ProcessSupervisor::close_stream(Step& step, Watch::Kind kind) {
  int& fd = kind == Watch::Stdout ? step.out_fd : kind == Watch::Stderr ? step.err_fd : step.status_fd;
  if (fd < 0) return;
  unwatch(fd);
  close_fd(fd);
  if (kind == Watch::Stdout) step.capture->end(OutputStream::Stdout);
  if (kind == Watch::Stderr) step.capture->end(OutputStream::Stderr);
}

bool ProcessSupervisor::is_complete(const Step& step) const {
  return step.exited && step.out_fd < 0 && step.err_fd < 0 && step.status_fd < 0;
}

StepResult ProcessSupervisor::result_of(Step& step) {
  StepResult result;
  result.output_truncated = step.capture->truncated();
  int code = exit_code_of(step.wait_status);
  if (step.kill_reason) {
    result.outcome = StepOutcome::Killed;
    result.exit_code = code;
    result.message = *step.kill_reason;
    return result;
  }
  if (step.bwrap) {
    std::optional<int> reported = reported_value(step.status_text, "exit-code");
    if (!reported && WIFEXITED(step.wait_status)) {
      // bwrap ran but the step's program never did: a mount, the working dir or exec failed.
      result.outcome = StepOutcome::StartError;
      result.exit_code = code;
      result.message = sandbox_failure(step.capture->stderr_tail());
      return result;
    }
    if (reported) code = *reported;
  }
  result.outcome = StepOutcome::Exited;
  result.exit_code = code;
  if (step.cgroup && step.cgroup->oom_killed()) result.message = "OOMKilled";
  if (!step.capture->write_error().empty()) {
    // What the step printed is lost, so its result and logs would lie: an error, not a success.
    result.outcome = StepOutcome::StartError;
    result.message = step.capture->write_error();
  }
  return result;
}

void ProcessSupervisor::unwatch(int fd) {
  if (fd >= 0) ::epoll_ctl(epoll_fd_, EPOLL_CTL_DEL, fd, nullptr);
}

}  // namespace rampart::exec
