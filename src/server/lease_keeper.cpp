#include "server/lease_keeper.h"

#include <iostream>

namespace rampart::server {

LeaseKeeper::LeaseKeeper(std::chrono::milliseconds ttl, std::function<void()> renew)
    : ttl_(ttl), renew_(std::move(renew)), last_renewal_sent_ms_(steady_ms()) {
  thread_ = std::thread([this] { loop(); });
}

LeaseKeeper::~LeaseKeeper() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  thread_.join();
}

int64_t LeaseKeeper::steady_ms() {
  using namespace std::chrono;
  return duration_cast<milliseconds>(steady_clock::now().time_since_epoch()).count();
}

bool LeaseKeeper::lost() const { return steady_ms() - last_renewal_sent_ms_.load() > ttl_.count() / 2; }

void LeaseKeeper::note_acquired() {
  // A fresh acquisition proves the database reachable just now; it must not make an engine
  // already told "lost" believe otherwise, so only move forward when not lost.
  if (!lost()) last_renewal_sent_ms_ = std::max(last_renewal_sent_ms_.load(), steady_ms());
}

void LeaseKeeper::loop() {
  // Renew four times per ttl: two renewals can fail in a row before engines are told.
  const auto period = ttl_ / 4;
  bool reported = false;
  std::unique_lock lock(mutex_);
  while (!stopping_) {
    lock.unlock();
    const int64_t sent = steady_ms();
    try {
      renew_();
      last_renewal_sent_ms_ = sent;
      if (reported) std::clog << "rampart server: lease renewal works again\n";
      reported = false;
    } catch (const std::exception& e) {
      if (!reported) std::clog << "rampart server: cannot renew workflow leases: " << e.what() << "\n";
      reported = true;
    }
    lock.lock();
    wake_.wait_for(lock, period, [this] { return stopping_; });
  }
}

}  // namespace rampart::server
