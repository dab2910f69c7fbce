// The PostgreSQL schema, versioned. Internal to src/store.
#pragma once

#include <pqxx/pqxx>

namespace rampart::store {

// Brings the schema (in the connection's search_path) up to date, in one transaction, under an
// advisory lock so that servers starting together migrate once. Throws std::runtime_error when
// the database was migrated by a newer rampart.
void migrate_postgres(pqxx::connection& connection);
int latest_postgres_schema_version();

}  // namespace rampart::store
