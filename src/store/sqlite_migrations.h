// Versioned schema of the SQLite state store. The version lives in PRAGMA user_version.
#pragma once

namespace rampart::store {

class Connection;

// The schema version this binary creates and understands.
int latest_schema_version();

// Brings the database up to latest_schema_version(), applying each missing migration in order
// inside one write transaction. Throws std::runtime_error (naming the file) when the database was
// written by a newer rampart, or when a migration fails (the database is then left unchanged).
void migrate(Connection& connection);

}  // namespace rampart::store
