// Runs a helper program (crun, skopeo, umoci) to completion and captures what it printed. Used
// for short control commands, never for steps: steps go through the ProcessSupervisor.
#pragma once

#include <chrono>
#include <string>
#include <vector>

namespace rampart::exec {

struct ToolResult {
  int exit_code = -1;   // -1: could not start or was killed at the timeout
  std::string output;   // stdout and stderr interleaved, at most 64 KiB
  bool timed_out = false;

  bool ok() const { return exit_code == 0; }
  // The last non-empty line of the output: what such tools put their error in.
  std::string last_line() const;
};

// argv[0] is looked up on PATH. The child gets the given environment only (plus PATH).
ToolResult run_tool(const std::vector<std::string>& argv, std::chrono::milliseconds timeout,
                    const std::vector<std::string>& env = {});

}  // namespace rampart::exec
