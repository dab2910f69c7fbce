#include "server/workflow_runner.h"

#include <pthread.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <iostream>
#include <random>
#include <thread>

#include "engine/engine.h"
#include "engine/node.h"
#include "engine/run_lock.h"
#include "exec/process_executor.h"
#include "guard/admission.h"
#include "server/crash_quarantine.h"
#include "server/lease_keeper.h"

namespace rampart::server {

namespace {

std::string default_instance_id() {
  char host[256] = {};
  ::gethostname(host, sizeof host - 1);
  std::random_device random;
  char suffix[9];
  std::snprintf(suffix, sizeof suffix, "%08x", random());
  return std::string(host) + "-" + std::to_string(::getpid()) + "-" + suffix;
}

}  // namespace

WorkflowRunner::WorkflowRunner(RunnerOptions options) : options_(std::move(options)) {
  if (options_.db.empty()) options_.db = (std::filesystem::path(options_.state_dir) / "rampart.db").string();
  if (options_.instance_id.empty()) options_.instance_id = default_instance_id();
  if (options_.executor_names.empty()) options_.executor_names = {"process"};
  step_slots_ = std::make_shared<engine::StepSlots>(options_.bounds.max_running_steps);
  // Without a shelf (a state dir it cannot write, say) step directories simply go with their run.
  if (!options_.state_dir.empty()) {
    std::string error;
    spare_shelf_ = engine::SpareShelf::open(options_.state_dir + "/run/.shelf", &error);
    if (!spare_shelf_) std::clog << "no shelf for spare step directories: " << error << "\n";
  }
  keeper_ = std::make_unique<LeaseKeeper>(options_.lease_ttl, [this] { renew(); });
  if (!options_.state_dir.empty()) CrashQuarantine::install(options_.state_dir);
}

WorkflowRunner::~WorkflowRunner() {
  {
    std::lock_guard lock(maintenance_mutex_);
    stopping_ = true;
  }
  maintenance_wake_.notify_all();
  if (maintenance_.joinable()) maintenance_.join();
  keeper_.reset();
}

std::string WorkflowRunner::check_executor(const std::string& executor) const {
  if (executor.empty()) return "";
  const auto& names = options_.executor_names;
  if (std::find(names.begin(), names.end(), executor) != names.end()) return "";
  std::string offered;
  for (const auto& n : names) offered += (offered.empty() ? "" : ", ") + n;
  return std::string("annotation ") + kExecutorAnnotation + ": executor \"" + executor +
         "\" is not offered by this server (it offers: " + offered + ")";
}

void WorkflowRunner::start(const std::string& ns, const std::string& name) {
  std::lock_guard lock(mutex_);
  if (!active_.insert(ns + "/" + name).second) return;
  if (running_ < std::max(1, options_.max_running)) {
    spawn(ns, name);
  } else {
    waiting_.emplace_back(ns, name);
  }
}

void WorkflowRunner::claim(store::Store& store, const std::string& ns, const std::string& name) {
  keeper_->note_acquired();
  store.acquire_lease(ns, name, options_.instance_id, options_.lease_ttl.count());
}

void WorkflowRunner::spawn(const std::string& ns, const std::string& name) {
  ++running_;
  // Detached: a workflow outlives the request that submitted it. On server exit the process
  // ends with its threads; step sandboxes die with it and the stored state is resumed later.
  std::thread([this, ns, name] { run(ns, name); }).detach();
}

void WorkflowRunner::run(const std::string& ns, const std::string& name) {
  ::pthread_setname_np(::pthread_self(), "rampart-engine");  // seen in top -H, gdb and the tests
  try {
    // On a SQLite file, `rampart run` and `rampart resume` on this machine take the RunLock too.
    std::unique_ptr<engine::RunLock> lock;
    if (!store::is_postgres_url(options_.db)) {
      lock = std::make_unique<engine::RunLock>(options_.state_dir, ns, name);
      if (!lock->try_lock()) lock.reset();
    }
    if (lock || store::is_postgres_url(options_.db)) {
      auto store = take_store();
      CrashQuarantine::Scope quarantine(ns, name);
      if (drive(*store, ns, name)) give_back(std::move(store));
    }
  } catch (const std::exception& e) {
    std::clog << "workflow " << ns << "/" << name << ": " << e.what() << "\n";
  }
  std::lock_guard lock(mutex_);
  active_.erase(ns + "/" + name);
  --running_;
  if (!waiting_.empty()) {
    auto [next_ns, next_name] = waiting_.front();
    waiting_.pop_front();
    spawn(next_ns, next_name);
  }
}

std::unique_ptr<store::Store> WorkflowRunner::take_store() {
  {
    std::lock_guard lock(mutex_);
    if (!idle_stores_.empty()) {
      auto store = std::move(idle_stores_.back());
      idle_stores_.pop_back();
      return store;
    }
  }
  return store::open_store(options_.db);
}

void WorkflowRunner::give_back(std::unique_ptr<store::Store> store) {
  // Kept for the next workflow: opening one costs a round of PRAGMAs (SQLite) or a login
  // (PostgreSQL). Each drive() fences the store it takes anew.
  std::lock_guard lock(mutex_);
  if (idle_stores_.size() < static_cast<size_t>(std::max(1, options_.max_running)))
    idle_stores_.push_back(std::move(store));
}

bool WorkflowRunner::drive(store::Store& store, const std::string& ns, const std::string& name) {
  keeper_->note_acquired();
  auto epoch = store.acquire_lease(ns, name, options_.instance_id, options_.lease_ttl.count());
  if (!epoch) return true;  // another server drives it
  store.fence(ns, name, options_.instance_id, *epoch);
  bool release = true;
  try {
    auto record = store.get_workflow(ns, name);
    if (!record) {
      store.release_lease(ns, name, options_.instance_id);
      return true;
    }
    std::string executor_name = options_.executor_names.front();
    if (record->manifest.is_object()) {
      const auto& annotations =
          record->manifest.value("metadata", store::Json::object()).value("annotations", store::Json::object());
      if (annotations.contains(kExecutorAnnotation) && annotations[kExecutorAnnotation].is_string()) {
        std::string asked = annotations[kExecutorAnnotation].get<std::string>();
        if (std::string why = check_executor(asked); !why.empty()) throw std::invalid_argument(why);
        executor_name = asked;
      }
    }
    std::unique_ptr<exec::Executor> executor;
    if (options_.make_executor) {
      executor = options_.make_executor(executor_name);
    } else {
      exec::ProcessExecutorOptions exec_options;
      exec_options.image_catalog = options_.image_catalog;
      exec_options.sandbox = exec::SandboxMode::Bubblewrap;  // the server never runs steps unsandboxed
      executor = exec::make_process_executor(exec_options);
    }
    engine::EngineOptions engine_options;
    engine_options.state_dir = options_.state_dir;
    engine_options.default_deadline_seconds = options_.default_deadline_seconds;
    engine_options.secrets = options_.secrets;
    engine_options.bounds = options_.bounds;
    engine_options.step_slots = step_slots_;
    engine_options.spare_shelf = spare_shelf_;
    engine_options.masker = options_.masker;
    engine_options.lease_lost = [keeper = keeper_.get()] { return keeper->lost(); };
    if (const guard::Policy* policy = options_.policy) {
      engine_options.admit_step = [policy](const std::string& step_ns, const exec::StepRequest& step) {
        guard::Admission admission = guard::admit_step(policy->for_namespace(step_ns), step);
        return admission.denied() ? admission.denial_message() : std::string();
      };
    }
    engine::Engine engine(store, *executor, engine_options);
    auto final_record = engine.run(ns, name);
    std::clog << "workflow " << ns << "/" << name << " " << final_record.phase << "\n";
  } catch (const store::LeaseLost& e) {
    release = false;  // not ours any more
    std::clog << "workflow " << ns << "/" << name << ": " << e.what() << "; another server takes it over\n";
  } catch (...) {
    // An engine that failed (the database went away, say) hands the workflow back, so that
    // this or another server adopts it again once the database answers.
    std::lock_guard lock(mutex_);
    owed_releases_.emplace_back(ns, name);
    throw;
  }
  if (!release) return false;
  try {
    store.release_lease(ns, name, options_.instance_id);
  } catch (const std::exception&) {
    std::lock_guard lock(mutex_);
    owed_releases_.emplace_back(ns, name);
    return false;
  }
  return true;
}

void WorkflowRunner::renew() {
  if (!lease_store_) lease_store_ = store::open_store(options_.db);
  try {
    std::vector<std::pair<std::string, std::string>> owed;
    {
      std::lock_guard lock(mutex_);
      owed.swap(owed_releases_);
    }
    for (size_t i = 0; i < owed.size(); ++i) {
      try {
        lease_store_->release_lease(owed[i].first, owed[i].second, options_.instance_id);
      } catch (...) {
        std::lock_guard lock(mutex_);
        owed_releases_.insert(owed_releases_.end(), owed.begin() + static_cast<long>(i), owed.end());
        throw;
      }
    }
    lease_store_->renew_leases(options_.instance_id, options_.lease_ttl.count());
  } catch (...) {
    lease_store_.reset();  // reconnect next time
    throw;
  }
}

void WorkflowRunner::start_maintenance() {
  if (maintenance_.joinable()) return;
  maintenance_ = std::thread([this] { maintenance_loop(); });
}

void WorkflowRunner::maintenance_loop() {
  std::unique_ptr<store::Store> store;
  int64_t last_retention = 0;
  std::unique_lock lock(maintenance_mutex_);
  while (!stopping_) {
    maintenance_wake_.wait_for(lock, options_.adopt_interval, [this] { return stopping_; });
    if (stopping_) break;
    lock.unlock();
    try {
      if (!store) store = store::open_store(options_.db);
      // Adopt only what this server has room for: the others take the rest.
      int64_t room = 0;
      {
        std::lock_guard runner_lock(mutex_);
        room = std::max(0, options_.max_running - running_);
      }
      if (room > 0 && !keeper_->lost()) {
        const int64_t unclaimed_before = rampart::now_ms() - options_.lease_ttl.count();
        for (const auto& [ns, name] : store->unleased_unfinished(room, unclaimed_before)) start(ns, name);
      }
      if (options_.archive_ttl.count() > 0 && rampart::now_ms() - last_retention > 60'000) {
        last_retention = rampart::now_ms();
        const int64_t cutoff =
            rampart::now_ms() - std::chrono::duration_cast<std::chrono::milliseconds>(options_.archive_ttl).count();
        if (int64_t deleted = store->delete_finished_before(cutoff); deleted > 0) {
          std::clog << "rampart server: archive retention deleted " << deleted << " finished workflow(s)\n";
        }
      }
    } catch (const std::exception& e) {
      std::clog << "rampart server: maintenance: " << e.what() << "\n";
      store.reset();
    }
    lock.lock();
  }
}

int WorkflowRunner::resume_unfinished(store::Store& store) {
  if (!options_.state_dir.empty()) quarantine_crashed(store);
  store::ListFilter filter;
  filter.phases = {"", "Pending", "Running"};
  int started = 0;
  for (const auto& wf : store.list_workflows(filter)) {
    start(wf.namespace_, wf.name);
    ++started;
  }
  return started;
}

void WorkflowRunner::quarantine_crashed(store::Store& store) {
  for (const auto& [ns, name] : CrashQuarantine::take_crashed(options_.state_dir)) {
    auto record = store.get_workflow(ns, name);
    if (!record || record->phase == "Succeeded" || record->phase == "Failed" || record->phase == "Error") continue;
    record->phase = "Error";
    record->message =
        "quarantined: the engine crashed while running this workflow, so it was not resumed "
        "(see the server's log; delete it, or fix it and resubmit)";
    record->finished_at = rampart::now_ms();
    store.put_workflow(*record);
    store::EventRecord e;
    e.time_ms = record->finished_at;
    e.type = "Warning";
    e.reason = "Quarantined";
    e.message = record->message;
    store.append_event(ns, name, e);
    std::clog << "rampart server: workflow " << ns << "/" << name << " quarantined: it crashed the engine\n";
  }
}

bool WorkflowRunner::withdraw(const std::string& ns, const std::string& name) {
  std::lock_guard lock(mutex_);
  auto it = std::find(waiting_.begin(), waiting_.end(), std::make_pair(ns, name));
  if (it == waiting_.end()) return false;
  waiting_.erase(it);
  active_.erase(ns + "/" + name);
  return true;
}

bool WorkflowRunner::is_running(const std::string& ns, const std::string& name) {
  std::lock_guard lock(mutex_);
  return active_.count(ns + "/" + name) > 0;
}

size_t WorkflowRunner::running_count() {
  std::lock_guard lock(mutex_);
  return active_.size();
}

}  // namespace rampart::server
