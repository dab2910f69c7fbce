// Local synchronization: Argo's mutexes and semaphores for one engine process. A waiter is
// granted the lock in FIFO order as holders release it.
#pragma once

#include <deque>
#include <functional>
#include <map>
#include <string>

namespace rampart::engine {

class LockManager {
 public:
  // Asks for one unit of `lock` (capacity `limit`). `granted` runs immediately when free,
  // otherwise later from release(). Returns true when granted immediately.
  bool acquire(const std::string& lock, int limit, const std::string& holder, std::function<void()> granted);
  void release(const std::string& lock, const std::string& holder);
  size_t waiting(const std::string& lock) const;

 private:
  struct State {
    int limit = 1;
    std::map<std::string, int> holders;
    std::deque<std::pair<std::string, std::function<void()>>> waiters;
    int held() const {
      int n = 0;
      for (const auto& [h, c] : holders) n += c;
      return n;
    }
  };
  std::map<std::string, State> locks_;
};

}  // namespace rampart::engine
