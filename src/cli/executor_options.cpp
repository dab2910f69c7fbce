#include "cli/executor_options.h"

#include <cctype>
#include <filesystem>
#include <set>
#include <stdexcept>

#include <CLI/CLI.hpp>

#include "exec/container/container_executor.h"
#include "exec/kubernetes/kube_config.h"
#include "exec/kubernetes/kubernetes_executor.h"
#include "exec/kubernetes/manifest_emitter.h"
#include "exec/process_executor.h"
#include "exec/slurm/slurm_executor.h"

namespace rampart::cli {

void add_executor_options(CLI::App& command, ExecutorSettings& s, bool trusted) {
  if (trusted) {
    command
        .add_option("--executor", s.executor,
                    "Where steps run: process (local sandboxed processes), container (OCI containers with crun), "
                    "kubernetes (a Pod per step) or slurm (a Slurm batch job per step)")
        ->check(CLI::IsMember({"process", "container", "kubernetes", "slurm"}))
        ->capture_default_str();
  } else {
    // The server may offer several: the first is the default, workflows pick others by annotation.
    command
        .add_option("--executor", s.executor,
                    "Where steps run: process, container, kubernetes or slurm, or a comma-separated list of them (the "
                    "first is the default; a workflow picks another with the annotation rampart.io/executor)")
        ->capture_default_str();
  }
  if (trusted) {
    command.add_option("--sandbox", s.sandbox, "Process executor sandbox: bwrap, or none for trusted local runs")
        ->check(CLI::IsMember({"bwrap", "none"}))
        ->capture_default_str();
  }
  command.add_option("--image-catalog", s.image_catalog,
                     "Process executor: image catalog file (default: share/rampart/images.yaml)");
  command.add_option("--registry-mirror", s.registry_mirrors,
                     "Container executor: REGISTRY=MIRROR, pull REGISTRY's images from MIRROR (repeatable)");
  command.add_option("--insecure-registry", s.insecure_registries,
                     "Container executor: registry spoken to over plain HTTP (loopback ones always are)");
  command.add_option("--image-cache", s.image_cache,
                     "Container executor: image cache directory (default: <state>/images)");
  command.add_flag("--allow-privileged", s.allow_privileged,
                   "Container executor: run privileged containers instead of refusing them");
  command.add_flag("--allow-host-namespaces", s.allow_host_namespaces,
                   "Container executor: allow hostNetwork, hostPID and hostIPC");
  command.add_flag("--allow-network", s.allow_network,
                   "Container executor: allow steps annotated rampart.io/network: enabled to use the host network");
  command.add_option("--allow-capability", s.allowed_capabilities,
                     "Container executor: a capability steps may add (repeatable; ALL for any)");
  command.add_option("--kubeconfig", s.kubeconfig,
                     "Kubernetes executor: kubeconfig file (default: $KUBECONFIG, ~/.kube/config, else in-cluster)");
  command.add_option("--kube-context", s.kube_context,
                     "Kubernetes executor: kubeconfig context (default: current-context)");
  command.add_option("--kube-namespace", s.kube_namespace,
                     "Kubernetes executor: namespace Pods are created in (default: the context's)");
  command
      .add_option("--kube-helper-image", s.kube_helper_image,
                  "Kubernetes executor: image of the output collector container (needs sh, find, base64)")
      ->capture_default_str();
  command.add_flag("--kube-writable-root", s.kube_writable_root,
                   "Kubernetes executor: do not make steps' root filesystems read-only");
  command.add_flag(
      "--kube-insecure-skip-tls-verify", s.kube_insecure_skip_tls_verify,
      "Kubernetes executor: accept a kubeconfig's insecure-skip-tls-verify (credentials go to an unverified server)");
  if (trusted) {
    command.add_option("--emit-pod-manifests", s.emit_pod_manifests,
                       "Also write the Pod the kubernetes executor would create for each step into DIR (any executor)");
  }
  command
      .add_option("--slurm-node-executor", s.slurm_node_executor,
                  "Slurm executor: how a node runs the step: process or container")
      ->check(CLI::IsMember({"process", "container"}))
      ->capture_default_str();
  command.add_option("--slurm-partition", s.slurm_partition,
                     "Slurm executor: partition to submit to (default: the cluster's default)");
  command.add_option("--slurm-rampart", s.slurm_rampart,
                     "Slurm executor: path of the rampart binary on the nodes (default: this binary's path)");
  command.add_option("--slurm-sbatch-arg", s.slurm_sbatch_args,
                     "Slurm executor: extra sbatch argument, e.g. --slurm-sbatch-arg=--account=proj (repeatable)");
}

std::vector<std::string> node_executor_arguments(const ExecutorSettings& s, const std::string& state_dir) {
  std::vector<std::string> args = {"--executor", s.slurm_node_executor};
  if (s.slurm_node_executor == "process") {
    args.insert(args.end(), {"--sandbox", s.sandbox});
    if (!s.image_catalog.empty())
      args.insert(args.end(), {"--image-catalog", std::filesystem::absolute(s.image_catalog).string()});
    return args;
  }
  // Container: each node keeps its own image cache and container state under the state dir
  // (step-exec adds the node's name), so nodes never sweep each other's containers.
  args.insert(args.end(), {"--state", state_dir});
  for (const auto& m : s.registry_mirrors) args.insert(args.end(), {"--registry-mirror", m});
  for (const auto& r : s.insecure_registries) args.insert(args.end(), {"--insecure-registry", r});
  if (!s.image_cache.empty())
    args.insert(args.end(), {"--image-cache", std::filesystem::absolute(s.image_cache).string()});
  if (s.allow_privileged) args.push_back("--allow-privileged");
  if (s.allow_host_namespaces) args.push_back("--allow-host-namespaces");
  if (s.allow_network) args.push_back("--allow-network");
  for (const auto& c : s.allowed_capabilities) args.insert(args.end(), {"--allow-capability", c});
  return args;
}

namespace {

std::set<std::string> capability_names(const std::vector<std::string>& caps) {
  std::set<std::string> out;
  for (auto cap : caps) {
    for (auto& c : cap) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    if (cap.rfind("CAP_", 0) == 0) cap = cap.substr(4);
    out.insert(cap);
  }
  return out;
}

exec::kube::PodPolicy pod_policy(const ExecutorSettings& s) {
  exec::kube::PodPolicy policy;
  policy.allow_privileged = s.allow_privileged;
  policy.allow_host_namespaces = s.allow_host_namespaces;
  policy.allow_network = s.allow_network;
  policy.allowed_capabilities = capability_names(s.allowed_capabilities);
  policy.helper_image = s.kube_helper_image;
  policy.writable_root = s.kube_writable_root;
  if (!s.kube_namespace.empty()) policy.namespace_name = s.kube_namespace;
  return policy;
}

std::unique_ptr<exec::Executor> make_kubernetes(const ExecutorSettings& s) {
  auto loaded = exec::kube::load_kube_credentials(s.kubeconfig, s.kube_context, s.kube_insecure_skip_tls_verify);
  if (!loaded.credentials) throw std::runtime_error("kubernetes executor: " + loaded.error);
  exec::kube::KubernetesExecutorOptions options;
  options.credentials = *loaded.credentials;
  options.policy = pod_policy(s);
  options.policy.namespace_name = s.kube_namespace.empty() ? loaded.credentials->namespace_name : s.kube_namespace;
  return exec::kube::make_kubernetes_executor(std::move(options));
}

std::unique_ptr<exec::Executor> make_base_executor(const ExecutorSettings& s, const std::string& state_dir);

}  // namespace

std::unique_ptr<exec::Executor> make_executor(const ExecutorSettings& s, const std::string& state_dir) {
  auto executor = make_base_executor(s, state_dir);
  if (s.emit_pod_manifests.empty()) return executor;
  return exec::kube::make_manifest_emitter(std::move(executor), s.emit_pod_manifests, pod_policy(s));
}

namespace {

std::unique_ptr<exec::Executor> make_base_executor(const ExecutorSettings& s, const std::string& state_dir) {
  if (s.executor == "kubernetes") return make_kubernetes(s);
  if (s.executor == "slurm") {
    if (s.slurm_node_executor != "process" && s.slurm_node_executor != "container") {
      throw std::invalid_argument("--slurm-node-executor \"" + s.slurm_node_executor +
                                  "\": expected process or container");
    }
    exec::slurm::SlurmExecutorOptions options;
    std::error_code ec;
    options.job.rampart_binary =
        s.slurm_rampart.empty() ? std::filesystem::read_symlink("/proc/self/exe", ec).string() : s.slurm_rampart;
    if (options.job.rampart_binary.empty())
      throw std::runtime_error("cannot find this rampart binary's path: give --slurm-rampart");
    options.job.partition = s.slurm_partition;
    options.job.extra_sbatch_args = s.slurm_sbatch_args;
    options.job.node_executor_args = node_executor_arguments(s, std::filesystem::absolute(state_dir).string());
    return exec::slurm::make_slurm_executor(std::move(options));
  }
  if (s.executor == "container") {
    exec::ContainerExecutorOptions options;
    options.state_dir = state_dir;
    options.image_cache = s.image_cache;
    for (const auto& m : s.registry_mirrors) {
      size_t eq = m.find('=');
      if (eq == std::string::npos || eq == 0 || eq + 1 == m.size()) {
        throw std::invalid_argument("--registry-mirror \"" + m +
                                    "\": expected REGISTRY=MIRROR, e.g. docker.io=127.0.0.1:5000");
      }
      options.registry.mirrors[m.substr(0, eq)] = m.substr(eq + 1);
    }
    options.registry.insecure.insert(s.insecure_registries.begin(), s.insecure_registries.end());
    options.policy.allow_privileged = s.allow_privileged;
    options.policy.allow_host_namespaces = s.allow_host_namespaces;
    options.policy.allow_network = s.allow_network;
    options.policy.allowed_capabilities = capability_names(s.allowed_capabilities);
    return exec::make_container_executor(std::move(options));
  }
  if (s.executor != "process") {
    throw std::invalid_argument("unknown executor \"" + s.executor +
                                "\" (expected process, container, kubernetes or slurm)");
  }
  exec::ProcessExecutorOptions options;
  options.sandbox = exec::parse_sandbox_mode(s.sandbox);
  options.image_catalog = s.image_catalog;
  return exec::make_process_executor(options);
}

}  // namespace

}  // namespace rampart::cli
