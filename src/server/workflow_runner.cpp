#include "server/workflow_runner.h"

#include <algorithm>
#include <iostream>
#include <thread>

#include "engine/engine.h"
#include "engine/run_lock.h"
#include "exec/process_executor.h"
#include "guard/admission.h"

namespace rampart::server {

WorkflowRunner::WorkflowRunner(RunnerOptions options) : options_(std::move(options)) {}

void WorkflowRunner::start(const std::string& ns, const std::string& name) {
  std::lock_guard lock(mutex_);
  if (!active_.insert(ns + "/" + name).second) return;
  if (running_ < std::max(1, options_.max_running)) {
    spawn(ns, name);
  } else {
    waiting_.emplace_back(ns, name);
  }
}

void WorkflowRunner::spawn(const std::string& ns, const std::string& name) {
  ++running_;
  // Detached: a workflow outlives the request that submitted it. On server exit the process
  // ends with its threads; step sandboxes die with it and the stored state is resumed later.
  std::thread([this, ns, name] { run(ns, name); }).detach();
}

void WorkflowRunner::run(const std::string& ns, const std::string& name) {
  try {
    engine::RunLock lock(options_.state_dir, ns, name);
    if (lock.try_lock()) {
      auto store = store::open_sqlite(options_.state_dir + "/rampart.db");
      std::unique_ptr<exec::Executor> executor;
      if (options_.make_executor) {
        executor = options_.make_executor();
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
      if (const guard::Policy* policy = options_.policy) {
        engine_options.admit_step = [policy](const std::string& step_ns, const exec::StepRequest& step) {
          guard::Admission admission = guard::admit_step(policy->for_namespace(step_ns), step);
          return admission.denied() ? admission.denial_message() : std::string();
        };
      }
      engine::Engine engine(*store, *executor, engine_options);
      auto record = engine.run(ns, name);
      std::clog << "workflow " << ns << "/" << name << " " << record.phase << "\n";
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

int WorkflowRunner::resume_unfinished(store::Store& store) {
  store::ListFilter filter;
  filter.phases = {"", "Pending", "Running"};
  int started = 0;
  for (const auto& wf : store.list_workflows(filter)) {
    start(wf.namespace_, wf.name);
    ++started;
  }
  return started;
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
