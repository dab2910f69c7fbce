#include "cli/context.h"

#include <iostream>

#include <filesystem>

#include <CLI/CLI.hpp>

namespace rampart::cli {

namespace fs = std::filesystem;

void add_state_options(CLI::App& command, StateOptions& options) {
  command.add_option("--state", options.state_dir,
                     "State directory (default: $XDG_STATE_HOME/rampart or ~/.local/state/rampart)");
  command.add_option("-n,--namespace", options.namespace_, "Namespace")->capture_default_str();
}

std::string resolve_state_dir(const StateOptions& options) {
  if (!options.state_dir.empty()) return options.state_dir;
  return fs::path(store::default_sqlite_path()).parent_path().string();
}

std::string workflow_log_dir(const std::string& state_dir, const std::string& ns, const std::string& name) {
  return (fs::path(state_dir) / "logs" / ns / name).string();
}

std::unique_ptr<store::Store> open_store(const std::string& state_dir) {
  return store::open_sqlite((fs::path(state_dir) / "rampart.db").string());
}

bool engine_gone(const std::string& state_dir, const store::WorkflowRecord& workflow) {
  if (workflow.phase != "Running") return false;
  RunLock probe(state_dir, workflow.namespace_, workflow.name);
  return probe.try_lock();  // released again when the probe goes
}

std::string interrupted_note(const std::string& name) {
  return "interrupted: no rampart process runs it (its engine was stopped or killed); continue it with: rampart "
         "resume " +
         name;
}

std::unique_ptr<store::Store> open_store_to_read(const StateOptions& options) {
  const std::string dir = resolve_state_dir(options);
  std::error_code ec;
  if (!options.state_dir.empty() && !fs::is_directory(dir, ec)) {
    std::cerr << "--state " << options.state_dir << ": no such folder; --state takes the folder given to rampart run\n";
    return nullptr;
  }
  return open_store(dir);
}

}  // namespace rampart::cli
