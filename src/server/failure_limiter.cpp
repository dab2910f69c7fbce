#include "server/failure_limiter.h"

#include <algorithm>
#include <vector>

namespace rampart::server {

namespace {

// Keys are attacker-chosen (client addresses, token ids), so the map is bounded. When full, what
// no longer matters is dropped first, then the oldest tenth of the rest, preferring entries that
// only count failures over those that lock a key out: a flood of new keys must not lift a
// lockout, and eviction must not cost a full scan on every failure.
constexpr size_t kMaxEntries = FailureLimiter::kMaxEntries;
constexpr size_t kEvictBatch = kMaxEntries / 10;

}  // namespace

FailureLimiter::FailureLimiter(FailureLimits limits) : limits_(limits) {}

bool FailureLimiter::allowed(const std::string& key, int64_t now_ms) {
  std::lock_guard lock(mutex_);
  auto it = entries_.find(key);
  return it == entries_.end() || it->second.locked_until_ms <= now_ms;
}

void FailureLimiter::record_failure(const std::string& key, int64_t now_ms) {
  std::lock_guard lock(mutex_);
  // Expired entries go now and then, so that a quiet server does not keep a past flood's keys.
  if (++failures_seen_ % kSweepEvery == 0) drop_expired(now_ms);
  if (entries_.size() >= kMaxEntries && !entries_.count(key)) evict(now_ms);
  Entry& e = entries_[key];
  if (e.locked_until_ms > now_ms) return;  // already locked out: the lockout is not extended
  if (e.failures == 0 || now_ms - e.window_start_ms > limits_.window_ms) {
    e.window_start_ms = now_ms;
    e.failures = 0;
  }
  if (++e.failures >= limits_.max_failures) {
    e.locked_until_ms = now_ms + limits_.lockout_ms;
    e.failures = 0;
  }
}

void FailureLimiter::record_success(const std::string& key) {
  std::lock_guard lock(mutex_);
  auto it = entries_.find(key);
  // A success while locked out cannot happen through allowed(); keep lockouts regardless.
  if (it != entries_.end() && it->second.locked_until_ms == 0) entries_.erase(it);
}

size_t FailureLimiter::tracked_keys() {
  std::lock_guard lock(mutex_);
  return entries_.size();
}

void FailureLimiter::drop_expired(int64_t now_ms) {
  for (auto it = entries_.begin(); it != entries_.end();) {
    const Entry& e = it->second;
    bool stale = e.locked_until_ms <= now_ms && now_ms - e.window_start_ms > limits_.window_ms;
    it = stale ? entries_.erase(it) : std::next(it);
  }
}

void FailureLimiter::evict(int64_t now_ms) {
  drop_expired(now_ms);
  if (entries_.size() + kEvictBatch <= kMaxEntries) return;
  // Still (nearly) full of live entries: drop the least important tenth. Rank: counting
  // entries before lockouts, then oldest first (lockouts by their end, counters by their start).
  struct Candidate {
    bool locked;
    int64_t when;
    const std::string* key;
  };
  std::vector<Candidate> all;
  all.reserve(entries_.size());
  for (const auto& [k, e] : entries_) {
    bool locked = e.locked_until_ms > now_ms;
    all.push_back({locked, locked ? e.locked_until_ms : e.window_start_ms, &k});
  }
  auto less_important = [](const Candidate& a, const Candidate& b) {
    return a.locked != b.locked ? !a.locked : a.when < b.when;
  };
  size_t drop = entries_.size() + kEvictBatch - kMaxEntries;
  std::nth_element(all.begin(), all.begin() + static_cast<std::ptrdiff_t>(drop - 1), all.end(), less_important);
  std::vector<std::string> victims;
  victims.reserve(drop);
  for (size_t i = 0; i < drop; ++i) victims.push_back(*all[i].key);
  for (const auto& k : victims) entries_.erase(k);
}

}  // namespace rampart::server
