// `rampart step-exec REQUEST.json --result RESULT.json [executor options]` (hidden): what a
// Slurm batch job runs on its node. Reads the step request the Slurm executor wrote, runs the
// step with this node's process or container executor, and writes the StepResult for the
// engine. SIGTERM (scancel) kills the step through the executor, so nothing outlives the job.
#include <signal.h>
#include <unistd.h>

#include <filesystem>
#include <future>
#include <iostream>

#include <CLI/CLI.hpp>

#include "cli/app.h"
#include "cli/commands.h"
#include "cli/executor_options.h"
#include "exec/slurm/step_request_json.h"

namespace rampart::cli {
namespace {

namespace fs = std::filesystem;

struct StepExecOptions {
  std::string request;
  std::string result;
  std::string state_dir;
  ExecutorSettings executor;
};

std::string node_name() {
  if (const char* n = std::getenv("SLURMD_NODENAME"); n && *n) return n;
  char host[256] = {};
  gethostname(host, sizeof host - 1);
  return host;
}

// The result must reach the engine whatever happened, or the step would wait for squeue.
int finish(const std::string& path, const exec::StepResult& result) {
  try {
    exec::slurm::write_file_atomically(path, exec::slurm::result_to_json(result).dump() + "\n", 0600);
  } catch (const std::exception& e) {
    std::cerr << "rampart step-exec: " << e.what() << "\n";
    return kFailed;
  }
  // The job's exit code shows the step's in squeue/sacct; a start error is Slurm's FAILED too.
  if (result.outcome == exec::StepOutcome::StartError) return kFailed;
  return result.exit_code & 0xff;
}

int run_step(const StepExecOptions& o) {
  exec::StepRequest request;
  try {
    request = exec::slurm::request_from_json(exec::slurm::read_json_file(o.request));
  } catch (const std::exception& e) {
    return finish(o.result, {exec::StepOutcome::StartError, 0, std::string("bad step request: ") + e.what(), false});
  }
  // Block the signals scancel sends before any executor thread exists, so that they all inherit
  // the mask and this thread alone receives them through sigtimedwait.
  sigset_t signals;
  sigemptyset(&signals);
  for (int s : {SIGTERM, SIGINT, SIGHUP, SIGUSR1}) sigaddset(&signals, s);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);

  std::unique_ptr<exec::Executor> executor;
  try {
    // A node's container state and image cache are its own: a sweep of leftovers by one node
    // must not remove another node's running containers.
    std::string state = o.state_dir.empty() ? (fs::path(request.step_dir) / "node-state").string()
                                            : (fs::path(o.state_dir) / "slurm-nodes" / node_name()).string();
    executor = make_executor(o.executor, state);
  } catch (const std::exception& e) {
    return finish(o.result,
                  {exec::StepOutcome::StartError, 0, "on Slurm node " + node_name() + ": " + e.what(), false});
  }
  std::promise<exec::StepResult> ended;
  auto result = ended.get_future();
  std::string id = request.id;
  executor->start(std::move(request), [&ended](exec::StepResult r) { ended.set_value(std::move(r)); });
  timespec poll = {0, 100 * 1000 * 1000};
  bool killed = false;
  while (result.wait_for(std::chrono::seconds(0)) != std::future_status::ready) {
    int signal = sigtimedwait(&signals, nullptr, &poll);
    if (signal > 0 && !killed) {
      killed = true;
      executor->kill(id, "cancelled by Slurm (signal " + std::to_string(signal) + ")");
    }
  }
  exec::StepResult r = result.get();
  executor->shutdown();
  return finish(o.result, r);
}

}  // namespace

CommandAction add_step_exec_command(CLI::App& app) {
  auto o = std::make_shared<StepExecOptions>();
  auto* cmd = app.add_subcommand("step-exec", "Run one step from a request file (what a Slurm job runs on its node)");
  cmd->group("");  // hidden: only the Slurm executor calls it
  cmd->add_option("request", o->request, "Step request written by the Slurm executor")->required();
  cmd->add_option("--result", o->result, "Where to write the step's result")->required();
  cmd->add_option("--state", o->state_dir,
                  "Container executor: the engine's state dir (the node uses slurm-nodes/NODE in it)");
  add_executor_options(*cmd, o->executor, true);
  return [o] {
    if (o->executor.executor == "slurm") {
      std::cerr << "rampart step-exec: --executor must be process or container on a node\n";
      return static_cast<int>(kUsage);
    }
    return run_step(*o);
  };
}

}  // namespace rampart::cli
