// Runs a helper program (crun, skopeo, umoci, sbatch, squeue, scancel) to completion and collects
// what it printed. The one spawner for short control commands; steps never come here (they go
// through exec/child_process). Arguments go straight to exec, never through a shell.
#pragma once

#include <chrono>
#include <cstddef>
#include <optional>
#include <string>
#include <vector>

namespace rampart::exec {

struct HelperCommand {
  std::vector<std::string> argv;  // argv[0] is looked up on PATH
  // Past it the helper and everything in its process group get SIGKILL: a tool or a controller
  // that does not answer must not stall the engine.
  std::chrono::milliseconds timeout{60'000};
  // The helper's whole environment ("NAME=value"); nullopt: the engine's own.
  std::optional<std::vector<std::string>> environment;
  bool merge_stderr = false;                 // stderr goes into `out`, interleaved
  std::size_t max_output = 4 * 1024 * 1024;  // per stream; the rest is read and dropped
};

struct HelperResult {
  int exit_code = -1;  // -1: not started (error says why); 128+N: killed by signal N
  std::string out;
  std::string err;
  std::string error;       // why it did not start or did not finish; empty otherwise
  bool timed_out = false;  // killed at the timeout (exit_code 137, error says so)
  bool truncated = false;  // a stream was longer than max_output

  bool ok() const { return exit_code == 0; }
  // For messages: `error` if set, else the last non-empty line of stderr (else of stdout), else
  // the exit code.
  std::string summary() const;
};

// An environment of `extra` plus the engine's PATH, and nothing else of the engine's environment
// (its tokens and keys never reach a helper that does not need them).
std::vector<std::string> path_only_environment(std::vector<std::string> extra = {});

// Blocks the calling thread until the helper exits or the timeout passes. Thread-safe.
HelperResult run_helper(const HelperCommand& command);

}  // namespace rampart::exec
