// What the workflow commands share: where state lives, opening the store, the executor, and
// the lock that tells whether an engine is running a workflow right now.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "cli/executor_options.h"
#include "cli/secret_files.h"
#include "engine/engine.h"
#include "engine/run_lock.h"
#include "exec/executor.h"
#include "guard/policy.h"
#include "store/store.h"

namespace CLI {
class App;
}

namespace rampart::cli {

struct StateOptions {
  std::string state_dir;  // --state; default: the directory of store::default_sqlite_path()
  std::string namespace_ = "argo";
};

// How a stored workflow is run in this process (shared by `run` and `resume`).
struct RunSettings {
  ExecutorSettings executor;
  std::string output = "text";
  bool watch = false;
  bool all = false;  // --all / -o wide: the final tree shows every node
  bool log = false;  // --log: each step's log on stdout when it ends
  int64_t default_deadline = 0;
  std::vector<std::string> secret_files;
  engine::EngineBounds bounds;
  uint64_t max_secret_bytes = kDefaultMaxSecretBytes;  // --max-secret-bytes
  // Checks every step just before it starts, as the server does (nullptr: no checks).
  std::shared_ptr<const guard::Policy> policy;
};

// Runs (or resumes) a stored workflow with a progress display; the exit code of `run`.
int run_stored_workflow(const StateOptions& state, const std::string& name, const RunSettings& settings);

// Adds --state and -n/--namespace to a command.
void add_state_options(CLI::App& command, StateOptions& options);

std::string resolve_state_dir(const StateOptions& options);
// Where the steps' logs of a workflow are: <state>/logs/NAMESPACE/NAME/<node id>.log.
std::string workflow_log_dir(const std::string& state_dir, const std::string& ns, const std::string& name);
std::unique_ptr<store::Store> open_store(const std::string& state_dir);
// For commands that only read (get, list, logs): an explicit --state that names no folder is a
// typo, said on stderr (null is returned), never made into an empty state.
std::unique_ptr<store::Store> open_store_to_read(const StateOptions& options);

using engine::RunLock;

// True when the workflow is stored as Running but no process runs it: its RunLock is free (the
// engine was killed, by SIGKILL or a reboot). The kernel frees the lock when a process dies, so
// this is known, not guessed from how long it has been quiet.
bool engine_gone(const std::string& state_dir, const store::WorkflowRecord& workflow);

// What `get` and `list` show for such a workflow.
std::string interrupted_note(const std::string& name);

}  // namespace rampart::cli
