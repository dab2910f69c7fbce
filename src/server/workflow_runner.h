// Runs submitted workflows inside the server: one engine thread per running workflow, each
// with its own store connection and executor. At start, unfinished workflows are picked up
// again (the engine's resume: finished steps are not re-run).
//
// Several servers may share one database (PostgreSQL). Each workflow is then driven by the
// server holding its lease (Store::acquire_lease); this server renews its leases through a
// LeaseKeeper, and every few seconds adopts unfinished workflows whose lease has lapsed, so the
// workflows of a server that died are finished by the others within ttl + scan interval.
#pragma once

#include <chrono>
#include <condition_variable>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "engine/engine.h"
#include "exec/executor.h"
#include "store/store.h"

namespace rampart::guard {
struct Policy;
}

namespace rampart::server {

class LeaseKeeper;

struct RunnerOptions {
  std::string state_dir;
  std::string db;             // store location (a SQLite path or a postgres:// URL); empty: <state_dir>/rampart.db
  std::string image_catalog;  // empty: the default catalog
  // Executors by name; the first in `executor_names` runs workflows that ask for none, the
  // others are chosen per workflow with the annotation rampart.io/executor. Empty: the process
  // executor in its bubblewrap sandbox (with image_catalog).
  std::vector<std::string> executor_names;
  std::function<std::unique_ptr<exec::Executor>(const std::string& name)> make_executor;
  std::map<std::string, std::map<std::string, std::string>> secrets;
  // Built once from `secrets` by the server and shared with its responses (null: each engine
  // builds its own).
  std::shared_ptr<const SecretMasker> masker;
  int64_t default_deadline_seconds = 0;
  // Workflows run at once; more wait in submission order (as Argo's controller parallelism),
  // so a burst of submissions cannot start thousands of engines.
  int max_running = 8;
  // Each step is admitted again just before it starts (after parameter substitution).
  const guard::Policy* policy = nullptr;
  // This server's name in leases; empty: host, pid and a random suffix.
  std::string instance_id;
  std::chrono::milliseconds lease_ttl{10'000};
  std::chrono::milliseconds adopt_interval{2'000};
  // Finished workflows older than this are deleted (the archive's retention); 0: kept forever.
  std::chrono::hours archive_ttl{0};
  engine::EngineBounds bounds;  // per workflow: nodes, template depth, artifact archives
};

// The annotation that picks a workflow's executor among those the server offers.
inline constexpr const char* kExecutorAnnotation = "rampart.io/executor";

class WorkflowRunner {
 public:
  explicit WorkflowRunner(RunnerOptions options);
  ~WorkflowRunner();

  // Starts running a stored workflow in the background; does nothing when this server already
  // runs it, and the engine thread gives up quietly when another engine holds it.
  void start(const std::string& ns, const std::string& name);
  // Takes the lease of a workflow this server just accepted, before start(): from then on it is
  // this server's, also while it waits for a free slot, and others adopt it only if this dies.
  void claim(store::Store& store, const std::string& ns, const std::string& name);
  // Starts every workflow that is Pending or Running in the store. Returns how many.
  int resume_unfinished(store::Store& store);
  // Starts the background work: lease renewal, adopting workflows whose lease lapsed, archive
  // retention. Separate from the constructor so tests and one-shot tools can do without.
  void start_maintenance();
  bool is_running(const std::string& ns, const std::string& name);
  // Takes a workflow that waits for a free slot (never started by this server) off the queue.
  // Returns whether it was waiting; the caller then owns finishing it.
  bool withdraw(const std::string& ns, const std::string& name);
  size_t running_count();
  const std::string& instance_id() const { return options_.instance_id; }
  const std::string& db() const { return options_.db; }
  // "" when `executor` (a workflow's annotation value; "" for none) is offered, else why not.
  std::string check_executor(const std::string& executor) const;

 private:
  void run(const std::string& ns, const std::string& name);
  // Returns whether the store is fit for another workflow (the engine ended normally).
  bool drive(store::Store& store, const std::string& ns, const std::string& name);
  // Idle store connections, reused by the next engine: opening one to PostgreSQL costs a TCP
  // and SCRAM handshake and a schema check, more than a short workflow's whole run.
  std::unique_ptr<store::Store> take_store();
  void give_back(std::unique_ptr<store::Store> store);
  void spawn(const std::string& ns, const std::string& name);  // mutex_ held
  void maintenance_loop();
  // Marks Error the unfinished workflows that crashed an engine of this server (crash_quarantine.h).
  void quarantine_crashed(store::Store& store);
  void renew();  // the LeaseKeeper's renewal: releases owed first, then every live lease

  RunnerOptions options_;
  std::shared_ptr<engine::StepSlots> step_slots_;    // --parallelism: shared by every workflow's engine
  std::shared_ptr<engine::SpareShelf> spare_shelf_;  // step directories passed between workflows
  std::mutex mutex_;
  std::set<std::string> active_;  // "namespace/name", running or waiting
  std::deque<std::pair<std::string, std::string>> waiting_;
  int running_ = 0;
  // Leases to hand back (their engine ended abnormally); retried until the database answers.
  std::vector<std::pair<std::string, std::string>> owed_releases_;
  std::vector<std::unique_ptr<store::Store>> idle_stores_;  // guarded by mutex_

  std::unique_ptr<store::Store> lease_store_;  // used by the keeper's thread only
  std::unique_ptr<LeaseKeeper> keeper_;
  std::mutex maintenance_mutex_;
  std::condition_variable maintenance_wake_;
  bool stopping_ = false;
  std::thread maintenance_;
};

}  // namespace rampart::server
