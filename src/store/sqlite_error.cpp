#include "store/sqlite_error.h"

#include <sqlite3.h>

#include <stdexcept>

namespace rampart::store {

void throw_sqlite_error(sqlite3* db, const std::string& path, std::string_view what) {
  const std::string prefix = "state store '" + path + "': ";
  if (db == nullptr) throw std::runtime_error(prefix + std::string(what));

  const int code = sqlite3_extended_errcode(db);
  const std::string detail =
      std::string(what) + ": " + sqlite3_errmsg(db) + " (sqlite error " + std::to_string(code) + ")";
  const int primary = code & 0xff;
  if (primary == SQLITE_NOTADB || primary == SQLITE_CORRUPT) {
    // Lead with what the user can act on: the file is the problem, not the statement.
    throw std::runtime_error(prefix + "not a rampart state database, or damaged [" + detail + "]");
  }
  throw std::runtime_error(prefix + detail);
}

}  // namespace rampart::store
