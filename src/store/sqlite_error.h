// Turns a failed SQLite call into a std::runtime_error that names the database file.
// Messages carry SQLite's own text and the SQL (which only has placeholders), never bound values:
// workflow parameters and outputs may hold secrets.
#pragma once

#include <string>
#include <string_view>

struct sqlite3;

namespace rampart::store {

[[noreturn]] void throw_sqlite_error(sqlite3* db, const std::string& path, std::string_view what);

}  // namespace rampart::store
