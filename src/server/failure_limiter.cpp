#include "server/failure_limiter.h"

namespace rampart::server {

namespace {
constexpr size_t kMaxEntries = 100'000;
}

FailureLimiter::FailureLimiter(FailureLimits limits) : limits_(limits) {}

bool FailureLimiter::allowed(const std::string& key, int64_t now_ms) {
  std::lock_guard lock(mutex_);
  auto it = entries_.find(key);
  return it == entries_.end() || it->second.locked_until_ms <= now_ms;
}

void FailureLimiter::record_failure(const std::string& key, int64_t now_ms) {
  std::lock_guard lock(mutex_);
  if (entries_.size() >= kMaxEntries && !entries_.count(key)) {
    // Drop what no longer matters; if everything still matters, forget the lot rather than grow.
    for (auto it = entries_.begin(); it != entries_.end();) {
      bool stale = it->second.locked_until_ms <= now_ms && now_ms - it->second.window_start_ms > limits_.window_ms;
      it = stale ? entries_.erase(it) : std::next(it);
    }
    if (entries_.size() >= kMaxEntries) entries_.clear();
  }
  Entry& e = entries_[key];
  if (now_ms - e.window_start_ms > limits_.window_ms) {
    e.window_start_ms = now_ms;
    e.failures = 0;
  }
  if (++e.failures >= limits_.max_failures) {
    e.locked_until_ms = now_ms + limits_.lockout_ms;
    e.failures = 0;
    e.window_start_ms = now_ms;
  }
}

void FailureLimiter::record_success(const std::string& key) {
  std::lock_guard lock(mutex_);
  auto it = entries_.find(key);
  if (it != entries_.end() && it->second.locked_until_ms == 0) entries_.erase(it);
}

}  // namespace rampart::server
