// WalCheckpointer: copies a SQLite database's write-ahead log back into the database file on a
// thread of its own.
//
// SQLite's automatic checkpoint runs inside the COMMIT that takes the log past 1,000 pages:
// that commit copies the pages and syncs twice, and the engine's scheduling round waits (3 to
// 7 ms each time on the development VM, every few hundred steps). With a checkpointer the
// commit only asks for a checkpoint; a PASSIVE one then copies the log beside the writers, and
// a RESTART one that does not wait starts the log over from its beginning.
//
// The log stays bounded even if this thread falls behind: a connection whose commit finds the
// log past kBlockingPages checkpoints it itself, as SQLite would have (see Connection).
//
// Thread safety: request() may be called from any thread (it is called from SQLite's WAL hook).
// Internal to src/store.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

struct sqlite3;

namespace rampart::store {

class WalCheckpointer {
 public:
  // The log size, in pages, at which a commit asks for a checkpoint (SQLite's own default).
  static constexpr int kRequestPages = 1000;
  // The log size at which the committing connection checkpoints itself, without waiting.
  static constexpr int kBlockingPages = 16 * kRequestPages;

  // The checkpointer of the database file at `path`, shared by every connection of this process
  // to it; made on first use, and ended when the last connection lets it go.
  static std::shared_ptr<WalCheckpointer> shared(const std::string& path);

  explicit WalCheckpointer(std::string path);
  // Finishes the checkpoint in progress (if any) and joins.
  ~WalCheckpointer();
  WalCheckpointer(const WalCheckpointer&) = delete;
  WalCheckpointer& operator=(const WalCheckpointer&) = delete;

  // Asks for a checkpoint; returns at once. Requests made while one is pending are one request.
  void request();

  // Checkpoints that ran to completion (every frame copied) so far: for tests, which wait with
  // wait_for_completed() instead of sleeping.
  int64_t completed() const;
  // Waits until completed() >= n or `timeout_ms` passed; returns completed().
  int64_t wait_for_completed(int64_t n, int64_t timeout_ms) const;

 private:
  void run();
  // True when every frame of the log was copied.
  static bool checkpoint_once(sqlite3* db);

  const std::string path_;
  mutable std::mutex mutex_;
  mutable std::condition_variable changed_;
  bool requested_ = false;
  bool stopping_ = false;
  int64_t completed_ = 0;
  std::thread thread_;
};

}  // namespace rampart::store
