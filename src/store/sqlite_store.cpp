// The SQLite implementation of Store.
//
// Threading: one SqliteStore is used from one thread at a time (the engine thread); it caches
// prepared statements and is not internally synchronized. Several processes may open the same file
// at once (`rampart get` while `rampart run` is running): WAL mode lets readers see the last
// committed state without blocking the writer, and writers in different processes take turns,
// waiting up to the busy timeout.
//
// Nothing here logs, and error messages never contain stored values: workflow parameters,
// outputs and manifests may hold secrets.
#include <chrono>
#include <stdexcept>
#include <string>
#include <utility>

#include "store/continue_token.h"
#include "common/clock.h"
#include "store/sqlite_connection.h"
#include "store/sqlite_migrations.h"
#include "store/store.h"

namespace rampart::store {
namespace {

constexpr const char* kWorkflowColumns =
    "namespace, name, uid, phase, message, created_at, started_at, finished_at, labels_json, manifest, status, "
    "owner";

// Invalid UTF-8 (say, bytes a container printed into an output parameter) becomes U+FFFD, as Go's
// encoding/json does in Argo, instead of failing the whole scheduling round's commit.
std::string to_text(const Json& value) { return value.dump(-1, ' ', false, Json::error_handler_t::replace); }

// The smallest string greater than every string starting with `prefix` (byte order, as SQLite's
// BINARY collation), or "" when there is none. Lets a prefix filter use the (namespace, name) index.
std::string prefix_upper_bound(std::string prefix) {
  while (!prefix.empty() && static_cast<unsigned char>(prefix.back()) == 0xff) prefix.pop_back();
  if (!prefix.empty()) prefix.back() = static_cast<char>(static_cast<unsigned char>(prefix.back()) + 1);
  return prefix;
}

class SqliteStore final : public Store {
 public:
  explicit SqliteStore(const std::string& path) : connection_(path) { migrate(connection_); }

  void begin() override {
    if (!connection_.autocommit()) throw std::logic_error("Store::begin(): a transaction is already open");
    // IMMEDIATE takes the write lock now, waiting for other writers under the busy timeout. A
    // deferred transaction would instead fail with SQLITE_BUSY at its first write if another
    // process committed in between.
    connection_.run("BEGIN IMMEDIATE");
  }

  void commit() override {
    if (!connection_.autocommit()) check_fence();
    if (connection_.autocommit()) {
      throw std::logic_error(
          "Store::commit(): no open transaction (begin() was not called, or an earlier error rolled it back)");
    }
    connection_.run("COMMIT");
  }

  // A no-op outside a transaction, so it is safe in cleanup paths.
  void rollback() override {
    if (!connection_.autocommit()) connection_.run("ROLLBACK");
  }

  void put_workflow(const WorkflowRecord& wf) override {
    if (connection_.autocommit()) check_fence();
    // An upsert, not INSERT OR REPLACE: REPLACE deletes the old row first, which would fire
    // delete triggers and cascades added by later migrations.
    Statement& upsert = connection_.cached(std::string("INSERT INTO workflows (") + kWorkflowColumns +
                                           ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
                                           " ON CONFLICT (namespace, name) DO UPDATE SET"
                                           " uid = excluded.uid, phase = excluded.phase, message = excluded.message,"
                                           " created_at = excluded.created_at, started_at = excluded.started_at,"
                                           " finished_at = excluded.finished_at, labels_json = excluded.labels_json,"
                                           " manifest = excluded.manifest, status = excluded.status,"
                                           " owner = excluded.owner");
    ResetOnExit reset(upsert);
    upsert.bind_all(wf.namespace_, wf.name, wf.uid, wf.phase, wf.message, wf.created_at, wf.started_at, wf.finished_at,
                    wf.labels_json, to_text(wf.manifest), to_text(wf.status), wf.owner);
    upsert.run();
  }

  void put_workflow_status(const WorkflowRecord& wf) override {
    if (connection_.autocommit()) check_fence();
    Statement& update = connection_.cached(
        "UPDATE workflows SET phase = ?, message = ?, started_at = ?, finished_at = ?, labels_json = ?,"
        " status = ?, owner = ? WHERE namespace = ? AND name = ?");
    ResetOnExit reset(update);
    update.bind_all(wf.phase, wf.message, wf.started_at, wf.finished_at, wf.labels_json, to_text(wf.status), wf.owner,
                    wf.namespace_, wf.name);
    update.run();
  }

  std::optional<WorkflowRecord> get_workflow(const std::string& ns, const std::string& name) override {
    Statement& query = connection_.cached(std::string("SELECT ") + kWorkflowColumns +
                                          " FROM workflows WHERE namespace = ? AND name = ?");
    ResetOnExit reset(query);
    query.bind_all(ns, name);
    if (!query.step()) return std::nullopt;
    return read_workflow(query);
  }

  std::vector<WorkflowRecord> list_workflows(const ListFilter& filter) override {
    const auto resume_after = resume_key(filter);
    const std::string upper = prefix_upper_bound(filter.name_prefix);

    // The SQL varies with which filters are set; each variant is prepared once and cached.
    std::string sql = std::string("SELECT ") + kWorkflowColumns + " FROM workflows WHERE 1";
    if (!filter.namespace_.empty()) sql += " AND namespace = ?";
    if (!filter.phases.empty()) {
      sql += " AND phase IN (?";
      for (size_t i = 1; i < filter.phases.size(); ++i) sql += ", ?";
      sql += ")";
    }
    if (!filter.name_prefix.empty()) sql += upper.empty() ? " AND name >= ?" : " AND name >= ? AND name < ?";
    if (resume_after) sql += " AND (namespace, name) > (?, ?)";
    if (filter.started_after_ms > 0) sql += " AND started_at >= ?";
    if (filter.started_before_ms > 0) sql += " AND started_at < ?";
    sql += " ORDER BY namespace, name";
    if (filter.limit > 0) sql += " LIMIT ?";

    Statement& query = connection_.cached(sql);
    ResetOnExit reset(query);
    int index = 0;
    if (!filter.namespace_.empty()) query.bind(++index, filter.namespace_);
    for (const std::string& phase : filter.phases) query.bind(++index, phase);
    if (!filter.name_prefix.empty()) {
      query.bind(++index, filter.name_prefix);
      if (!upper.empty()) query.bind(++index, upper);
    }
    if (resume_after) {
      query.bind(++index, resume_after->first);
      query.bind(++index, resume_after->second);
    }
    if (filter.started_after_ms > 0) query.bind(++index, filter.started_after_ms);
    if (filter.started_before_ms > 0) query.bind(++index, filter.started_before_ms);
    if (filter.limit > 0) query.bind(++index, filter.limit);

    std::vector<WorkflowRecord> result;
    while (query.step()) result.push_back(read_workflow(query));
    return result;
  }

  bool delete_workflow(const std::string& ns, const std::string& name) override {
    bool existed = false;
    in_write_transaction([&] {
      run_with(ns, name, "DELETE FROM nodes WHERE namespace = ? AND workflow = ?");
      run_with(ns, name, "DELETE FROM events WHERE namespace = ? AND workflow = ?");
      run_with(ns, name, "DELETE FROM leases WHERE namespace = ? AND name = ?");
      run_with(ns, name, "DELETE FROM workflows WHERE namespace = ? AND name = ?");
      existed = connection_.changes() > 0;
    });
    return existed;
  }

  void put_nodes(const std::string& ns, const std::string& workflow, const std::vector<NodeRecord>& nodes) override {
    // One transaction even outside begin(): per-row autocommit would cost a WAL append per node,
    // and a half-written batch would be visible to readers.
    in_write_transaction([&] {
      Statement& upsert = connection_.cached(
          "INSERT INTO nodes (namespace, workflow, id, status) VALUES (?, ?, ?, ?)"
          " ON CONFLICT (namespace, workflow, id) DO UPDATE SET status = excluded.status");
      for (const NodeRecord& node : nodes) {
        ResetOnExit reset(upsert);
        upsert.bind_all(ns, workflow, node.id, to_text(node.status));
        upsert.run();
      }
    });
  }

  std::vector<NodeRecord> get_nodes(const std::string& ns, const std::string& workflow) override {
    std::vector<NodeRecord> result;
    for_each_node(ns, workflow, [&](NodeRecord&& node) { result.push_back(std::move(node)); });
    return result;
  }

  void for_each_node(const std::string& ns, const std::string& workflow,
                     const std::function<void(NodeRecord&&)>& visit) override {
    Statement& query =
        connection_.cached("SELECT id, status FROM nodes WHERE namespace = ? AND workflow = ? ORDER BY id");
    ResetOnExit reset(query);
    query.bind_all(ns, workflow);
    while (query.step()) visit({query.column_text(0), parse(query.column_text(1), "node status")});
  }

  int64_t append_event(const std::string& ns, const std::string& workflow, EventRecord event) override {
    if (connection_.autocommit()) check_fence();
    Statement& insert = connection_.cached(
        "INSERT INTO events (namespace, workflow, time_ms, node_id, type, reason, message)"
        " VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING seq");
    ResetOnExit reset(insert);
    insert.bind_all(ns, workflow, event.time_ms, event.node_id, event.type, event.reason, event.message);
    if (!insert.step()) connection_.fail("appending an event returned no sequence number");
    const int64_t seq = insert.column_int64(0);
    insert.run();
    return seq;
  }

  std::vector<EventRecord> events(const std::string& ns, const std::string& workflow, int64_t after_seq) override {
    Statement& query = connection_.cached(
        "SELECT seq, time_ms, node_id, type, reason, message FROM events"
        " WHERE namespace = ? AND workflow = ? AND seq > ? ORDER BY seq");
    ResetOnExit reset(query);
    query.bind_all(ns, workflow, after_seq);
    std::vector<EventRecord> result;
    while (query.step()) {
      result.push_back({query.column_int64(0), query.column_int64(1), query.column_text(2), query.column_text(3),
                        query.column_text(4), query.column_text(5)});
    }
    return result;
  }

  void put_memo(const std::string& cache, const std::string& key, const Json& outputs, int64_t time_ms) override {
    if (connection_.autocommit()) check_fence();
    Statement& upsert = connection_.cached(
        "INSERT INTO memo (cache, key, outputs, time_ms) VALUES (?, ?, ?, ?)"
        " ON CONFLICT (cache, key) DO UPDATE SET outputs = excluded.outputs, time_ms = excluded.time_ms");
    ResetOnExit reset(upsert);
    upsert.bind_all(cache, key, to_text(outputs), time_ms);
    upsert.run();
  }

  std::optional<std::pair<Json, int64_t>> get_memo(const std::string& cache, const std::string& key) override {
    Statement& query = connection_.cached("SELECT outputs, time_ms FROM memo WHERE cache = ? AND key = ?");
    ResetOnExit reset(query);
    query.bind_all(cache, key);
    if (!query.step()) return std::nullopt;
    return std::pair{parse(query.column_text(0), "memoized outputs"), query.column_int64(1)};
  }

  int64_t delete_finished_before(int64_t time_ms) override {
    int64_t deleted = 0;
    in_write_transaction([&] {
      Statement& query =
          connection_.cached("SELECT namespace, name FROM workflows WHERE finished_at > 0 AND finished_at < ?");
      std::vector<std::pair<std::string, std::string>> old;
      {
        ResetOnExit reset(query);
        query.bind(1, time_ms);
        while (query.step()) old.emplace_back(query.column_text(0), query.column_text(1));
      }
      for (const auto& [ns, name] : old) {
        run_with(ns, name, "DELETE FROM nodes WHERE namespace = ? AND workflow = ?");
        run_with(ns, name, "DELETE FROM events WHERE namespace = ? AND workflow = ?");
        run_with(ns, name, "DELETE FROM leases WHERE namespace = ? AND name = ?");
        run_with(ns, name, "DELETE FROM workflows WHERE namespace = ? AND name = ?");
      }
      deleted = static_cast<int64_t>(old.size());
    });
    return deleted;
  }

  // One process's clock serves as the database's: SQLite databases are shared only by
  // processes on one machine.
  std::optional<int64_t> acquire_lease(const std::string& ns, const std::string& name, const std::string& holder,
                                       int64_t ttl_ms) override {
    std::optional<int64_t> epoch;
    // Lease bookkeeping is not a write of workflow state: not fenced (as on PostgreSQL).
    in_write_transaction(Fenced::No, [&] {
      const int64_t now = now_ms();
      Statement& upsert = connection_.cached(
          "INSERT INTO leases (namespace, name, holder, epoch, expires_at) VALUES (?, ?, ?, 1, ?)"
          " ON CONFLICT (namespace, name) DO UPDATE SET"
          "   epoch = CASE WHEN leases.holder = excluded.holder THEN leases.epoch ELSE leases.epoch + 1 END,"
          "   holder = excluded.holder, expires_at = excluded.expires_at"
          " WHERE leases.holder = excluded.holder OR leases.expires_at <= ?"
          " RETURNING epoch");
      ResetOnExit reset(upsert);
      upsert.bind_all(ns, name, holder, now + ttl_ms, now);
      if (upsert.step()) epoch = upsert.column_int64(0);
    });
    return epoch;
  }

  int64_t renew_leases(const std::string& holder, int64_t ttl_ms) override {
    const int64_t now = now_ms();
    Statement& update = connection_.cached("UPDATE leases SET expires_at = ? WHERE holder = ? AND expires_at > ?");
    ResetOnExit reset(update);
    update.bind_all(now + ttl_ms, holder, now);
    update.run();
    return connection_.changes();
  }

  void release_lease(const std::string& ns, const std::string& name, const std::string& holder) override {
    Statement& remove = connection_.cached("DELETE FROM leases WHERE namespace = ? AND name = ? AND holder = ?");
    ResetOnExit reset(remove);
    remove.bind_all(ns, name, holder);
    remove.run();
  }

  std::optional<std::string> lease_holder(const std::string& ns, const std::string& name) override {
    Statement& query =
        connection_.cached("SELECT holder FROM leases WHERE namespace = ? AND name = ? AND expires_at > ?");
    ResetOnExit reset(query);
    query.bind_all(ns, name, now_ms());
    if (!query.step()) return std::nullopt;
    return query.column_text(0);
  }

  std::vector<std::pair<std::string, std::string>> unleased_unfinished(int64_t limit,
                                                                       int64_t unclaimed_before_ms) override {
    Statement& query = connection_.cached(
        "SELECT w.namespace, w.name FROM workflows w"
        " LEFT JOIN leases l ON l.namespace = w.namespace AND l.name = w.name"
        " WHERE w.phase IN ('', 'Pending', 'Running')"
        "   AND (l.expires_at <= ? OR (l.name IS NULL AND w.created_at < ?))"
        " ORDER BY w.created_at, w.namespace, w.name LIMIT ?");
    ResetOnExit reset(query);
    query.bind_all(now_ms(), unclaimed_before_ms, limit);
    std::vector<std::pair<std::string, std::string>> result;
    while (query.step()) result.emplace_back(query.column_text(0), query.column_text(1));
    return result;
  }

  void fence(const std::string& ns, const std::string& name, const std::string& holder, int64_t epoch) override {
    fence_ = Fence{ns, name, holder, epoch};
  }

  int64_t data_version() override {
    Statement& query = connection_.cached("PRAGMA data_version");
    ResetOnExit reset(query);
    query.step();
    return query.column_int64(0);
  }

 private:
  // Runs `change` atomically: in its own transaction, or, inside the caller's begin(), in a
  // savepoint so a failure undoes only this operation and leaves the caller's transaction usable.
  enum class Fenced { Yes, No };
  template <typename Change>
  void in_write_transaction(Change&& change) {
    in_write_transaction(Fenced::Yes, std::forward<Change>(change));
  }
  template <typename Change>
  void in_write_transaction(Fenced fenced, Change&& change) {
    const bool own_transaction = connection_.autocommit();
    connection_.run(own_transaction ? "BEGIN IMMEDIATE" : "SAVEPOINT store_operation");
    try {
      if (own_transaction && fenced == Fenced::Yes) check_fence();
      change();
      connection_.run(own_transaction ? "COMMIT" : "RELEASE store_operation");
    } catch (...) {
      undo_quietly(own_transaction);
      throw;
    }
  }

  void undo_quietly(bool own_transaction) noexcept {
    try {
      if (connection_.autocommit()) return;  // SQLite already rolled back
      if (own_transaction) {
        connection_.run("ROLLBACK");
      } else {
        connection_.run("ROLLBACK TO store_operation");
        connection_.run("RELEASE store_operation");
      }
    } catch (...) {  // the original error is the one worth reporting
    }
  }

  void run_with(const std::string& ns, const std::string& name, const std::string& sql) {
    Statement& statement = connection_.cached(sql);
    ResetOnExit reset(statement);
    statement.bind_all(ns, name);
    statement.run();
  }

  // nlohmann's parse errors quote the input around the error, which may be a secret; report only
  // what was being read.
  Json parse(const std::string& text, const char* what) const {
    try {
      return Json::parse(text);
    } catch (const Json::parse_error&) {
      throw std::runtime_error("state store '" + connection_.path() + "': stored " + what +
                               " is not valid JSON; the database is damaged");
    }
  }

  WorkflowRecord read_workflow(const Statement& row) const {
    WorkflowRecord wf;
    wf.namespace_ = row.column_text(0);
    wf.name = row.column_text(1);
    wf.uid = row.column_text(2);
    wf.phase = row.column_text(3);
    wf.message = row.column_text(4);
    wf.created_at = row.column_int64(5);
    wf.started_at = row.column_int64(6);
    wf.finished_at = row.column_int64(7);
    wf.labels_json = row.column_text(8);
    wf.manifest = parse(row.column_text(9), "workflow manifest");
    wf.status = parse(row.column_text(10), "workflow status");
    wf.owner = row.column_text(11);
    return wf;
  }

  // Called inside the write transaction, so that no other holder can take the lease between
  // the check and the write (SQLite has one writer at a time).
  void check_fence() {
    if (!fence_) return;
    Statement& query = connection_.cached(
        "SELECT 1 FROM leases WHERE namespace = ? AND name = ? AND holder = ? AND epoch = ? AND expires_at > ?");
    ResetOnExit reset(query);
    query.bind_all(fence_->ns, fence_->name, fence_->holder, fence_->epoch, now_ms());
    if (!query.step()) {
      throw LeaseLost("workflow " + fence_->ns + "/" + fence_->name +
                      ": this engine's lease has expired or was taken over");
    }
  }

  struct Fence {
    std::string ns, name, holder;
    int64_t epoch;
  };
  std::optional<Fence> fence_;
  Connection connection_;
};

}  // namespace

std::unique_ptr<Store> open_sqlite(const std::string& path) { return std::make_unique<SqliteStore>(path); }

}  // namespace rampart::store
