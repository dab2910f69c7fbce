#include "store/wal_checkpointer.h"

#include <pthread.h>
#include <sqlite3.h>

#include <chrono>
#include <cstdlib>
#include <map>

namespace rampart::store {

std::shared_ptr<WalCheckpointer> WalCheckpointer::shared(const std::string& path) {
  static std::mutex registry_mutex;
  static std::map<std::string, std::weak_ptr<WalCheckpointer>> registry;
  std::lock_guard lock(registry_mutex);
  for (auto it = registry.begin(); it != registry.end();) {
    it = it->second.expired() ? registry.erase(it) : std::next(it);
  }
  if (auto existing = registry[path].lock()) return existing;
  auto made = std::make_shared<WalCheckpointer>(path);
  registry[path] = made;
  return made;
}

WalCheckpointer::WalCheckpointer(std::string path) : path_(std::move(path)), thread_([this] { run(); }) {}

WalCheckpointer::~WalCheckpointer() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  changed_.notify_all();
  thread_.join();
}

void WalCheckpointer::request() {
  {
    std::lock_guard lock(mutex_);
    if (requested_) return;
    requested_ = true;
  }
  changed_.notify_all();
}

int64_t WalCheckpointer::completed() const {
  std::lock_guard lock(mutex_);
  return completed_;
}

int64_t WalCheckpointer::wait_for_completed(int64_t n, int64_t timeout_ms) const {
  std::unique_lock lock(mutex_);
  changed_.wait_for(lock, std::chrono::milliseconds(timeout_ms), [&] { return completed_ >= n; });
  return completed_;
}

void WalCheckpointer::run() {
  // Its own name: a thread inherits its creator's, which may be an engine's ("rampart-engine"),
  // and tools and the crash tests find engines by name.
  ::pthread_setname_np(::pthread_self(), "rampart-wal");
  std::unique_lock lock(mutex_);
  for (;;) {
    changed_.wait(lock, [&] { return requested_ || stopping_; });
    if (stopping_) return;
    requested_ = false;
    lock.unlock();
    // A connection of its own for each checkpoint, closed after it (a checkpoint is rare: about
    // every 300 steps). A failed one (the file went away, a busy reader) is not retried here:
    // the next request tries again, and kBlockingPages bounds the log meanwhile.
    sqlite3* db = nullptr;
    const bool done =
        sqlite3_open_v2(path_.c_str(), &db, SQLITE_OPEN_READWRITE, nullptr) == SQLITE_OK && checkpoint_once(db);
    sqlite3_close(db);
    lock.lock();
    if (done) {
      ++completed_;
      changed_.notify_all();
    }
  }
}

namespace {

// Runs `PRAGMA wal_checkpoint(MODE)`; true when it was not blocked and copied every frame.
bool checkpoint(sqlite3* db, const char* sql) {
  int result[3] = {1, -1, -1};  // busy, frames in the log, frames copied
  const auto read_row = [](void* out, int columns, char** values, char**) {
    for (int i = 0; i < columns && i < 3; ++i) static_cast<int*>(out)[i] = values[i] ? std::atoi(values[i]) : -1;
    return 0;
  };
  if (sqlite3_exec(db, sql, read_row, result, nullptr) != SQLITE_OK) return false;
  return result[0] == 0 && result[2] >= result[1];
}

}  // namespace

bool WalCheckpointer::checkpoint_once(sqlite3* db) {
  // PASSIVE first: the copy and its syncs, beside the writers, who go on appending.
  sqlite3_busy_timeout(db, 1000);
  if (!checkpoint(db, "PRAGMA wal_checkpoint(PASSIVE)")) return false;
  // Then start the log over from its beginning, which only a checkpoint that holds the write
  // lock may do: RESTART, without waiting (a writer busy now means another try next time). It
  // copies only what was appended since the PASSIVE one, so the writers wait for little if at
  // all. Left to the writers, the log would start over only in a moment with no checkpoint
  // running, which a busy engine seldom has.
  sqlite3_busy_timeout(db, 0);
  checkpoint(db, "PRAGMA wal_checkpoint(RESTART)");
  return true;
}

}  // namespace rampart::store
