// The Slurm executor: each step is a Slurm batch job. The job runs `rampart step-exec` on its
// node, which runs the step with that node's process or container executor and writes the
// step's stdout, log and a result file into the step directory. The step directories (under the
// engine's state dir) must therefore be on a filesystem the nodes share, as HPC clusters have.
//
// One monitor thread submits jobs (sbatch), watches result files (cheap, every 100 ms) and asks
// squeue about all jobs at once (every 2 s) to notice jobs that ended without a result (node
// failure, cancelled outside rampart). kill() is scancel; deadlines stay the engine's.
// See docs/slurm.md.
#pragma once

#include <chrono>
#include <memory>
#include <string>

#include "exec/executor.h"
#include "exec/slurm/batch_job.h"

namespace rampart::exec::slurm {

struct SlurmExecutorOptions {
  BatchJobSettings job;
  std::string sbatch = "sbatch";  // from PATH unless a path is given
  std::string squeue = "squeue";
  std::string scancel = "scancel";
  std::chrono::milliseconds result_poll{100};
  std::chrono::milliseconds squeue_poll{2000};
  // After scancel, how long to wait for Slurm to report the job ended before reporting the step
  // killed anyway (a node that no longer answers must not hold the workflow).
  std::chrono::milliseconds cancel_grace{30000};
};

class SlurmExecutor : public Executor {
 public:
  // Checks that squeue runs and reaches the controller; throws std::runtime_error otherwise.
  explicit SlurmExecutor(SlurmExecutorOptions options);
  ~SlurmExecutor() override;  // shutdown()

  void start(StepRequest request, std::function<void(StepResult)> done) override;
  void kill(const std::string& id, const std::string& reason) override;
  void shutdown() override;

 private:
  struct State;
  std::shared_ptr<State> state_;
};

std::unique_ptr<Executor> make_slurm_executor(SlurmExecutorOptions options);

}  // namespace rampart::exec::slurm
