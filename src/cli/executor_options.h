// How steps are run, as chosen on the command line of `run`, `resume` and `server`: the executor
// (process, container, kubernetes or slurm) and its settings.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "exec/executor.h"

namespace CLI {
class App;
}

namespace rampart::cli {

struct ExecutorSettings {
  std::string executor = "process";  // process | container | kubernetes | slurm
  std::string sandbox = "bwrap";     // process executor: bwrap | none
  std::string image_catalog;         // process executor
  // Container executor.
  std::vector<std::string> registry_mirrors;     // "docker.io=127.0.0.1:5000"
  std::vector<std::string> insecure_registries;  // spoken to over HTTP
  std::string image_cache;
  bool allow_privileged = false;
  bool allow_host_namespaces = false;
  bool allow_network = false;
  std::vector<std::string> allowed_capabilities;
  // Kubernetes executor (the policy flags above apply to it too).
  std::string kubeconfig;      // empty: $KUBECONFIG, ~/.kube/config, then in-cluster
  std::string kube_context;    // empty: current-context
  std::string kube_namespace;  // empty: the context's namespace
  std::string kube_helper_image = "busybox:1.36";
  bool kube_writable_root = false;
  bool kube_insecure_skip_tls_verify = false;
  // `run` only: also write the Pod the kubernetes executor would create for each step here.
  std::string emit_pod_manifests;
  // Slurm executor: each step a batch job whose node runs it with `slurm_node_executor`
  // (process or container), configured by the options above.
  std::string slurm_node_executor = "process";
  std::string slurm_partition;
  std::string slurm_rampart;                   // rampart's path on the nodes; default: this binary
  std::vector<std::string> slurm_sbatch_args;  // extra sbatch arguments ("--account=x")
};

// Adds --executor and the options of each executor. `trusted`: offer --sandbox none (never on
// the server, which runs what remote users submit).
void add_executor_options(CLI::App& command, ExecutorSettings& settings, bool trusted);

// Throws std::invalid_argument for bad settings and std::runtime_error when the host lacks what
// the executor needs.
std::unique_ptr<exec::Executor> make_executor(const ExecutorSettings& settings, const std::string& state_dir);

// The arguments that make `rampart step-exec` on a Slurm node build the node executor these
// settings describe (the same flags as `run`, with --executor set to the node's executor).
std::vector<std::string> node_executor_arguments(const ExecutorSettings& settings, const std::string& state_dir);

}  // namespace rampart::cli
