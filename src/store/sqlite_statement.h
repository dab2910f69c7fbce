// One prepared SQLite statement, owned (RAII), with typed bind/column helpers.
// Internal to src/store; nothing outside the store includes SQLite.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

struct sqlite3;
struct sqlite3_stmt;

namespace rampart::store {

class Statement {
 public:
  // Prepares `sql`. `persistent` hints SQLite that the statement is cached and reused many times.
  // `path` names the database file in error messages.
  Statement(sqlite3* db, const std::string& path, std::string_view sql, bool persistent);
  ~Statement();
  Statement(Statement&& other) noexcept;
  Statement& operator=(Statement&&) = delete;
  Statement(const Statement&) = delete;
  Statement& operator=(const Statement&) = delete;

  // Parameters are 1-based, as in SQLite.
  void bind(int index, int64_t value);
  void bind(int index, std::string_view text);

  // Binds every argument in order, starting at parameter 1.
  template <typename... Args>
  void bind_all(const Args&... args) {
    int index = 0;
    (bind(++index, args), ...);
  }

  // Advances to the next row; false when done. Throws std::runtime_error on failure.
  bool step();
  // Runs a statement that returns no rows (or whose rows do not matter).
  void run();

  int64_t column_int64(int column) const;
  std::string column_text(int column) const;

  // Returns the statement to its initial state and clears bindings, which also ends the
  // implicit read transaction a half-read SELECT holds (so it does not pin an old WAL snapshot).
  void reset() noexcept;

 private:
  [[noreturn]] void fail(std::string_view what) const;

  sqlite3* db_;
  const std::string* path_;
  sqlite3_stmt* stmt_ = nullptr;
};

// Resets a (typically cached) statement when the scope using it ends, even on exceptions.
class ResetOnExit {
 public:
  explicit ResetOnExit(Statement& statement) : statement_(statement) {}
  ~ResetOnExit() { statement_.reset(); }
  ResetOnExit(const ResetOnExit&) = delete;
  ResetOnExit& operator=(const ResetOnExit&) = delete;

 private:
  Statement& statement_;
};

}  // namespace rampart::store
