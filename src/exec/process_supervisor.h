// The one I/O thread behind every running step: it forks the steps, reads all their pipes with
// one epoll set, learns of their exits through pidfds, kills them on request, and calls each
// step's `done` exactly once. No thread per step, no polling: the thread sleeps in epoll_wait
// until a pipe, a pidfd or its eventfd (new work) is ready.
#pragma once

#include <sys/types.h>

#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "exec/cgroups.h"
#include "exec/executor.h"
#include "exec/resource_limits.h"
#include "exec/sandbox_command.h"

namespace rampart::exec {

// A step ready to fork: everything decided, nothing started.
struct LaunchJob {
  std::string id;
  LaunchPlan plan;
  std::vector<RlimitSetting> rlimits;
  std::unique_ptr<StepCgroup> cgroup;  // null: no cgroup for this step
  std::string stdout_path;
  std::string log_path;
  uint64_t max_log_bytes = 0;
  std::shared_ptr<const SecretMasker> masker;  // StepRequest::masker; null: nothing to mask
  std::function<void(StepResult)> done;
};

class ProcessSupervisor {
 public:
  ProcessSupervisor();
  ~ProcessSupervisor();  // shutdown()
  ProcessSupervisor(const ProcessSupervisor&) = delete;
  ProcessSupervisor& operator=(const ProcessSupervisor&) = delete;

  // Thread-safe; return at once. After shutdown() a launch ends at once with a StartError.
  void launch(LaunchJob job);
  // Delivers a result for a step that never got as far as a process (from the I/O thread, like
  // every other result, so `done` never runs inside the caller's start()).
  void reject(std::function<void(StepResult)> done, StepResult result);
  void kill(const std::string& id, const std::string& reason);
  // Kills every step, waits until each `done` has returned, stops the thread. Idempotent.
  void shutdown();

  // Steps whose process may still be running (launched and not yet reported).
  size_t active() const;

 private:
  struct Step;
  struct Watch {
    Step* step;  // null: the wake-up eventfd
    enum Kind { Stdout, Stderr, Status, Exit, Wake } kind;
  };

  void run();
  // Wakes the thread. Called after mutex_ is released, and only by a command queued into empty
  // queues: the thread takes every queue at once, after reading the wake-up, so a command queued
  // behind another is taken with it (a wake-up under the lock made the woken thread block on it).
  void wake();
  bool queues_empty() const;  // caller holds mutex_
  using Deliveries = std::vector<std::pair<std::function<void(StepResult)>, StepResult>>;
  void take_commands(Deliveries& out);
  void start_step(LaunchJob job, Deliveries& out);
  void kill_step(Step& step, const std::string& reason);
  void on_readable(Watch& watch);
  void on_exit(Step& step);
  void close_stream(Step& step, Watch::Kind kind);
  bool is_complete(const Step& step) const;
  StepResult result_of(Step& step);
  void unwatch(int fd);

  int epoll_fd_ = -1;
  int wake_fd_ = -1;
  int dev_null_fd_ = -1;
  Watch wake_watch_{nullptr, Watch::Wake};
  std::thread thread_;

  mutable std::mutex mutex_;  // guards everything below
  std::deque<LaunchJob> launches_;
  std::deque<std::pair<std::function<void(StepResult)>, StepResult>> rejections_;
  std::deque<std::pair<std::string, std::string>> kills_;  // {id, reason}
  bool kill_everything_ = false;
  bool stopping_ = false;
  bool stopped_ = false;
  size_t pending_ = 0;  // launched or rejected, `done` not yet returned

  // Owned by the I/O thread only.
  std::map<std::string, std::unique_ptr<Step>> steps_;
};

}  // namespace rampart::exec
