#include "store/sqlite_migrations.h"

#include <stdexcept>
#include <string>
#include <vector>

#include "store/sqlite_connection.h"

namespace rampart::store {
namespace {

struct Migration {
  int version;      // user_version after this migration
  const char* sql;  // applied as one script
};

// Append only: a released migration is never edited, since databases in the field already ran
// it. Change the schema by adding a migration with the next version.
const std::vector<Migration>& migrations() {
  static const std::vector<Migration> list = {
      {1, R"sql(
        CREATE TABLE workflows (
          namespace   TEXT    NOT NULL,
          name        TEXT    NOT NULL,
          uid         TEXT    NOT NULL DEFAULT '',
          phase       TEXT    NOT NULL DEFAULT '',
          message     TEXT    NOT NULL DEFAULT '',
          created_at  INTEGER NOT NULL DEFAULT 0,
          started_at  INTEGER NOT NULL DEFAULT 0,
          finished_at INTEGER NOT NULL DEFAULT 0,
          labels_json TEXT    NOT NULL DEFAULT '{}',
          manifest    TEXT    NOT NULL DEFAULT 'null',
          status      TEXT    NOT NULL DEFAULT 'null',
          owner       TEXT    NOT NULL DEFAULT '',
          PRIMARY KEY (namespace, name)
        );
        CREATE INDEX workflows_by_phase ON workflows (phase, namespace, name);
        CREATE INDEX workflows_by_created ON workflows (namespace, created_at);

        -- No foreign key to workflows: the engine may write nodes and events before (or without)
        -- the workflow row; delete_workflow removes them explicitly.
        CREATE TABLE nodes (
          namespace TEXT NOT NULL,
          workflow  TEXT NOT NULL,
          id        TEXT NOT NULL,
          status    TEXT NOT NULL,
          PRIMARY KEY (namespace, workflow, id)
        );

        -- AUTOINCREMENT: a seq is never reused, even after deletes, so a watcher's after_seq
        -- stays meaningful.
        CREATE TABLE events (
          seq       INTEGER PRIMARY KEY AUTOINCREMENT,
          namespace TEXT    NOT NULL,
          workflow  TEXT    NOT NULL,
          time_ms   INTEGER NOT NULL,
          node_id   TEXT    NOT NULL DEFAULT '',
          type      TEXT    NOT NULL DEFAULT '',
          reason    TEXT    NOT NULL DEFAULT '',
          message   TEXT    NOT NULL DEFAULT ''
        );
        CREATE INDEX events_by_workflow ON events (namespace, workflow, seq);

        CREATE TABLE memo (
          cache   TEXT    NOT NULL,
          key     TEXT    NOT NULL,
          outputs TEXT    NOT NULL,
          time_ms INTEGER NOT NULL,
          PRIMARY KEY (cache, key)
        );
      )sql"},
      {2, R"sql(
        -- Which engine instance drives a workflow (see Store::acquire_lease). expires_at in unix ms.
        CREATE TABLE leases (
          namespace  TEXT    NOT NULL,
          name       TEXT    NOT NULL,
          holder     TEXT    NOT NULL,
          epoch      INTEGER NOT NULL,
          expires_at INTEGER NOT NULL,
          PRIMARY KEY (namespace, name)
        );
        CREATE INDEX leases_by_holder ON leases (holder);
        CREATE INDEX workflows_by_finished ON workflows (finished_at) WHERE finished_at > 0;
      )sql"},
  };
  return list;
}

int read_user_version(Connection& connection) {
  Statement& query = connection.cached("PRAGMA user_version");
  ResetOnExit reset(query);
  return query.step() ? static_cast<int>(query.column_int64(0)) : 0;
}

void refuse_if_newer(const Connection& connection, int version) {
  if (version > latest_schema_version()) {
    throw std::runtime_error("state store '" + connection.path() + "': schema version " + std::to_string(version) +
                             " is newer than this rampart supports (" + std::to_string(latest_schema_version()) +
                             "); use a newer rampart, or another state file");
  }
}

// Version 0 with tables means another program's SQLite database, probably a wrong path: adding
// rampart's tables to it would be a surprise, so refuse.
void refuse_if_foreign(Connection& connection, int version) {
  if (version != 0) return;
  Statement& query = connection.cached("SELECT count(*) FROM sqlite_schema");
  ResetOnExit reset(query);
  if (query.step() && query.column_int64(0) > 0) {
    throw std::runtime_error("state store '" + connection.path() +
                             "': a SQLite database, but not a rampart state database (it has tables and no rampart "
                             "schema version); refusing to modify it");
  }
}

}  // namespace

int latest_schema_version() { return migrations().back().version; }

void migrate(Connection& connection) {
  // Fast path without a write lock, so a reader process (`rampart get`) opening the file while
  // the engine holds a write transaction is not made to wait.
  int version = read_user_version(connection);
  refuse_if_newer(connection, version);
  if (version == latest_schema_version()) return;

  connection.exec("BEGIN IMMEDIATE");
  try {
    // Another process may have migrated between the check above and taking the lock.
    version = read_user_version(connection);
    refuse_if_newer(connection, version);
    refuse_if_foreign(connection, version);
    for (const Migration& migration : migrations()) {
      if (migration.version <= version) continue;
      connection.exec(migration.sql);
      // user_version is part of the database header, so it commits atomically with the schema.
      connection.exec("PRAGMA user_version = " + std::to_string(migration.version));
    }
    connection.exec("COMMIT");
  } catch (...) {
    if (!connection.autocommit()) {
      try {
        connection.exec("ROLLBACK");
      } catch (...) {  // the migration's own error is the one worth reporting
      }
    }
    throw;
  }
}

}  // namespace rampart::store
