// How the engine hands one step (a pod in Argo's terms) to something that runs it, and learns
// how it ended. Implementations: process (bubblewrap sandbox, the embedded default), container
// (crun) and kubernetes (a Pod per step). The engine never blocks on a step: `start` returns at
// once and `done` is called exactly once, from any thread, when the step has ended for whatever
// reason.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace rampart {
class SecretMasker;
}

namespace rampart::exec {

struct Mount {
  std::string host_path;       // existing file or directory on the host
  std::string container_path;  // absolute path the step sees
  bool read_only = false;
  // When set, the directory at host_path as the engine walked to it, named by an open descriptor
  // ("/proc/<pid>/fd/<n>", see common/confined_dir.h). Local sandboxes bind this instead of
  // host_path, so that a link swapped in at host_path after the check cannot redirect the bind;
  // executors that run elsewhere use host_path. `keep_alive` holds the descriptor open.
  std::string pinned_path;
  std::shared_ptr<const void> keep_alive;
  const std::string& bind_source() const { return pinned_path.empty() ? host_path : pinned_path; }
};

struct ResourceLimits {
  std::optional<double> cpu_cores;        // from resources.limits.cpu
  std::optional<uint64_t> memory_bytes;   // from resources.limits.memory
  std::optional<uint64_t> max_processes;  // pids limit; a default applies when absent
};

// What a container's securityContext (and its pod's host namespaces) ask for. Executors refuse
// what their policy does not permit rather than run with less isolation than the user thinks.
struct SecurityRequest {
  bool privileged = false;
  bool read_only_root = false;  // readOnlyRootFilesystem
  std::optional<int64_t> run_as_user;
  std::optional<int64_t> run_as_group;
  bool run_as_non_root = false;
  std::vector<std::string> add_capabilities;  // capabilities.add, as written ("NET_ADMIN")
  bool host_network = false;                  // pod hostNetwork / hostPID / hostIPC
  bool host_pid = false;
  bool host_ipc = false;
};

struct StepRequest {
  std::string id;                                        // unique per attempt within the engine (node id)
  std::string image;                                     // as written in the template, after substitution
  std::vector<std::string> command;                      // empty: the image's ENTRYPOINT
  std::vector<std::string> args;                         // empty (and command empty): the image's CMD
  std::vector<std::pair<std::string, std::string>> env;  // in order; later entries win
  std::string working_dir;                               // path inside the sandbox; empty: a private per-step dir
  // A script template's source: staged as an executable file (Argo: /argo/staging/script) whose
  // path is appended to command + args.
  std::optional<std::string> script_source;
  std::vector<Mount> mounts;  // volumes and artifact paths bound in
  bool network = false;       // false: loopback only
  // Steps given the same directory here (a pod's main container and its sidecars) share one
  // loopback-only network namespace, pinned in that directory; empty: a namespace of its own.
  std::string pod_network;
  ResourceLimits limits;
  SecurityRequest security;
  std::string image_pull_policy;  // Always | IfNotPresent | Never; empty: Kubernetes' default
  // Registry credentials from imagePullSecrets: a Docker config.json ({"auths": {...}}). A secret:
  // never logged, never shown, written only to a private file while a pull runs.
  std::string registry_auth;
  std::string step_dir;                  // host dir owned by this attempt (scratch, staging)
  std::string stdout_path;               // host file receiving the step's stdout (outputs.result)
  std::string log_path;                  // host file receiving stdout and stderr interleaved (logs)
  uint64_t max_log_bytes = 64ull << 20;  // past this, output is dropped and a marker written

  // Whose step this is, for executors that create objects others look at (Kubernetes Pods get
  // Argo's labels and annotations so kubectl users find them). Empty when unknown.
  std::string workflow_name;
  std::string workflow_namespace;
  std::string node_name;  // "wf[0].step(1:b)"
  std::string pod_name;   // the name Argo would give the pod
  std::string template_name;
  std::string pod_gc_strategy;  // spec.podGC.strategy: OnPodCompletion, OnPodSuccess, ...
  // Files the engine reads after the step (outputs' valueFrom.path and artifact paths): the
  // container path and the host path it is read from. Local executors ignore this (the host path
  // is where the file lands anyway); remote ones copy each file back before `done`.
  std::vector<std::pair<std::string, std::string>> output_files;
  // Masks the run's secret values in everything the executor writes for this step (its stdout
  // and log files) before it is written. Null: nothing to mask. Shared, immutable, thread-safe.
  std::shared_ptr<const SecretMasker> masker;
  // The workflow's and the template's podSpecPatch, substituted, in the order they would apply.
  // No executor applies them yet; the guard checks them before the step starts.
  std::vector<std::string> pod_spec_patches;
};

enum class StepOutcome {
  Exited,      // the process ran and exited (exit_code says how)
  Killed,      // stopped by kill(): deadline, terminate, stop
  StartError,  // could not start: missing image in the catalog, sandbox failure, ...
};

struct StepResult {
  StepOutcome outcome = StepOutcome::Exited;
  int exit_code = 0;    // 128+signal when killed by a signal (137 for SIGKILL, as Kubernetes)
  std::string message;  // for people: "OOMKilled", "image \"foo\" is not in the catalog ...", ...
  bool output_truncated = false;
};

class Executor {
 public:
  virtual ~Executor() = default;
  virtual void start(StepRequest request, std::function<void(StepResult)> done) = 0;
  // Kills the step's whole process tree. `reason` becomes StepResult::message. No-op when the
  // step already ended.
  virtual void kill(const std::string& id, const std::string& reason) = 0;
  // Kills everything still running and waits for each `done` to have been called.
  virtual void shutdown() = 0;

  // Symbolic links this executor itself makes in every step directory (bwrap's --symlink mount
  // points in the step's root), as paths relative to the step directory with their exact
  // targets. The engine may remove exactly these to reuse a step directory for the next step.
  // Default: none. Thread-safe; the answer never changes.
  struct StepDirLink {
    std::string path;    // "rootfs/bin"
    std::string target;  // "usr/bin"
  };
  virtual std::vector<StepDirLink> links_in_step_dirs() const { return {}; }
};

}  // namespace rampart::exec
