#include "exec/slurm/batch_job.h"

#include <cmath>
#include <filesystem>
#include <stdexcept>

namespace rampart::exec::slurm {

namespace fs = std::filesystem;

std::string shell_quote(const std::string& word) {
  std::string quoted = "'";
  for (char c : word) {
    if (c == '\'')
      quoted += "'\\''";
    else
      quoted += c;
  }
  return quoted + "'";
}

std::string workflow_of_step_dir(const std::string& step_dir, const std::string& id) {
  fs::path dir = fs::path(step_dir).lexically_normal();
  if (dir.filename().empty()) dir = dir.parent_path();  // a trailing slash
  if (dir.filename() != id) return "";
  fs::path workflow = dir.parent_path();
  fs::path ns = workflow.parent_path();
  if (ns.parent_path().filename() != "run" || workflow.filename().empty() || ns.filename().empty()) return "";
  return ns.filename().string() + "/" + workflow.filename().string();
}

BatchJob plan_batch_job(const StepRequest& request, const BatchJobSettings& settings) {
  if (request.step_dir.empty()) throw std::invalid_argument("step " + request.id + " has no step directory");
  if (settings.rampart_binary.empty()) throw std::invalid_argument("no rampart binary for the Slurm nodes");
  BatchJob job;
  job.dir = (fs::path(request.step_dir) / "slurm").string();
  job.request_path = job.dir + "/request.json";
  job.script_path = job.dir + "/job.sh";
  job.output_path = job.dir + "/job.out";
  job.result_path = job.dir + "/result.json";
  job.name = "rampart-" + request.id;
  std::string workflow = workflow_of_step_dir(request.step_dir, request.id);
  job.comment = "rampart step " + request.id + (workflow.empty() ? "" : " of workflow " + workflow);

  std::string command = "exec " + shell_quote(settings.rampart_binary) + " step-exec " + shell_quote(job.request_path) +
                        " --result " + shell_quote(job.result_path);
  for (const auto& arg : settings.node_executor_args) command += " " + shell_quote(arg);
  job.script =
      "#!/bin/sh\n"
      "# " +
      job.comment +
      ", run on this node by rampart's node executor.\n"
      "# The step's environment and credentials are in request.json (mode 0600), never here.\n"
      "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin\n"
      "export PATH\n" +
      command + "\n";

  auto& a = job.sbatch_args;
  a = {"--parsable", "--job-name=" + job.name, "--comment=" + job.comment, "--output=" + job.output_path,
       "--chdir=" + job.dir, "--nodes=1", "--ntasks=1",
       // The environment sbatch passes on is trimmed by the executor (environment_for_slurm_job),
       // not with --export=NONE: that makes slurmd run a login shell for every job (2-3 s).
       // A step that failed on a bad node is the engine's to retry (retryStrategy), not Slurm's.
       "--no-requeue"};
  if (!settings.partition.empty()) a.push_back("--partition=" + settings.partition);
  if (request.limits.cpu_cores && *request.limits.cpu_cores > 0) {
    a.push_back("--cpus-per-task=" + std::to_string(static_cast<long>(std::ceil(*request.limits.cpu_cores))));
  }
  if (request.limits.memory_bytes && *request.limits.memory_bytes > 0) {
    uint64_t mib = (*request.limits.memory_bytes + (1ull << 20) - 1) >> 20;
    a.push_back("--mem=" + std::to_string(mib) + "M");
  }
  a.insert(a.end(), settings.extra_sbatch_args.begin(), settings.extra_sbatch_args.end());
  a.push_back(job.script_path);
  return job;
}

}  // namespace rampart::exec::slurm
