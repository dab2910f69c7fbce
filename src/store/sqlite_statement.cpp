#include "store/sqlite_statement.h"

#include <sqlite3.h>

#include <utility>

#include "store/sqlite_error.h"

namespace rampart::store {

Statement::Statement(sqlite3* db, const std::string& path, std::string_view sql, bool persistent)
    : db_(db), path_(&path) {
  const unsigned flags = persistent ? SQLITE_PREPARE_PERSISTENT : 0;
  if (sqlite3_prepare_v3(db, sql.data(), static_cast<int>(sql.size()), flags, &stmt_, nullptr) != SQLITE_OK) {
    sqlite3_finalize(stmt_);
    stmt_ = nullptr;
    throw_sqlite_error(db, path, "cannot prepare `" + std::string(sql) + "`");
  }
}

Statement::~Statement() { sqlite3_finalize(stmt_); }

Statement::Statement(Statement&& other) noexcept
    : db_(other.db_), path_(other.path_), stmt_(std::exchange(other.stmt_, nullptr)) {}

void Statement::bind(int index, int64_t value) {
  if (sqlite3_bind_int64(stmt_, index, value) != SQLITE_OK) fail("cannot bind parameter");
}

void Statement::bind(int index, std::string_view text) {
  // SQLITE_TRANSIENT: callers often pass temporaries (a freshly dumped JSON string).
  if (sqlite3_bind_text64(stmt_, index, text.data(), text.size(), SQLITE_TRANSIENT, SQLITE_UTF8) != SQLITE_OK) {
    fail("cannot bind parameter");
  }
}

bool Statement::step() {
  switch (sqlite3_step(stmt_)) {
    case SQLITE_ROW: return true;
    case SQLITE_DONE: return false;
    default: fail("cannot run");
  }
}

void Statement::run() {
  while (step()) {}
}

int64_t Statement::column_int64(int column) const { return sqlite3_column_int64(stmt_, column); }

std::string Statement::column_text(int column) const {
  const auto* text = reinterpret_cast<const char*>(sqlite3_column_text(stmt_, column));
  if (text == nullptr) return {};
  return std::string(text, static_cast<size_t>(sqlite3_column_bytes(stmt_, column)));
}

void Statement::reset() noexcept {
  // The result code repeats the error of the last step, which step() already reported.
  sqlite3_reset(stmt_);
  sqlite3_clear_bindings(stmt_);
}

void Statement::fail(std::string_view what) const {
  const char* sql = sqlite3_sql(stmt_);
  throw_sqlite_error(db_, *path_, std::string(what) + " `" + (sql != nullptr ? sql : "") + "`");
}

}  // namespace rampart::store
