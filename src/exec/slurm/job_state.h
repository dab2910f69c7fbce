// What Slurm says about a job, and what that means for the step it runs. The step's own result
// file is the primary source (it carries the real exit code and message); the job state decides
// only when there is no result file: the node died, the job was cancelled before the step ran,
// or Slurm's own limits ended it.
#pragma once

#include <map>
#include <optional>
#include <string>

#include "exec/executor.h"

namespace rampart::exec::slurm {

enum class JobState {
  Pending,      // PENDING, CONFIGURING, REQUEUED, RESV_DEL_HOLD, ...
  Running,      // RUNNING, COMPLETING, SUSPENDED, STOPPED, SIGNALING, STAGE_OUT, ...
  Completed,    // COMPLETED
  Failed,       // FAILED, BOOT_FAIL, DEADLINE
  Cancelled,    // CANCELLED (scancel, or "CANCELLED by 0")
  Timeout,      // TIMEOUT: the partition's or job's time limit
  NodeFail,     // NODE_FAIL
  OutOfMemory,  // OUT_OF_MEMORY
  Preempted,    // PREEMPTED
  Unknown,      // a state this code does not know: treated as still running
};

// squeue's %T (long form, e.g. "CANCELLED by 0" from scontrol is accepted too).
JobState parse_job_state(const std::string& text);

bool is_terminal(JobState state);

// The StepResult for a job that ended without the node writing a result file. `killed_reason`
// is set when the engine asked for the kill (then the step is Killed with that reason whatever
// Slurm says); `slurm_text` is the state as Slurm wrote it, for the message.
StepResult result_for_job_without_result(JobState state, const std::string& slurm_text,
                                         const std::optional<std::string>& killed_reason);

// One squeue line per job: "JOBID|STATE" (format "%i|%T"). Lines that do not parse are skipped:
// squeue's own warnings must not become jobs.
std::map<std::string, std::string> parse_squeue_states(const std::string& output);

}  // namespace rampart::exec::slurm
