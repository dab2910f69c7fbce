// Slows down guessing: after too many failed authentications counted under one key (the Router
// counts per client address and per (address, token id)), further attempts under it are refused
// for a while, whether or not they would succeed. In memory; a restart forgets, which is
// acceptable for throttling. Bounded: entries whose window and lockout have passed are swept
// every kSweepEvery failures, and the table never holds more than kMaxEntries keys.
#pragma once

#include <cstddef>
#include <cstdint>
#include <mutex>
#include <string>
#include <unordered_map>

namespace rampart::server {

struct FailureLimits {
  int max_failures = 10;  // within `window_ms`
  int64_t window_ms = 60'000;
  int64_t lockout_ms = 60'000;  // refused for this long once the limit is hit
};

class FailureLimiter {
 public:
  static constexpr size_t kMaxEntries = 100'000;
  static constexpr uint64_t kSweepEvery = 4096;  // failures between sweeps of expired entries

  explicit FailureLimiter(FailureLimits limits = {});

  // False while `key` is locked out. Keys are e.g. "addr:127.0.0.1" or "subject:alice".
  bool allowed(const std::string& key, int64_t now_ms);
  void record_failure(const std::string& key, int64_t now_ms);
  void record_success(const std::string& key);
  // How many keys are remembered (bounded, for tests and metrics).
  size_t tracked_keys();
  const FailureLimits& limits() const { return limits_; }

 private:
  struct Entry {
    int failures = 0;
    int64_t window_start_ms = 0;
    int64_t locked_until_ms = 0;
  };
  void evict(int64_t now_ms);         // with mutex_ held
  void drop_expired(int64_t now_ms);  // with mutex_ held

  std::mutex mutex_;
  FailureLimits limits_;
  uint64_t failures_seen_ = 0;
  std::unordered_map<std::string, Entry> entries_;  // bounded: old entries are dropped
};

}  // namespace rampart::server
