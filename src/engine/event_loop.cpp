#include "engine/event_loop.h"

#include <vector>

namespace rampart::engine {

void EventLoop::post(Task task) {
  {
    std::lock_guard lock(mutex_);
    posted_.push_back(std::move(task));
  }
  wake_.notify_one();
}

EventLoop::TimerId EventLoop::schedule(std::chrono::milliseconds delay, Task task) {
  TimerId id = next_timer_++;
  auto due = Clock::now() + delay;
  timers_.emplace(std::make_pair(due, id), std::move(task));
  timer_due_[id] = due;
  return id;
}

void EventLoop::cancel(TimerId id) {
  auto it = timer_due_.find(id);
  if (it == timer_due_.end()) return;
  timers_.erase({it->second, id});
  timer_due_.erase(it);
}

size_t EventLoop::run_once(std::chrono::milliseconds wait) {
  std::deque<Task> batch;
  {
    std::unique_lock lock(mutex_);
    auto deadline = Clock::now() + wait;
    if (!timers_.empty() && timers_.begin()->first.first < deadline) {
      deadline = timers_.begin()->first.first;
    }
    wake_.wait_until(lock, deadline, [&] { return !posted_.empty(); });
    batch.swap(posted_);
  }
  size_t ran = 0;
  for (auto& task : batch) {
    task();
    ++ran;
  }
  // Timers that are due now; a timer task may schedule new timers, which wait for the next turn.
  auto now = Clock::now();
  std::vector<Task> due;
  while (!timers_.empty() && timers_.begin()->first.first <= now) {
    auto node = timers_.extract(timers_.begin());
    timer_due_.erase(node.key().second);
    due.push_back(std::move(node.mapped()));
  }
  for (auto& task : due) {
    task();
    ++ran;
  }
  return ran;
}

}  // namespace rampart::engine
