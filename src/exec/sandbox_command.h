// The command line that runs one step: bubblewrap's arguments (the sandbox a step sees) or, in
// sandbox mode "none", the bare program. Built entirely before fork, so the child only execs.
#pragma once

#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "exec/executor.h"
#include "exec/image_catalog.h"

namespace rampart::exec {

enum class SandboxMode {
  Bubblewrap,  // the default: namespaces, read-only host, private /tmp, no network
  None,        // trusted local runs and benchmarks: same argv, env and limits, no isolation
};

// Where Argo stages a script template's source inside the step.
inline constexpr const char* kScriptContainerPath = "/argo/staging/script";

// The parts of the host a sandbox is built from, probed once per executor.
struct HostLayout {
  std::string bwrap;  // absolute path of the bwrap binary
  // Host directories bound read-only at the same path, and top-level symlinks recreated as
  // symlinks (on merged-/usr systems /bin is "usr/bin").
  std::vector<std::string> read_only_dirs;
  std::vector<std::pair<std::string, std::string>> symlinks;  // {target, path}
  std::vector<std::string> masked_files;                      // secrets under /etc, hidden behind /dev/null
  std::vector<std::string> masked_dirs;                       // hidden behind an empty tmpfs

  static HostLayout probe(const std::string& bwrap_path);
};

// Everything the forked child needs to exec the step.
struct LaunchPlan {
  std::string executable;         // absolute host path given to execve
  std::vector<std::string> argv;  // argv[0] included
  std::vector<std::string> envp;  // NAME=value
  std::string host_cwd;           // chdir before exec (mode none); bwrap changes dir itself
  bool bwrap_status_fd = false;   // bwrap reports {"exit-code": N} on fd 3
};

struct LaunchInputs {
  const StepRequest& request;
  const ImageRuntime& runtime;
  std::vector<std::string> step_argv;      // resolved by resolve_command
  std::optional<std::string> script_host;  // the staged script, bound at kScriptContainerPath
};

struct LaunchBuild {
  std::optional<LaunchPlan> plan;
  std::string error;  // why the step cannot start (missing mount source, unknown program, ...)
};

LaunchBuild build_bubblewrap_launch(const HostLayout& host, const LaunchInputs& in);
LaunchBuild build_unsandboxed_launch(const LaunchInputs& in);

// The environment a step starts with: PATH, HOME and HOSTNAME, the image's ENV, then the step's
// own variables in order (a later entry replaces an earlier one of the same name).
std::vector<std::pair<std::string, std::string>> step_environment(const StepRequest& request,
                                                                  const ImageRuntime& runtime, bool host_paths);

// The host file or directory behind `container_path` inside a bubblewrap sandbox: /tmp is
// <step_dir>/tmp, a declared Mount is its host_path, the staged script is
// <step_dir>/staging/script. Empty when the path lives only in the sandbox's private root (lost
// when the step ends). In sandbox mode "none" paths are host paths and this returns its input.
std::string host_path_for(const StepRequest& request, const std::string& container_path, SandboxMode mode);

// The container hostname for a step id: lowercase letters, digits and '-', at most 63 characters.
std::string sandbox_hostname(const std::string& step_id);

}  // namespace rampart::exec
