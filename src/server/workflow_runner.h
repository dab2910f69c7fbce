// Runs submitted workflows inside the server: one engine thread per running workflow, each
// with its own store connection and executor, under the same RunLock `rampart run` takes. At
// start, unfinished workflows are picked up again (the engine's resume: finished steps are not
// re-run).
#pragma once

#include <deque>
#include <functional>
#include <memory>
#include <map>
#include <mutex>
#include <set>
#include <string>

#include "exec/executor.h"
#include "store/store.h"

namespace rampart::guard {
struct Policy;
}

namespace rampart::server {

struct RunnerOptions {
  std::string state_dir;
  std::string image_catalog;  // empty: the default catalog
  // Makes the executor of one workflow run; empty: the process executor in its bubblewrap
  // sandbox (with image_catalog). Throws when the host lacks what the executor needs.
  std::function<std::unique_ptr<exec::Executor>()> make_executor;
  std::map<std::string, std::map<std::string, std::string>> secrets;
  int64_t default_deadline_seconds = 0;
  // Workflows run at once; more wait in submission order (as Argo's controller parallelism),
  // so a burst of submissions cannot start thousands of engines.
  int max_running = 8;
  // Each step is admitted again just before it starts (after parameter substitution).
  const guard::Policy* policy = nullptr;
};

class WorkflowRunner {
 public:
  explicit WorkflowRunner(RunnerOptions options);

  // Starts running a stored workflow in the background; does nothing when this server already
  // runs it, and the engine thread gives up quietly when another process holds its RunLock.
  void start(const std::string& ns, const std::string& name);
  // Starts every workflow that is Pending or Running in the store. Returns how many.
  int resume_unfinished(store::Store& store);
  bool is_running(const std::string& ns, const std::string& name);
  size_t running_count();

 private:
  void run(const std::string& ns, const std::string& name);
  void spawn(const std::string& ns, const std::string& name);  // mutex_ held

  RunnerOptions options_;
  std::mutex mutex_;
  std::set<std::string> active_;  // "namespace/name", running or waiting
  std::deque<std::pair<std::string, std::string>> waiting_;
  int running_ = 0;
};

}  // namespace rampart::server
