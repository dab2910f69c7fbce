// Runs one Slurm client command (sbatch, squeue, scancel) and collects what it printed. The
// arguments go straight to exec, never through a shell.
#pragma once

#include <string>
#include <vector>

namespace rampart::exec::slurm {

struct CommandOutput {
  int exit_code = -1;   // -1: could not be started (error says why); 128+N: killed by signal N
  std::string out;
  std::string err;
  std::string error;
  bool ok() const { return exit_code == 0; }
  // For messages: stderr's last non-empty line, or the start error, or the exit code.
  std::string summary() const;
};

// `timeout_seconds`: the command is SIGKILLed past it (a controller that does not answer must
// not stall every step). `env`: the command's whole environment ("NAME=value"); null: ours.
CommandOutput run_command(const std::vector<std::string>& argv, int timeout_seconds = 60,
                          const std::vector<std::string>* env = nullptr);

// What sbatch may see of our environment, and so pass on to the job: PATH, HOME, USER, LOGNAME,
// LANG, TZ and Slurm's own SLURM_*, SBATCH_*. Nothing else of the engine's (tokens, keys) reaches
// the job or Slurm's job record.
std::vector<std::string> environment_for_slurm_job(char** environment);

}  // namespace rampart::exec::slurm
