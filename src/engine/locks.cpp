#include "engine/locks.h"

namespace rampart::engine {

bool LockManager::acquire(const std::string& lock, int limit, const std::string& holder,
                          std::function<void()> granted) {
  State& s = locks_[lock];
  s.limit = limit < 1 ? 1 : limit;
  if (s.held() < s.limit && s.waiters.empty()) {
    ++s.holders[holder];
    granted();
    return true;
  }
  s.waiters.emplace_back(holder, std::move(granted));
  return false;
}

void LockManager::release(const std::string& lock, const std::string& holder) {
  auto it = locks_.find(lock);
  if (it == locks_.end()) return;
  State& s = it->second;
  auto h = s.holders.find(holder);
  if (h == s.holders.end()) return;
  if (--h->second == 0) s.holders.erase(h);
  while (s.held() < s.limit && !s.waiters.empty()) {
    auto [next, granted] = std::move(s.waiters.front());
    s.waiters.pop_front();
    ++s.holders[next];
    granted();
  }
}

size_t LockManager::waiting(const std::string& lock) const {
  auto it = locks_.find(lock);
  return it == locks_.end() ? 0 : it->second.waiters.size();
}

}  // namespace rampart::engine
