// One open SQLite database connection (RAII) with a cache of prepared statements.
// Internal to src/store.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>

#include "store/sqlite_statement.h"
#include "store/wal_checkpointer.h"

struct sqlite3;

namespace rampart::store {

class Connection {
 public:
  // Opens or creates the file and configures it (WAL, synchronous, busy timeout, foreign keys).
  // Throws std::runtime_error naming `path` when it is not a usable SQLite database.
  explicit Connection(std::string path);
  ~Connection();
  // Statements keep a pointer to path_, so a Connection never moves.
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  const std::string& path() const { return path_; }

  // Runs one or more statements without parameters (DDL, PRAGMA), parsed each time.
  void exec(std::string_view sql);

  // Runs one statement without parameters, prepared once (BEGIN, COMMIT, SAVEPOINT...: every
  // scheduling round runs them, and parsing cost more than running).
  void run(const std::string& sql);

  // A prepared statement for `sql`, compiled once and reused: hot paths (node upserts) must not
  // re-parse SQL per row. Callers hold a ResetOnExit while using it.
  Statement& cached(const std::string& sql);

  // False inside BEGIN ... COMMIT. Asked of SQLite rather than tracked, because SQLite itself
  // rolls a transaction back on some errors (disk full, I/O error).
  bool autocommit() const;

  // Rows changed by the last INSERT, UPDATE or DELETE.
  int64_t changes() const;

  [[noreturn]] void fail(std::string_view what) const;

 private:
  void configure();
  void switch_to_wal();

  std::string path_;
  // Checkpoints this file's log on its own thread (none for an in-memory database).
  std::shared_ptr<WalCheckpointer> checkpointer_;
  sqlite3* db_ = nullptr;
  // Keyed by SQL text. Finalized in ~Connection before the connection closes.
  std::unordered_map<std::string, std::unique_ptr<Statement>> statements_;
};

}  // namespace rampart::store
