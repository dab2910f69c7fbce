// The engine's single thread of control. Everything that changes a workflow's state runs on it;
// other threads (the executor's I/O thread, signal handlers) only post work to it. Timers serve
// retries' backoff, suspend durations and deadlines.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <mutex>

namespace rampart::engine {

class EventLoop {
 public:
  using Task = std::function<void()>;
  using Clock = std::chrono::steady_clock;
  using TimerId = uint64_t;

  // Thread-safe: queues `task` to run on the loop's thread.
  void post(Task task);

  // Loop thread only: runs `task` after `delay`. Returns an id for cancel().
  TimerId schedule(std::chrono::milliseconds delay, Task task);
  void cancel(TimerId id);

  // Runs queued tasks and due timers until none is queued, then returns. Blocks up to `wait`
  // for the first one to arrive. Returns the number of tasks run.
  size_t run_once(std::chrono::milliseconds wait);

  bool has_timers() const { return !timers_.empty(); }

 private:
  std::mutex mutex_;
  std::condition_variable wake_;
  std::deque<Task> posted_;
  std::map<std::pair<Clock::time_point, TimerId>, Task> timers_;
  std::map<TimerId, Clock::time_point> timer_due_;
  TimerId next_timer_ = 1;
};

}  // namespace rampart::engine
