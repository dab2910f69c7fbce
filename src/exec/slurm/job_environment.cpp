#include "exec/slurm/job_environment.h"

namespace rampart::exec::slurm {

std::vector<std::string> environment_for_slurm_job(char** environment) {
  static const char* kept[] = {"PATH=", "HOME=", "USER=", "LOGNAME=", "LANG=", "TZ=", "SLURM_", "SBATCH_"};
  std::vector<std::string> out;
  for (char** e = environment; e && *e; ++e) {
    std::string entry = *e;
    for (const char* prefix : kept) {
      if (entry.rfind(prefix, 0) == 0) {
        out.push_back(entry);
        break;
      }
    }
  }
  return out;
}

}  // namespace rampart::exec::slurm
