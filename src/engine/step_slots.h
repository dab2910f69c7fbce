// StepSlots: how many steps may run at once in this process, across every workflow that shares
// the object (a server shares one among all its workflows; `rampart run` has its own).
//
// Each running step holds one slot from before its directories are made until it has ended, so
// file descriptors, processes and memory grow with the cap, never with the size of a loop. A
// workflow whose step finds no free slot leaves it Pending and subscribes to be told when a
// slot frees; it then tries again on its own thread (there is no hand-off, so a workflow that
// ends while waiting owes nothing).
//
// Thread safety: every method may be called from any thread. Callbacks given to subscribe() are
// called on the thread that releases a slot, with no lock of this class held; they must be
// quick and thread-safe (posting to an event loop is the intended use).
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <mutex>

namespace rampart::engine {

class StepSlots {
 public:
  // `limit` <= 0: no limit (try_acquire always succeeds).
  explicit StepSlots(int64_t limit) : limit_(limit) {}
  StepSlots(const StepSlots&) = delete;
  StepSlots& operator=(const StepSlots&) = delete;

  int64_t limit() const { return limit_; }

  // Takes a slot if one is free. Every true must be matched by one release().
  bool try_acquire();
  // Gives a slot back and tells every subscriber that one is free.
  void release();
  int64_t in_use() const;

  // `on_free` is called after each release() until unsubscribe(token) returns; after that it is
  // never called again (unsubscribe waits for a call in progress to finish).
  int64_t subscribe(std::function<void()> on_free);
  void unsubscribe(int64_t token);

 private:
  const int64_t limit_;
  mutable std::mutex mutex_;
  int64_t in_use_ = 0;
  int64_t next_token_ = 1;
  std::map<int64_t, std::function<void()>> subscribers_;
  std::mutex notify_mutex_;  // held while subscribers are called, so unsubscribe can wait for them
};

// 4 x the processors this process may use: the default of `--parallelism`.
int64_t default_max_running_steps();

}  // namespace rampart::engine
