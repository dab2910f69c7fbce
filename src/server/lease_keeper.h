// Keeps this server's workflow leases alive on the shared database, and tells its engines when
// they must give their workflows up.
//
// Safety argument: a lease lives `ttl` from its last renewal by the database's clock. The keeper
// counts from the moment it *sent* its last successful renewal, which is no later than the
// database's moment, and declares the leases lost after half the ttl without success. Engines
// then kill their steps at their next scheduling round (within 100 ms). So a server cut off from
// the database has stopped its steps well before another server can take its workflows: no step
// runs twice at once, whichever side failed.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <mutex>
#include <string>
#include <thread>

namespace rampart::server {

class LeaseKeeper {
 public:
  // `renew` extends every lease of this server and throws when the database cannot be reached.
  LeaseKeeper(std::chrono::milliseconds ttl, std::function<void()> renew);
  ~LeaseKeeper();  // stops the renewal thread
  LeaseKeeper(const LeaseKeeper&) = delete;
  LeaseKeeper& operator=(const LeaseKeeper&) = delete;

  std::chrono::milliseconds ttl() const { return ttl_; }
  // True once no renewal has succeeded for half the ttl. Stays true until one succeeds again;
  // an engine that saw it true has already given its workflow up.
  bool lost() const;
  // Call just before acquiring a lease: the clock of a lease starts then.
  void note_acquired();

 private:
  void loop();
  static int64_t steady_ms();

  std::chrono::milliseconds ttl_;
  std::function<void()> renew_;
  std::atomic<int64_t> last_renewal_sent_ms_;
  std::mutex mutex_;
  std::condition_variable wake_;
  bool stopping_ = false;
  std::thread thread_;
};

}  // namespace rampart::server
