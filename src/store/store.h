// Durable state of workflows and their nodes. SQLite (WAL) is the embedded default; PostgreSQL,
// behind the same interface, lets several servers share one database. The engine batches the changes of one scheduling round
// into one transaction and commits it before starting anything that depends on those changes.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace rampart::store {

using Json = nlohmann::json;

struct WorkflowRecord {
  std::string namespace_ = "argo";
  std::string name;
  std::string uid;
  std::string phase;  // "", Pending, Running, Succeeded, Failed, Error
  std::string message;
  int64_t created_at = 0;  // unix milliseconds
  int64_t started_at = 0;
  int64_t finished_at = 0;
  std::string labels_json = "{}";  // metadata.labels, for label selectors
  Json manifest;                   // the submitted Workflow document (apiVersion, kind, metadata, spec)
  Json status;                     // workflow-level status except nodes (outputs, parameters, ...)
  std::string owner;               // engine instance that runs it ("" when none)
};

struct NodeRecord {
  std::string id;  // Argo node id
  Json status;     // Argo NodeStatus shape: name, displayName, type, phase, children, ...
};

struct EventRecord {
  int64_t seq = 0;  // assigned by the store, increasing
  int64_t time_ms = 0;
  std::string node_id;  // "" for workflow-level events
  std::string type;     // Normal | Warning
  std::string reason;   // e.g. WorkflowRunning, NodeSucceeded, AdmissionDenied
  std::string message;
};

struct ListFilter {
  std::string namespace_;           // "" = all namespaces
  std::vector<std::string> phases;  // empty = any
  std::string name_prefix;
  int64_t limit = 0;              // 0 = no limit
  std::string continue_after;     // name to continue after (pagination)
  int64_t started_after_ms = 0;   // > 0: only workflows started at or after this time
  int64_t started_before_ms = 0;  // > 0: only workflows started before this time
  // Results are ordered by (namespace, name). continue_after is continue_token(last record of the
  // previous page), i.e. "namespace/name"; a bare name is accepted when namespace_ is set.
};

// Thrown by a fenced Store's writes once its holder no longer has a live lease on the workflow.
class LeaseLost : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// The continue_after value that resumes a listing after `last`.
std::string continue_token(const WorkflowRecord& last);

class Store {
 public:
  virtual ~Store() = default;

  // Group commit: changes between begin() and commit() become durable together.
  virtual void begin() = 0;
  virtual void commit() = 0;
  virtual void rollback() = 0;

  virtual void put_workflow(const WorkflowRecord& wf) = 0;  // insert or replace
  // Updates what changes while a workflow runs (phase, message, start and finish times, labels,
  // status, owner) of a stored workflow, leaving its uid, creation time and manifest as stored:
  // an engine calls this every scheduling round, and the manifest (a DAG of 100,000 tasks, say)
  // must not be written again each time. Does nothing when the workflow is not stored.
  virtual void put_workflow_status(const WorkflowRecord& wf) = 0;
  virtual std::optional<WorkflowRecord> get_workflow(const std::string& ns, const std::string& name) = 0;
  virtual std::vector<WorkflowRecord> list_workflows(const ListFilter& filter) = 0;
  virtual bool delete_workflow(const std::string& ns, const std::string& name) = 0;  // and its nodes, events

  virtual void put_nodes(const std::string& ns, const std::string& workflow, const std::vector<NodeRecord>& nodes) = 0;
  virtual std::vector<NodeRecord> get_nodes(const std::string& ns, const std::string& workflow) = 0;
  // Calls `visit` with each node of the workflow, in id order, one at a time: a reader of a
  // workflow of 100,000 nodes need not hold all their JSON at once (the CLI's tree). The
  // default reads them all first. `visit` must not call into this store.
  virtual void for_each_node(const std::string& ns, const std::string& workflow,
                             const std::function<void(NodeRecord&&)>& visit) {
    for (auto& node : get_nodes(ns, workflow)) visit(std::move(node));
  }

  virtual int64_t append_event(const std::string& ns, const std::string& workflow, EventRecord event) = 0;
  virtual std::vector<EventRecord> events(const std::string& ns, const std::string& workflow, int64_t after_seq) = 0;

  // Key-value cache for memoization: (cache name, key) -> outputs JSON with a creation time.
  virtual void put_memo(const std::string& cache, const std::string& key, const Json& outputs, int64_t time_ms) = 0;
  virtual std::optional<std::pair<Json, int64_t>> get_memo(const std::string& cache, const std::string& key) = 0;

  // Archive retention: deletes workflows (with their nodes and events) that finished before
  // `time_ms`. Returns how many.
  virtual int64_t delete_finished_before(int64_t time_ms) = 0;

  // Leases: which engine instance drives a workflow when several share one database. A lease
  // lives ttl_ms from its last renewal, by the database's clock; a holder that stops renewing
  // (it died, or lost the database) loses it, and another may take it.
  //
  // Takes the lease when it is free, expired, or already `holder`'s, and returns its epoch
  // (which grows at every change of holder); nullopt while another holder has a live lease.
  virtual std::optional<int64_t> acquire_lease(const std::string& ns, const std::string& name,
                                               const std::string& holder, int64_t ttl_ms) = 0;
  // Extends every live lease of `holder`; returns how many.
  virtual int64_t renew_leases(const std::string& holder, int64_t ttl_ms) = 0;
  virtual void release_lease(const std::string& ns, const std::string& name, const std::string& holder) = 0;
  // Who holds a live lease on ns/name, if anyone.
  virtual std::optional<std::string> lease_holder(const std::string& ns, const std::string& name) = 0;
  // Unfinished workflows (phase "", Pending or Running) without a live lease, oldest first. One
  // that never had a lease is listed only if created before `unclaimed_before_ms`: the server
  // that accepts a submission leases it just after storing it, and must not lose it to another
  // server in between.
  virtual std::vector<std::pair<std::string, std::string>> unleased_unfinished(int64_t limit,
                                                                               int64_t unclaimed_before_ms) = 0;
  // From now on every write through this Store first checks that `holder` still has a live lease
  // of `epoch` on ns/name, and throws LeaseLost otherwise: an engine that lost its lease cannot
  // overwrite the state its successor is writing.
  virtual void fence(const std::string& ns, const std::string& name, const std::string& holder, int64_t epoch) = 0;

  // Changes whenever another connection (in any process) has committed a change since this
  // one last looked; this connection's own commits do not change it. For read caches.
  virtual int64_t data_version() = 0;
};

// Opens (creating if needed) the SQLite database at `path`, running schema migrations.
// Throws std::runtime_error with a clear message when the file cannot be opened or is corrupt.
// A Store is used from one thread at a time; several processes may open the same file.
std::unique_ptr<Store> open_sqlite(const std::string& path);

// Opens (creating the schema if needed) the PostgreSQL database at `url`
// (postgres://user:password@host:port/db?options). Error messages never contain the password.
std::unique_ptr<Store> open_postgres(const std::string& url);

// `location` is a postgres:// or postgresql:// URL, or else the path of a SQLite file.
std::unique_ptr<Store> open_store(const std::string& location);
bool is_postgres_url(const std::string& location);
// The URL with its password replaced by "xxxxx", for messages and logs.
std::string redact_url(const std::string& location);

// $XDG_STATE_HOME/rampart/rampart.db, else ~/.local/state/rampart/rampart.db.
// Throws std::runtime_error when neither XDG_STATE_HOME nor a home directory is known.
std::string default_sqlite_path();

}  // namespace rampart::store
