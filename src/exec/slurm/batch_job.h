// The Slurm batch job for one step: the files it lives in (<step_dir>/slurm/), the sbatch
// arguments and the batch script. The script only runs the hidden `rampart step-exec` on the
// node, which runs the step with the node's own executor and writes the result file.
#pragma once

#include <string>
#include <vector>

#include "exec/executor.h"

namespace rampart::exec::slurm {

struct BatchJobSettings {
  std::string rampart_binary;                   // absolute path valid on the nodes
  std::string partition;                        // empty: the cluster's default partition
  std::vector<std::string> node_executor_args;  // for step-exec: "--executor", "process", ...
  std::vector<std::string> extra_sbatch_args;   // e.g. "--account=x", "--qos=y"
};

struct BatchJob {
  std::string dir;           // <step_dir>/slurm
  std::string request_path;  // StepRequest as JSON, mode 0600
  std::string script_path;
  std::string output_path;  // the job's own stdout/stderr: step-exec's diagnostics, not the step's
  std::string result_path;  // StepResult as JSON, written by the node when the step has ended
  std::string name;         // --job-name
  std::string comment;      // --comment
  std::string script;
  std::vector<std::string> sbatch_args;  // everything after "sbatch", the script path last
};

// Throws std::invalid_argument when the request has no step_dir (a Slurm node needs one).
BatchJob plan_batch_job(const StepRequest& request, const BatchJobSettings& settings);

// POSIX shell single-quoting: the result is one word whatever `word` contains.
std::string shell_quote(const std::string& word);

// "<namespace>/<workflow>" when the step dir has the engine's layout <state>/run/NS/NAME/ID,
// else empty. Lets `squeue -o %k` users see which workflow a job belongs to.
std::string workflow_of_step_dir(const std::string& step_dir, const std::string& id);

}  // namespace rampart::exec::slurm
