// AccessStore on SQLite: its own file (access.db, mode 0600) with its own schema version, so
// that credentials never travel with a copy of the workflow database.
#include <stdexcept>

#include "store/access_store.h"
#include "store/sqlite_connection.h"

namespace rampart::store {

namespace {

// Append only, like the workflow store's migrations.
const char* const kMigrations[] = {
    R"sql(
      CREATE TABLE tokens (
        id          TEXT PRIMARY KEY,
        subject     TEXT NOT NULL,
        secret_hash TEXT NOT NULL,
        description TEXT NOT NULL DEFAULT '',
        created_ms  INTEGER NOT NULL,
        expires_ms  INTEGER NOT NULL DEFAULT 0,
        revoked_ms  INTEGER NOT NULL DEFAULT 0
      );
      CREATE TABLE bindings (
        subject   TEXT NOT NULL,
        namespace TEXT NOT NULL,
        role      TEXT NOT NULL,
        PRIMARY KEY (subject, namespace)
      );
      CREATE TABLE audit (
        seq      INTEGER PRIMARY KEY AUTOINCREMENT,
        time_ms  INTEGER NOT NULL,
        subject  TEXT NOT NULL,
        source   TEXT NOT NULL,
        method   TEXT NOT NULL,
        route    TEXT NOT NULL,
        object   TEXT NOT NULL,
        decision TEXT NOT NULL,
        status   INTEGER NOT NULL
      );
      CREATE INDEX audit_by_time ON audit (time_ms);
    )sql",
};

class SqliteAccessStore final : public AccessStore {
 public:
  explicit SqliteAccessStore(const std::string& path) : db_(path) { migrate(); }

  void put_token(const TokenRecord& t) override {
    Statement& s = db_.cached(
        "INSERT OR REPLACE INTO tokens (id, subject, secret_hash, description, created_ms, expires_ms, revoked_ms) "
        "VALUES (?, ?, ?, ?, ?, ?, ?)");
    ResetOnExit reset(s);
    s.bind_all(t.id, t.subject, t.secret_hash, t.description, t.created_ms, t.expires_ms, t.revoked_ms);
    s.run();
  }

  std::optional<TokenRecord> get_token(const std::string& id) override {
    Statement& s = db_.cached(std::string(kTokenColumns) + " WHERE id = ?");
    ResetOnExit reset(s);
    s.bind_all(id);
    if (!s.step()) return std::nullopt;
    return token_from(s);
  }

  std::vector<TokenRecord> list_tokens() override {
    Statement& s = db_.cached(std::string(kTokenColumns) + " ORDER BY created_ms, id");
    ResetOnExit reset(s);
    std::vector<TokenRecord> out;
    while (s.step()) out.push_back(token_from(s));
    return out;
  }

  bool revoke_token(const std::string& id, int64_t now_ms) override {
    Statement& s = db_.cached("UPDATE tokens SET revoked_ms = ? WHERE id = ? AND revoked_ms = 0");
    ResetOnExit reset(s);
    s.bind_all(now_ms, id);
    s.run();
    if (db_.changes() > 0) return true;
    return get_token(id).has_value();  // already revoked: still "known"
  }

  void put_binding(const RoleBinding& b) override {
    Statement& s = db_.cached("INSERT OR REPLACE INTO bindings (subject, namespace, role) VALUES (?, ?, ?)");
    ResetOnExit reset(s);
    s.bind_all(b.subject, b.namespace_, b.role);
    s.run();
  }

  bool delete_binding(const std::string& subject, const std::string& ns) override {
    Statement& s = db_.cached("DELETE FROM bindings WHERE subject = ? AND namespace = ?");
    ResetOnExit reset(s);
    s.bind_all(subject, ns);
    s.run();
    return db_.changes() > 0;
  }

  std::vector<RoleBinding> bindings_of(const std::string& subject) override {
    Statement& s = db_.cached("SELECT subject, namespace, role FROM bindings WHERE subject = ? ORDER BY namespace");
    ResetOnExit reset(s);
    s.bind_all(subject);
    return bindings_from(s);
  }

  std::vector<RoleBinding> list_bindings() override {
    Statement& s = db_.cached("SELECT subject, namespace, role FROM bindings ORDER BY subject, namespace");
    ResetOnExit reset(s);
    return bindings_from(s);
  }

  int64_t append_audit(const AuditRecord& r) override {
    Statement& s = db_.cached(
        "INSERT INTO audit (time_ms, subject, source, method, route, object, decision, status) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?)");
    ResetOnExit reset(s);
    s.bind_all(r.time_ms, r.subject, r.source, r.method, r.route, r.object, r.decision, int64_t{r.status});
    s.run();
    Statement& last = db_.cached("SELECT last_insert_rowid()");
    ResetOnExit reset_last(last);
    last.step();
    return last.column_int64(0);
  }

  std::vector<AuditRecord> audit_since(int64_t since_ms, int64_t limit) override {
    // The newest `limit` records at or after since_ms, returned oldest first.
    Statement& s = db_.cached(
        "SELECT seq, time_ms, subject, source, method, route, object, decision, status FROM "
        "(SELECT * FROM audit WHERE time_ms >= ? ORDER BY seq DESC LIMIT ?) ORDER BY seq");
    ResetOnExit reset(s);
    s.bind_all(since_ms, limit <= 0 ? int64_t{-1} : limit);
    std::vector<AuditRecord> out;
    while (s.step()) {
      AuditRecord r;
      r.seq = s.column_int64(0);
      r.time_ms = s.column_int64(1);
      r.subject = s.column_text(2);
      r.source = s.column_text(3);
      r.method = s.column_text(4);
      r.route = s.column_text(5);
      r.object = s.column_text(6);
      r.decision = s.column_text(7);
      r.status = static_cast<int>(s.column_int64(8));
      out.push_back(std::move(r));
    }
    return out;
  }

 private:
  static constexpr const char* kTokenColumns =
      "SELECT id, subject, secret_hash, description, created_ms, expires_ms, revoked_ms FROM tokens";

  static TokenRecord token_from(Statement& s) {
    TokenRecord t;
    t.id = s.column_text(0);
    t.subject = s.column_text(1);
    t.secret_hash = s.column_text(2);
    t.description = s.column_text(3);
    t.created_ms = s.column_int64(4);
    t.expires_ms = s.column_int64(5);
    t.revoked_ms = s.column_int64(6);
    return t;
  }

  static std::vector<RoleBinding> bindings_from(Statement& s) {
    std::vector<RoleBinding> out;
    while (s.step()) out.push_back({s.column_text(0), s.column_text(1), s.column_text(2)});
    return out;
  }

  int64_t schema_version() {
    Statement& query = db_.cached("PRAGMA user_version");
    ResetOnExit reset(query);
    query.step();
    return query.column_int64(0);
  }

  void migrate() {
    const int64_t latest = static_cast<int64_t>(std::size(kMigrations));
    if (schema_version() == latest) return;
    // Another process may be migrating too: decide again under the write lock.
    db_.exec("BEGIN IMMEDIATE");
    try {
      int64_t version = schema_version();
      if (version > latest) {
        throw std::runtime_error(db_.path() + " was written by a newer rampart (access schema " +
                                 std::to_string(version) + ")");
      }
      for (int64_t v = version; v < latest; ++v) db_.exec(kMigrations[v]);
      db_.exec("PRAGMA user_version = " + std::to_string(latest));
      db_.exec("COMMIT");
    } catch (...) {
      db_.exec("ROLLBACK");
      throw;
    }
  }

  Connection db_;
};

}  // namespace

std::unique_ptr<AccessStore> open_sqlite_access(const std::string& path) {
  return std::make_unique<SqliteAccessStore>(path);
}

}  // namespace rampart::store
