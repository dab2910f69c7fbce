#include "store/sqlite_connection.h"

#include <fcntl.h>
#include <sqlite3.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <filesystem>
#include <stdexcept>
#include <thread>
#include <utility>

#include "common/clock.h"
#include "store/sqlite_error.h"

namespace rampart::store {
namespace {

// How long a writer waits for another process's write transaction before giving up with
// "database is locked". Rounds are short, so seconds of waiting mean something is stuck.
constexpr int kBusyTimeoutMs = 10'000;

bool is_in_memory(const std::string& path) { return path.empty() || path == ":memory:"; }

[[noreturn]] void throw_os_error(const std::string& path, std::string_view what, int error) {
  throw std::runtime_error("state store '" + path + "': " + std::string(what) + ": " + std::strerror(error));
}

// The database holds workflow parameters and outputs, which may be secrets, so directories this
// creates are private to the user (existing ones are left as they are).
void create_parent_directories(const std::string& path) {
  const std::filesystem::path parent = std::filesystem::path(path).parent_path();
  std::filesystem::path partial;
  for (const auto& component : parent) {
    partial /= component;
    if (::mkdir(partial.c_str(), 0700) != 0 && errno != EEXIST) {
      throw_os_error(path, "cannot create directory '" + partial.string() + "'", errno);
    }
  }
}

// Creates the file with mode 0600 before SQLite does (SQLite would use 0644). SQLite gives the
// -wal and -shm files the same mode as the database file. Only when the file does not exist:
// closing any descriptor of a file drops every POSIX lock this process holds on it, including
// the locks of other SQLite connections of this process (other threads of the server).
void create_private_file(const std::string& path) {
  const int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (fd >= 0) {
    ::close(fd);
    return;
  }
  if (errno != EEXIST) throw_os_error(path, "cannot open", errno);
}

// SQLite's WAL hook, called after each commit with the log's size: the commit asks the
// checkpointer instead of checkpointing itself, unless the log has grown past the bound.
int on_wal_commit(void* checkpointer, sqlite3* db, const char* database, int pages) {
  if (pages >= WalCheckpointer::kBlockingPages) {
    sqlite3_wal_checkpoint_v2(db, database, SQLITE_CHECKPOINT_PASSIVE, nullptr, nullptr);
  } else if (pages >= WalCheckpointer::kRequestPages) {
    static_cast<WalCheckpointer*>(checkpointer)->request();
  }
  return SQLITE_OK;
}

}  // namespace

Connection::Connection(std::string path) : path_(std::move(path)) {
  if (!is_in_memory(path_)) {
    create_parent_directories(path_);
    create_private_file(path_);
  }
  if (sqlite3_open_v2(path_.c_str(), &db_, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, nullptr) != SQLITE_OK) {
    // The handle is allocated even on failure and carries the message; close it after reading it.
    const std::unique_ptr<sqlite3, decltype(&sqlite3_close)> failed(std::exchange(db_, nullptr), &sqlite3_close);
    throw_sqlite_error(failed.get(), path_, "cannot open");
  }
  try {
    configure();
  } catch (...) {
    sqlite3_close(db_);
    db_ = nullptr;
    throw;
  }
}

Connection::~Connection() {
  statements_.clear();
  // Closing rolls back an open transaction; with no other connection left it also checkpoints
  // the WAL into the database file.
  sqlite3_close(db_);
}

// The first statement that reads the file: a file that is not a database fails here.
// WAL lets readers (`rampart get` in another process) run alongside the engine's writes without
// blocking it or being blocked by it. Switching a new database's journal mode needs an exclusive
// lock, and SQLite answers SQLITE_BUSY at once (without its busy handler) when another process
// is opening the same new file: that is retried for as long as the busy timeout.
void Connection::switch_to_wal() {
  const int64_t deadline = monotonic_ms() + kBusyTimeoutMs;
  for (;;) {
    std::string mode;
    const auto read_mode = [](void* out, int, char** values, char**) {
      *static_cast<std::string*>(out) = values[0] ? values[0] : "";
      return 0;
    };
    char* error = nullptr;
    const int rc = sqlite3_exec(db_, "PRAGMA journal_mode = WAL", read_mode, &mode, &error);
    sqlite3_free(error);  // sqlite3_errmsg repeats it
    if (rc == SQLITE_OK) {
      if (mode == "wal" || (mode == "memory" && is_in_memory(path_))) return;
      throw std::runtime_error("state store '" + path_ + "': cannot switch to WAL mode (got '" + mode +
                               "'); is the file on a network file system?");
    }
    if ((rc & 0xff) != SQLITE_BUSY || monotonic_ms() >= deadline) fail("cannot run `PRAGMA journal_mode = WAL`");
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
}

void Connection::configure() {
  sqlite3_extended_result_codes(db_, 1);
  sqlite3_busy_timeout(db_, kBusyTimeoutMs);

  switch_to_wal();
  // In WAL mode, NORMAL syncs at checkpoints but not at every commit. A committed transaction is
  // in the WAL file, i.e. in the OS page cache, before COMMIT returns, so it survives the process
  // dying in any way (including SIGKILL and OOM kills), which is what the engine's resume relies
  // on. Only an OS crash or power loss can lose the last commits, and never corrupts the file.
  // FULL would add an fsync per scheduling round for little gain.
  exec("PRAGMA synchronous = NORMAL");
  exec("PRAGMA foreign_keys = ON");
  if (!is_in_memory(path_)) {
    checkpointer_ = WalCheckpointer::shared(path_);
    sqlite3_wal_hook(db_, &on_wal_commit, checkpointer_.get());  // replaces the automatic checkpoint
  }
}

void Connection::exec(std::string_view sql) {
  const std::string text(sql);
  char* error = nullptr;
  if (sqlite3_exec(db_, text.c_str(), nullptr, nullptr, &error) != SQLITE_OK) {
    sqlite3_free(error);  // sqlite3_errmsg repeats it
    throw_sqlite_error(db_, path_, "cannot run `" + text + "`");
  }
}

void Connection::run(const std::string& sql) {
  Statement& statement = cached(sql);
  ResetOnExit reset(statement);
  statement.run();
}

Statement& Connection::cached(const std::string& sql) {
  auto found = statements_.find(sql);
  if (found == statements_.end()) {
    auto statement = std::make_unique<Statement>(db_, path_, sql, true);
    found = statements_.emplace(sql, std::move(statement)).first;
  }
  return *found->second;
}

bool Connection::autocommit() const { return sqlite3_get_autocommit(db_) != 0; }

int64_t Connection::changes() const { return sqlite3_changes64(db_); }

void Connection::fail(std::string_view what) const { throw_sqlite_error(db_, path_, what); }

}  // namespace rampart::store
