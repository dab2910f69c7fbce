// Opening a PostgreSQL connection with errors that name the server but never the password.
// Internal to src/store.
#pragma once

#include <memory>
#include <string>

#include <pqxx/pqxx>

namespace rampart::store {

// Throws std::runtime_error("PostgreSQL at postgres://user:xxxxx@host/db: <libpq's reason>").
std::unique_ptr<pqxx::connection> connect_postgres(const std::string& url);

// libpq's message for a failed statement, without the statement text (which pqxx appends and
// which may quote values the caller passed).
std::string postgres_error(const std::exception& e);

}  // namespace rampart::store
