#include "store/postgres/postgres_migrations.h"

#include <stdexcept>
#include <string>
#include <vector>

namespace rampart::store {
namespace {

struct Migration {
  int version;
  const char* sql;
};

// Append only, as the SQLite migrations: a released migration is never edited.
// Text columns that are ordered or compared by prefix use the "C" collation, so that listing
// order and continue tokens are byte order, as with SQLite.
const std::vector<Migration>& migrations() {
  static const std::vector<Migration> list = {
      {1, R"sql(
        -- Milliseconds since the epoch by the database's clock: the one clock every server
        -- sharing the database agrees on (leases are measured by it).
        CREATE FUNCTION rampart_now_ms() RETURNS bigint LANGUAGE sql VOLATILE AS
          $$ SELECT (extract(epoch FROM clock_timestamp()) * 1000)::bigint $$;

        CREATE TABLE workflows (
          namespace   text COLLATE "C" NOT NULL,
          name        text COLLATE "C" NOT NULL,
          uid         text   NOT NULL DEFAULT '',
          phase       text   NOT NULL DEFAULT '',
          message     text   NOT NULL DEFAULT '',
          created_at  bigint NOT NULL DEFAULT 0,
          started_at  bigint NOT NULL DEFAULT 0,
          finished_at bigint NOT NULL DEFAULT 0,
          labels_json text   NOT NULL DEFAULT '{}',
          manifest    text   NOT NULL DEFAULT 'null',
          status      text   NOT NULL DEFAULT 'null',
          owner       text   NOT NULL DEFAULT '',
          PRIMARY KEY (namespace, name)
        );
        CREATE INDEX workflows_by_phase ON workflows (phase, namespace, name);
        CREATE INDEX workflows_by_created ON workflows (namespace, created_at);
        CREATE INDEX workflows_by_finished ON workflows (finished_at) WHERE finished_at > 0;

        CREATE TABLE nodes (
          namespace text COLLATE "C" NOT NULL,
          workflow  text COLLATE "C" NOT NULL,
          id        text COLLATE "C" NOT NULL,
          status    text NOT NULL,
          PRIMARY KEY (namespace, workflow, id)
        );

        -- A sequence never hands out a number twice, so a watcher's after_seq stays meaningful.
        CREATE TABLE events (
          seq       bigserial PRIMARY KEY,
          namespace text   NOT NULL,
          workflow  text   NOT NULL,
          time_ms   bigint NOT NULL,
          node_id   text   NOT NULL DEFAULT '',
          type      text   NOT NULL DEFAULT '',
          reason    text   NOT NULL DEFAULT '',
          message   text   NOT NULL DEFAULT ''
        );
        CREATE INDEX events_by_workflow ON events (namespace, workflow, seq);

        CREATE TABLE memo (
          cache   text   NOT NULL,
          key     text   NOT NULL,
          outputs text   NOT NULL,
          time_ms bigint NOT NULL,
          PRIMARY KEY (cache, key)
        );

        CREATE TABLE leases (
          namespace  text   NOT NULL,
          name       text   NOT NULL,
          holder     text   NOT NULL,
          epoch      bigint NOT NULL,
          expires_at bigint NOT NULL,
          PRIMARY KEY (namespace, name)
        );
        CREATE INDEX leases_by_holder ON leases (holder);

        -- Bumped by every write transaction: Store::data_version.
        CREATE SEQUENCE writes;
      )sql"},
  };
  return list;
}

// Any constant both servers agree on; names the migration lock in pg_locks.
constexpr int64_t kMigrationLock = 0x72616d70;  // "ramp"

}  // namespace

int latest_postgres_schema_version() { return migrations().back().version; }

void migrate_postgres(pqxx::connection& connection) {
  pqxx::work tx(connection);
  tx.exec("SELECT pg_advisory_xact_lock(" + std::to_string(kMigrationLock) + ")");
  tx.exec("CREATE TABLE IF NOT EXISTS rampart_schema (version integer NOT NULL)");
  pqxx::result row = tx.exec("SELECT version FROM rampart_schema");
  int version = row.empty() ? 0 : row[0][0].as<int>();
  if (version > latest_postgres_schema_version()) {
    throw std::runtime_error("PostgreSQL schema version " + std::to_string(version) +
                             " is newer than this rampart supports (" +
                             std::to_string(latest_postgres_schema_version()) + "); use a newer rampart");
  }
  if (version == latest_postgres_schema_version()) return;  // the transaction just ends
  for (const Migration& migration : migrations()) {
    if (migration.version <= version) continue;
    tx.exec(migration.sql);
  }
  if (row.empty()) {
    tx.exec("INSERT INTO rampart_schema (version) VALUES (" + std::to_string(latest_postgres_schema_version()) + ")");
  } else {
    tx.exec("UPDATE rampart_schema SET version = " + std::to_string(latest_postgres_schema_version()));
  }
  tx.commit();
}

}  // namespace rampart::store
