#include "engine/step_slots.h"

#include <sched.h>

#include <thread>
#include <vector>

namespace rampart::engine {

bool StepSlots::try_acquire() {
  std::lock_guard lock(mutex_);
  if (limit_ > 0 && in_use_ >= limit_) return false;
  ++in_use_;
  return true;
}

void StepSlots::release() {
  {
    std::lock_guard lock(mutex_);
    if (in_use_ > 0) --in_use_;
    if (subscribers_.empty()) return;
  }
  // Called without mutex_ so that a subscriber may call try_acquire(); notify_mutex_ keeps
  // unsubscribe() from returning while its callback still runs.
  std::lock_guard notifying(notify_mutex_);
  std::vector<std::function<void()>> callbacks;
  {
    std::lock_guard lock(mutex_);
    callbacks.reserve(subscribers_.size());
    for (const auto& [token, fn] : subscribers_) callbacks.push_back(fn);
  }
  for (const auto& fn : callbacks) fn();
}

int64_t StepSlots::in_use() const {
  std::lock_guard lock(mutex_);
  return in_use_;
}

int64_t StepSlots::subscribe(std::function<void()> on_free) {
  std::lock_guard lock(mutex_);
  int64_t token = next_token_++;
  subscribers_.emplace(token, std::move(on_free));
  return token;
}

void StepSlots::unsubscribe(int64_t token) {
  std::lock_guard notifying(notify_mutex_);
  std::lock_guard lock(mutex_);
  subscribers_.erase(token);
}

int64_t default_max_running_steps() {
  cpu_set_t set;
  int cpus = 0;
  if (sched_getaffinity(0, sizeof set, &set) == 0) cpus = CPU_COUNT(&set);
  if (cpus <= 0) cpus = static_cast<int>(std::thread::hardware_concurrency());
  if (cpus <= 0) cpus = 1;
  return 4 * static_cast<int64_t>(cpus);
}

}  // namespace rampart::engine
