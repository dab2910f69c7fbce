// What of the engine's environment reaches Slurm's client commands, and so the jobs they submit.
#pragma once

#include <string>
#include <vector>

namespace rampart::exec::slurm {

// What sbatch may see of our environment, and so pass on to the job: PATH, HOME, USER, LOGNAME,
// LANG, TZ and Slurm's own SLURM_*, SBATCH_*. Nothing else of the engine's (tokens, keys) reaches
// the job or Slurm's job record.
std::vector<std::string> environment_for_slurm_job(char** environment);

}  // namespace rampart::exec::slurm
