#include "store/postgres/postgres_connection.h"

#include <regex>
#include <stdexcept>

#include "store/store.h"

namespace rampart::store {

std::string postgres_error(const std::exception& e) {
  std::string message = e.what();
  // libpq ends messages with a newline and pqxx adds "Query was: ..." lines: keep the first line.
  if (size_t end = message.find('\n'); end != std::string::npos) message.resize(end);
  return message;
}

namespace {

// libpq quotes malformed parts of a connection string back (a bad percent escape, say), which
// could be the password itself: remove it from anything shown.
std::string without_password(std::string message, const std::string& url) {
  static const std::regex userinfo(R"(^[a-z]+://[^:/@?#]*:([^@/?#]*)@)");
  static const std::regex query_password(R"([?&]password=([^&#]*))", std::regex::icase);
  std::smatch match;
  for (const std::regex* pattern : {&userinfo, &query_password}) {
    if (!std::regex_search(url, match, *pattern) || match[1].length() == 0) continue;
    const std::string secret = match[1].str();
    for (size_t at = message.find(secret); at != std::string::npos; at = message.find(secret, at)) {
      message.replace(at, secret.size(), "xxxxx");
    }
  }
  return message;
}

}  // namespace

std::unique_ptr<pqxx::connection> connect_postgres(const std::string& url) {
  try {
    return std::make_unique<pqxx::connection>(url);
  } catch (const std::exception& e) {
    // libpq reports the host, port and user it tried; it does not echo the password.
    std::string reason = without_password(postgres_error(e), url);
    if (reason.empty()) reason = "cannot connect";
    throw std::runtime_error("PostgreSQL at " + redact_url(url) + ": " + reason);
  }
}

}  // namespace rampart::store
