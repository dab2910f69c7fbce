// The kubernetes executor: each step is a Pod created through the Kubernetes API (see
// pod_manifest.h for its shape and docs/kubernetes.md for what works). One watch over this
// executor's Pods (label rampart.io/executor=<instance>) follows them; when a Pod ends, the main
// container's log becomes the step's output and the collector container's log its output files,
// both read through the API. The Pod never gets an API credential.
#pragma once

#include <memory>
#include <string>

#include "exec/executor.h"
#include "exec/kubernetes/kube_config.h"
#include "exec/kubernetes/pod_manifest.h"

namespace rampart::exec::kube {

struct KubernetesExecutorOptions {
  KubeCredentials credentials;
  PodPolicy policy;  // policy.namespace_name: where Pods go; executor_instance is filled in if empty
  uint64_t max_input_bytes = 700 * 1024;
};

// Checks the credentials can be loaded (CA, client certificate) and starts the watch. Throws
// std::runtime_error with a reason (never a secret) when they cannot.
std::unique_ptr<Executor> make_kubernetes_executor(KubernetesExecutorOptions options);

}  // namespace rampart::exec::kube
