// Starting one step's process: clone it (sharing the engine's memory until exec, never copying
// it), put the child in its own session, its cgroups and rlimits, wire its stdio, close every
// other fd, exec. Whether exec worked is known before this returns (a close-on-exec pipe carries
// the child's errno back), so a missing program is a start error rather than an exit code.
#pragma once

#include <sys/types.h>

#include <string>
#include <vector>

#include "exec/resource_limits.h"
#include "exec/sandbox_command.h"

namespace rampart::exec {

struct ChildStdio {
  int stdin_fd = -1;   // /dev/null
  int stdout_fd = -1;  // write end of the stdout pipe
  int stderr_fd = -1;  // write end of the stderr pipe
  int status_fd = -1;  // write end of bwrap's --json-status-fd pipe, becomes fd 3; -1: none
};

struct SpawnedChild {
  pid_t pid = -1;
  int pidfd = -1;     // readable once the child has exited (not yet reaped)
  std::string error;  // set when the child could not be started; pid is then -1
};

// `die_with_parent`: the child gets SIGKILL if the calling thread ends (bwrap does this itself
// with --die-with-parent). Must be called from a long-lived thread for that reason.
SpawnedChild spawn_child(const LaunchPlan& plan, const ChildStdio& stdio, const std::vector<int>& cgroup_procs_fds,
                         const std::vector<RlimitSetting>& rlimits, bool die_with_parent);

}  // namespace rampart::exec
