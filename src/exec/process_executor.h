// The embedded default executor: each step runs as a local process inside a bubblewrap sandbox
// (or, in sandbox mode "none", as a plain process for trusted runs and benchmarks). Images are
// mapped to local runtimes by the image catalog. See docs/executor.md.
#pragma once

#include <memory>
#include <string>

#include "exec/executor.h"
#include "exec/image_catalog.h"
#include "exec/sandbox_command.h"

namespace rampart::exec {

struct ProcessExecutorOptions {
  std::string image_catalog;  // empty: locate_image_catalog() decides
  SandboxMode sandbox = SandboxMode::Bubblewrap;
  std::string bwrap;  // empty: "bwrap" from PATH, then /usr/bin/bwrap
};

// "bwrap" or "none"; throws std::invalid_argument otherwise.
SandboxMode parse_sandbox_mode(const std::string& name);

class ProcessExecutor : public Executor {
 public:
  // Loads the catalog and probes the host (bwrap, cgroups). Throws CatalogError for a bad or
  // missing catalog and std::runtime_error when bwrap is needed and missing.
  explicit ProcessExecutor(ProcessExecutorOptions options = {});
  ~ProcessExecutor() override;  // shutdown()

  void start(StepRequest request, std::function<void(StepResult)> done) override;
  void kill(const std::string& id, const std::string& reason) override;
  void shutdown() override;
  std::vector<StepDirLink> links_in_step_dirs() const override;

  // The host path behind a path inside the step: container /tmp/x is <step_dir>/tmp/x, a volume's
  // path is under its host directory, anything else under <step_dir>/rootfs.
  std::string host_path_for(const StepRequest& request, const std::string& container_path) const;

  // How this host enforces each limit (cgroup, rlimit, or not at all), one line each.
  std::string enforcement_summary() const;

  const ImageCatalog& catalog() const;
  SandboxMode sandbox() const;

 private:
  struct State;
  std::unique_ptr<State> state_;
};

std::unique_ptr<Executor> make_process_executor(ProcessExecutorOptions options = {});

}  // namespace rampart::exec
