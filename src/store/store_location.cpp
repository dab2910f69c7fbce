// Which store a --db value names: a PostgreSQL URL, or the path of a SQLite file.
#include <regex>
#include <string>

#include "store/store.h"

namespace rampart::store {

bool is_postgres_url(const std::string& location) {
  return location.rfind("postgres://", 0) == 0 || location.rfind("postgresql://", 0) == 0;
}

std::string redact_url(const std::string& location) {
  // scheme://user:password@host -> scheme://user:xxxxx@host; a password=... query key as well.
  static const std::regex userinfo(R"(^([a-z]+://[^:/@?#]*):[^@/?#]*@)");
  static const std::regex query_password(R"(([?&]password=)[^&#]*)", std::regex::icase);
  std::string redacted = std::regex_replace(location, userinfo, "$1:xxxxx@");
  return std::regex_replace(redacted, query_password, "$1xxxxx");
}

std::unique_ptr<Store> open_store(const std::string& location) {
  if (is_postgres_url(location)) return open_postgres(location);
  return open_sqlite(location);
}

}  // namespace rampart::store
