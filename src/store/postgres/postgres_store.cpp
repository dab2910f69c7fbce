// The PostgreSQL implementation of Store: the database several servers share.
//
// Threading: one PostgresStore (one connection) is used from one thread at a time, as the
// SQLite store. Writes outside begin()/commit() run in a transaction of their own.
//
// Differences from SQLite that matter here:
//  - Events get their seq from a sequence at insert time, so two transactions could commit
//    their events out of seq order and a watcher reading "after seq N" would skip one. Appending
//    an event therefore takes a per-workflow advisory lock held until commit: within one
//    workflow, events become visible in seq order.
//  - Leases are measured by the database's clock (rampart_now_ms()), which every server shares.
//  - The fence check reads the lease row FOR SHARE inside the writing transaction: a successor
//    taking the lease over waits for that commit, so no write of the old holder lands after it.
//
// Nothing here logs, and error messages never contain stored values or the password.
#include <stdexcept>
#include <string>
#include <utility>

#include "store/continue_token.h"
#include "store/postgres/postgres_connection.h"
#include "store/postgres/postgres_migrations.h"
#include "store/store.h"

namespace rampart::store {
namespace {

constexpr const char* kWorkflowColumns =
    "namespace, name, uid, phase, message, created_at, started_at, finished_at, labels_json, manifest, status, "
    "owner";

// PostgreSQL text holds neither NUL bytes nor invalid UTF-8 (a step may print either into a
// message): both become U+FFFD, as the JSON columns do.
std::string pg_text(const std::string& text) {
  bool plain = true;
  for (unsigned char c : text) {
    if (c == 0 || c >= 0x80) {
      plain = false;
      break;
    }
  }
  if (plain) return text;
  std::string valid = Json::parse(Json(text).dump(-1, ' ', false, Json::error_handler_t::replace)).get<std::string>();
  std::string out;
  out.reserve(valid.size());
  for (char c : valid) {
    if (c == '\0') {
      out += "\xEF\xBF\xBD";
    } else {
      out += c;
    }
  }
  return out;
}

std::string to_text(const Json& value) { return value.dump(-1, ' ', false, Json::error_handler_t::replace); }

std::string prefix_upper_bound(std::string prefix) {
  while (!prefix.empty() && static_cast<unsigned char>(prefix.back()) == 0xff) prefix.pop_back();
  if (!prefix.empty()) prefix.back() = static_cast<char>(static_cast<unsigned char>(prefix.back()) + 1);
  return prefix;
}

class PostgresStore final : public Store {
 private:
  // Runs a read in the open transaction, or in a transaction of its own.
  template <typename Read>
  auto read(Read&& body) {
    return guarded([&] {
      if (tx_) return body(*tx_);
      pqxx::read_transaction tx(*connection_);
      return body(tx);
    });
  }

  // Runs a write in the open transaction (fence and write counter at commit()), or in a
  // transaction of its own with both.
  template <typename Write>
  void write(Write&& body) {
    guarded([&] {
      if (tx_) {
        body(*tx_);
        return;
      }
      pqxx::work tx(*connection_);
      body(tx);
      finish_write(tx);
      tx.commit();
    });
  }

  // Lease bookkeeping is not a write of workflow state: not fenced, not counted.
  template <typename Write>
  auto unfenced_write(Write&& body) {
    if (tx_) throw std::logic_error("Store: leases are changed outside begin()/commit()");
    return guarded([&] {
      pqxx::work tx(*connection_);
      auto result = body(tx);
      tx.commit();
      return result;
    });
  }

  // Inside a writing transaction, just before COMMIT.
  void finish_write(pqxx::transaction_base& tx) {
    if (fence_) {
      pqxx::result held = tx.exec_params(
          "SELECT 1 FROM leases WHERE namespace = $1 AND name = $2 AND holder = $3 AND epoch = $4"
          " AND expires_at > rampart_now_ms() FOR SHARE",
          fence_->ns, fence_->name, fence_->holder, fence_->epoch);
      if (held.empty()) {
        throw LeaseLost("workflow " + fence_->ns + "/" + fence_->name +
                        ": this engine's lease has expired or was taken over");
      }
    }
    tx.exec("SELECT nextval('writes')");
    ++own_writes_;
  }

  bool delete_one(pqxx::transaction_base& tx, const std::string& ns, const std::string& name) {
    tx.exec_params("DELETE FROM nodes WHERE namespace = $1 AND workflow = $2", ns, name);
    tx.exec_params("DELETE FROM events WHERE namespace = $1 AND workflow = $2", ns, name);
    tx.exec_params("DELETE FROM leases WHERE namespace = $1 AND name = $2", ns, name);
    return tx.exec_params("DELETE FROM workflows WHERE namespace = $1 AND name = $2", ns, name).affected_rows() > 0;
  }

  // Turns libpq/pqxx errors into std::runtime_error naming the database (password redacted),
  // without the SQL text or parameters pqxx would attach. Logic errors and LeaseLost pass.
  template <typename Body>
  auto guarded(Body&& body) {
    try {
      return body();
    } catch (const LeaseLost&) {
      throw;
    } catch (const pqxx::sql_error& e) {
      throw std::runtime_error("PostgreSQL at " + url_ + ": " + postgres_error(e));
    } catch (const pqxx::broken_connection& e) {
      throw std::runtime_error("PostgreSQL at " + url_ + ": connection lost: " + postgres_error(e));
    } catch (const pqxx::failure& e) {
      throw std::runtime_error("PostgreSQL at " + url_ + ": " + postgres_error(e));
    }
  }

 public:
  explicit PostgresStore(const std::string& url) : url_(redact_url(url)) {
    connection_ = connect_postgres(url);
    guarded([&] { migrate_postgres(*connection_); });
  }

  void begin() override {
    if (tx_) throw std::logic_error("Store::begin(): a transaction is already open");
    guarded([&] { tx_ = std::make_unique<pqxx::work>(*connection_); });
  }

  void commit() override {
    if (!tx_) {
      throw std::logic_error(
          "Store::commit(): no open transaction (begin() was not called, or an earlier error rolled it back)");
    }
    try {
      guarded([&] {
        finish_write(*tx_);
        tx_->commit();
      });
    } catch (...) {
      tx_.reset();  // aborts
      throw;
    }
    tx_.reset();
  }

  void rollback() override {
    if (!tx_) return;
    try {
      tx_->abort();
    } catch (...) {  // a broken connection has nothing left to roll back
    }
    tx_.reset();
  }

  void put_workflow(const WorkflowRecord& wf) override {
    write([&](pqxx::transaction_base& tx) {
      tx.exec_params(std::string("INSERT INTO workflows (") + kWorkflowColumns +
                         ") VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)"
                         " ON CONFLICT (namespace, name) DO UPDATE SET"
                         " uid = excluded.uid, phase = excluded.phase, message = excluded.message,"
                         " created_at = excluded.created_at, started_at = excluded.started_at,"
                         " finished_at = excluded.finished_at, labels_json = excluded.labels_json,"
                         " manifest = excluded.manifest, status = excluded.status, owner = excluded.owner",
                     pg_text(wf.namespace_), pg_text(wf.name), pg_text(wf.uid), pg_text(wf.phase), pg_text(wf.message),
                     wf.created_at, wf.started_at, wf.finished_at, pg_text(wf.labels_json), to_text(wf.manifest),
                     to_text(wf.status), pg_text(wf.owner));
    });
  }

  void put_workflow_status(const WorkflowRecord& wf) override {
    write([&](pqxx::transaction_base& tx) {
      tx.exec_params(
          "UPDATE workflows SET phase = $1, message = $2, started_at = $3, finished_at = $4,"
          " labels_json = $5, status = $6, owner = $7 WHERE namespace = $8 AND name = $9",
          pg_text(wf.phase), pg_text(wf.message), wf.started_at, wf.finished_at, pg_text(wf.labels_json),
          to_text(wf.status), pg_text(wf.owner), pg_text(wf.namespace_), pg_text(wf.name));
    });
  }

  std::optional<WorkflowRecord> get_workflow(const std::string& ns, const std::string& name) override {
    return read([&](pqxx::transaction_base& tx) -> std::optional<WorkflowRecord> {
      pqxx::result rows = tx.exec_params(
          std::string("SELECT ") + kWorkflowColumns + " FROM workflows WHERE namespace = $1 AND name = $2", pg_text(ns),
          pg_text(name));
      if (rows.empty()) return std::nullopt;
      return read_workflow(rows[0]);
    });
  }

  std::vector<WorkflowRecord> list_workflows(const ListFilter& filter) override {
    const auto resume_after = resume_key(filter);
    const std::string upper = prefix_upper_bound(filter.name_prefix);
    // Parameters are inlined as quoted literals: the set of filters varies per call, and
    // pqxx 6 has no variadic parameter list built at run time.
    return read([&](pqxx::transaction_base& tx) {
      std::string sql = std::string("SELECT ") + kWorkflowColumns + " FROM workflows WHERE true";
      if (!filter.namespace_.empty()) sql += " AND namespace = " + tx.quote(pg_text(filter.namespace_));
      if (!filter.phases.empty()) {
        sql += " AND phase IN (";
        for (size_t i = 0; i < filter.phases.size(); ++i) sql += (i ? ", " : "") + tx.quote(pg_text(filter.phases[i]));
        sql += ")";
      }
      if (!filter.name_prefix.empty()) {
        sql += " AND name >= " + tx.quote(pg_text(filter.name_prefix));
        if (!upper.empty()) sql += " AND name < " + tx.quote(pg_text(upper));
      }
      if (resume_after) {
        sql += " AND (namespace, name) > (" + tx.quote(pg_text(resume_after->first)) + ", " +
               tx.quote(pg_text(resume_after->second)) + ")";
      }
      if (filter.started_after_ms > 0) sql += " AND started_at >= " + std::to_string(filter.started_after_ms);
      if (filter.started_before_ms > 0) sql += " AND started_at < " + std::to_string(filter.started_before_ms);
      sql += " ORDER BY namespace, name";
      if (filter.limit > 0) sql += " LIMIT " + std::to_string(filter.limit);
      std::vector<WorkflowRecord> result;
      for (const auto& row : tx.exec(sql)) result.push_back(read_workflow(row));
      return result;
    });
  }

  bool delete_workflow(const std::string& ns, const std::string& name) override {
    bool existed = false;
    write([&](pqxx::transaction_base& tx) { existed = delete_one(tx, pg_text(ns), pg_text(name)); });
    return existed;
  }

  void put_nodes(const std::string& ns, const std::string& workflow, const std::vector<NodeRecord>& nodes) override {
    if (nodes.empty()) return;
    // One statement for the whole batch: a JSON array of [id, status text] pairs, unpacked by
    // the server. A round trip per node would dominate a scheduling round of a wide fan-out.
    Json batch = Json::array();
    for (const NodeRecord& node : nodes) batch.push_back(Json::array({pg_text(node.id), to_text(node.status)}));
    write([&](pqxx::transaction_base& tx) {
      tx.exec_params(
          "INSERT INTO nodes (namespace, workflow, id, status)"
          " SELECT $1, $2, e->>0, e->>1 FROM json_array_elements($3::json) AS e"
          " ON CONFLICT (namespace, workflow, id) DO UPDATE SET status = excluded.status",
          pg_text(ns), pg_text(workflow), to_text(batch));
    });
  }

  std::vector<NodeRecord> get_nodes(const std::string& ns, const std::string& workflow) override {
    return read([&](pqxx::transaction_base& tx) {
      std::vector<NodeRecord> result;
      for (const auto& row :
           tx.exec_params("SELECT id, status FROM nodes WHERE namespace = $1 AND workflow = $2 ORDER BY id",
                          pg_text(ns), pg_text(workflow))) {
        result.push_back({row[0].as<std::string>(), parse(row[1].as<std::string>(), "node status")});
      }
      return result;
    });
  }

  int64_t append_event(const std::string& ns, const std::string& workflow, EventRecord event) override {
    int64_t seq = 0;
    write([&](pqxx::transaction_base& tx) {
      tx.exec_params("SELECT pg_advisory_xact_lock(hashtextextended($1, 0))", pg_text(ns) + "/" + pg_text(workflow));
      seq = tx.exec_params(
                  "INSERT INTO events (namespace, workflow, time_ms, node_id, type, reason, message)"
                  " VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING seq",
                  pg_text(ns), pg_text(workflow), event.time_ms, pg_text(event.node_id), pg_text(event.type),
                  pg_text(event.reason), pg_text(event.message))[0][0]
                .as<int64_t>();
    });
    return seq;
  }

  std::vector<EventRecord> events(const std::string& ns, const std::string& workflow, int64_t after_seq) override {
    return read([&](pqxx::transaction_base& tx) {
      std::vector<EventRecord> result;
      for (const auto& row : tx.exec_params("SELECT seq, time_ms, node_id, type, reason, message FROM events"
                                            " WHERE namespace = $1 AND workflow = $2 AND seq > $3 ORDER BY seq",
                                            pg_text(ns), pg_text(workflow), after_seq)) {
        result.push_back({row[0].as<int64_t>(), row[1].as<int64_t>(), row[2].as<std::string>(),
                          row[3].as<std::string>(), row[4].as<std::string>(), row[5].as<std::string>()});
      }
      return result;
    });
  }

  void put_memo(const std::string& cache, const std::string& key, const Json& outputs, int64_t time_ms) override {
    write([&](pqxx::transaction_base& tx) {
      tx.exec_params(
          "INSERT INTO memo (cache, key, outputs, time_ms) VALUES ($1, $2, $3, $4)"
          " ON CONFLICT (cache, key) DO UPDATE SET outputs = excluded.outputs, time_ms = excluded.time_ms",
          pg_text(cache), pg_text(key), to_text(outputs), time_ms);
    });
  }

  std::optional<std::pair<Json, int64_t>> get_memo(const std::string& cache, const std::string& key) override {
    return read([&](pqxx::transaction_base& tx) -> std::optional<std::pair<Json, int64_t>> {
      pqxx::result rows = tx.exec_params("SELECT outputs, time_ms FROM memo WHERE cache = $1 AND key = $2",
                                         pg_text(cache), pg_text(key));
      if (rows.empty()) return std::nullopt;
      return std::pair{parse(rows[0][0].as<std::string>(), "memoized outputs"), rows[0][1].as<int64_t>()};
    });
  }

  int64_t delete_finished_before(int64_t time_ms) override {
    int64_t deleted = 0;
    write([&](pqxx::transaction_base& tx) {
      for (const auto& row : tx.exec_params(
               "SELECT namespace, name FROM workflows WHERE finished_at > 0 AND finished_at < $1", time_ms)) {
        if (delete_one(tx, row[0].as<std::string>(), row[1].as<std::string>())) ++deleted;
      }
    });
    return deleted;
  }

  std::optional<int64_t> acquire_lease(const std::string& ns, const std::string& name, const std::string& holder,
                                       int64_t ttl_ms) override {
    return unfenced_write([&](pqxx::transaction_base& tx) -> std::optional<int64_t> {
      pqxx::result rows = tx.exec_params(
          "INSERT INTO leases (namespace, name, holder, epoch, expires_at) VALUES ($1, $2, $3, 1, rampart_now_ms() + "
          "$4)"
          " ON CONFLICT (namespace, name) DO UPDATE SET"
          "   epoch = CASE WHEN leases.holder = excluded.holder THEN leases.epoch ELSE leases.epoch + 1 END,"
          "   holder = excluded.holder, expires_at = excluded.expires_at"
          " WHERE leases.holder = excluded.holder OR leases.expires_at <= rampart_now_ms()"
          " RETURNING epoch",
          pg_text(ns), pg_text(name), pg_text(holder), ttl_ms);
      if (rows.empty()) return std::nullopt;
      return rows[0][0].as<int64_t>();
    });
  }

  int64_t renew_leases(const std::string& holder, int64_t ttl_ms) override {
    return unfenced_write([&](pqxx::transaction_base& tx) {
      return static_cast<int64_t>(tx.exec_params("UPDATE leases SET expires_at = rampart_now_ms() + $2"
                                                 " WHERE holder = $1 AND expires_at > rampart_now_ms()",
                                                 pg_text(holder), ttl_ms)
                                      .affected_rows());
    });
  }

  void release_lease(const std::string& ns, const std::string& name, const std::string& holder) override {
    unfenced_write([&](pqxx::transaction_base& tx) {
      tx.exec_params("DELETE FROM leases WHERE namespace = $1 AND name = $2 AND holder = $3", pg_text(ns),
                     pg_text(name), pg_text(holder));
      return 0;
    });
  }

  std::optional<std::string> lease_holder(const std::string& ns, const std::string& name) override {
    return read([&](pqxx::transaction_base& tx) -> std::optional<std::string> {
      pqxx::result rows = tx.exec_params(
          "SELECT holder FROM leases WHERE namespace = $1 AND name = $2 AND expires_at > rampart_now_ms()", pg_text(ns),
          pg_text(name));
      if (rows.empty()) return std::nullopt;
      return rows[0][0].as<std::string>();
    });
  }

  std::vector<std::pair<std::string, std::string>> unleased_unfinished(int64_t limit,
                                                                       int64_t unclaimed_before_ms) override {
    return read([&](pqxx::transaction_base& tx) {
      std::vector<std::pair<std::string, std::string>> result;
      for (const auto& row :
           tx.exec_params("SELECT w.namespace, w.name FROM workflows w"
                          " LEFT JOIN leases l ON l.namespace = w.namespace AND l.name = w.name"
                          " WHERE w.phase IN ('', 'Pending', 'Running')"
                          "   AND (l.expires_at <= rampart_now_ms() OR (l.name IS NULL AND w.created_at < $2))"
                          " ORDER BY w.created_at, w.namespace, w.name LIMIT $1",
                          limit, unclaimed_before_ms)) {
        result.emplace_back(row[0].as<std::string>(), row[1].as<std::string>());
      }
      return result;
    });
  }

  void fence(const std::string& ns, const std::string& name, const std::string& holder, int64_t epoch) override {
    fence_ = Fence{pg_text(ns), pg_text(name), pg_text(holder), epoch};
  }

  int64_t data_version() override {
    // The sequence counts every write transaction of every connection; subtracting this
    // connection's own leaves the others'. Sequences are not transactional, so even a write that
    // rolled back moves it: a reader's cache is then dropped once too often, never kept stale.
    return read([&](pqxx::transaction_base& tx) {
      return tx.exec("SELECT CASE WHEN is_called THEN last_value ELSE 0 END FROM writes")[0][0].as<int64_t>() -
             own_writes_;
    });
  }

 private:
  Json parse(const std::string& text, const char* what) const {
    try {
      return Json::parse(text);
    } catch (const Json::parse_error&) {
      throw std::runtime_error("PostgreSQL at " + url_ + ": stored " + what +
                               " is not valid JSON; the database is damaged");
    }
  }

  WorkflowRecord read_workflow(const pqxx::row& row) const {
    WorkflowRecord wf;
    wf.namespace_ = row[0].as<std::string>();
    wf.name = row[1].as<std::string>();
    wf.uid = row[2].as<std::string>();
    wf.phase = row[3].as<std::string>();
    wf.message = row[4].as<std::string>();
    wf.created_at = row[5].as<int64_t>();
    wf.started_at = row[6].as<int64_t>();
    wf.finished_at = row[7].as<int64_t>();
    wf.labels_json = row[8].as<std::string>();
    wf.manifest = parse(row[9].as<std::string>(), "workflow manifest");
    wf.status = parse(row[10].as<std::string>(), "workflow status");
    wf.owner = row[11].as<std::string>();
    return wf;
  }

  struct Fence {
    std::string ns, name, holder;
    int64_t epoch;
  };

  std::string url_;  // redacted
  std::unique_ptr<pqxx::connection> connection_;
  std::unique_ptr<pqxx::work> tx_;
  std::optional<Fence> fence_;
  int64_t own_writes_ = 0;
};

}  // namespace

std::unique_ptr<Store> open_postgres(const std::string& url) { return std::make_unique<PostgresStore>(url); }

}  // namespace rampart::store
