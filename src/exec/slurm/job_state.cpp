#include "exec/slurm/job_state.h"

#include <sstream>

namespace rampart::exec::slurm {

JobState parse_job_state(const std::string& text) {
  // scontrol writes "CANCELLED by 0" and squeue may add "+": the first word is the state.
  std::string word = text.substr(0, text.find_first_of(" +"));
  static const std::map<std::string, JobState> states = {
      {"PENDING", JobState::Pending},           {"CONFIGURING", JobState::Pending},
      {"REQUEUED", JobState::Pending},          {"REQUEUE_HOLD", JobState::Pending},
      {"REQUEUE_FED", JobState::Pending},       {"RESV_DEL_HOLD", JobState::Pending},
      {"RESIZING", JobState::Pending},          {"RUNNING", JobState::Running},
      {"COMPLETING", JobState::Running},        {"SUSPENDED", JobState::Running},
      {"STOPPED", JobState::Running},           {"SIGNALING", JobState::Running},
      {"STAGE_OUT", JobState::Running},         {"SPECIAL_EXIT", JobState::Failed},
      {"COMPLETED", JobState::Completed},       {"FAILED", JobState::Failed},
      {"BOOT_FAIL", JobState::Failed},          {"DEADLINE", JobState::Failed},
      {"REVOKED", JobState::Cancelled},         {"CANCELLED", JobState::Cancelled},
      {"TIMEOUT", JobState::Timeout},           {"NODE_FAIL", JobState::NodeFail},
      {"OUT_OF_MEMORY", JobState::OutOfMemory}, {"PREEMPTED", JobState::Preempted},
  };
  auto it = states.find(word);
  return it == states.end() ? JobState::Unknown : it->second;
}

bool is_terminal(JobState state) {
  switch (state) {
    case JobState::Pending:
    case JobState::Running:
    case JobState::Unknown: return false;
    default: return true;
  }
}

StepResult result_for_job_without_result(JobState state, const std::string& slurm_text,
                                         const std::optional<std::string>& killed_reason) {
  StepResult r;
  if (killed_reason) {
    r.outcome = StepOutcome::Killed;
    r.exit_code = 137;
    r.message = *killed_reason;
    return r;
  }
  // Kubernetes' conventions, which the engine's messages already follow: 137 for a kill.
  r.outcome = StepOutcome::Exited;
  switch (state) {
    case JobState::OutOfMemory:
      r.exit_code = 137;
      r.message = "OOMKilled";
      return r;
    case JobState::Timeout:
      r.exit_code = 137;
      r.message = "Slurm job reached its time limit (TIMEOUT)";
      return r;
    case JobState::Cancelled:
      r.exit_code = 137;
      r.message = "Slurm job was cancelled outside rampart (" + slurm_text + ")";
      return r;
    case JobState::NodeFail:
      r.outcome = StepOutcome::StartError;
      r.exit_code = 0;
      r.message = "Slurm node failed while running the step (NODE_FAIL)";
      return r;
    case JobState::Preempted:
      r.exit_code = 137;
      r.message = "Slurm job was preempted (PREEMPTED)";
      return r;
    default:
      // COMPLETED or FAILED without a result file: the node-side runner itself failed (binary
      // missing on the node, state dir not shared, ...). Its output is in the job's output file.
      r.outcome = StepOutcome::StartError;
      r.exit_code = 0;
      r.message = "Slurm job ended " + slurm_text + " without a step result";
      return r;
  }
}

std::map<std::string, std::string> parse_squeue_states(const std::string& output) {
  std::map<std::string, std::string> states;
  std::istringstream lines(output);
  std::string line;
  while (std::getline(lines, line)) {
    size_t bar = line.find('|');
    if (bar == std::string::npos || bar == 0) continue;
    std::string id = line.substr(0, bar);
    if (id.find_first_not_of("0123456789_") != std::string::npos) continue;
    std::string state = line.substr(bar + 1);
    while (!state.empty() && (state.back() == ' ' || state.back() == '\r')) state.pop_back();
    states[id] = state;
  }
  return states;
}

}  // namespace rampart::exec::slurm
