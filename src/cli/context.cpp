#include "cli/context.h"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

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

std::unique_ptr<store::Store> open_store(const std::string& state_dir) {
  return store::open_sqlite((fs::path(state_dir) / "rampart.db").string());
}

RunLock::RunLock(const std::string& state_dir, const std::string& ns, const std::string& name) {
  fs::path dir = fs::path(state_dir) / "locks" / ns;
  std::error_code ec;
  fs::create_directories(dir, ec);
  path_ = (dir / (name + ".lock")).string();
}

RunLock::~RunLock() {
  if (fd_ >= 0) close(fd_);
}

bool RunLock::try_lock() {
  if (fd_ < 0) fd_ = open(path_.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
  if (fd_ < 0) return false;
  return flock(fd_, LOCK_EX | LOCK_NB) == 0;
}

}  // namespace rampart::cli

#include "exec/process_executor.h"

namespace rampart::cli {

std::unique_ptr<exec::Executor> make_executor(const std::string& sandbox, const std::string& image_catalog) {
  exec::ProcessExecutorOptions options;
  options.sandbox = exec::parse_sandbox_mode(sandbox);
  options.image_catalog = image_catalog;
  return exec::make_process_executor(options);
}

}  // namespace rampart::cli
