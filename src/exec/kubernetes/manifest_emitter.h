// An executor that writes the Pod the kubernetes executor would create for each step into a
// directory, then hands the step to the executor that really runs it. This is how real Pod
// manifests of real workflows are produced (and checked against the Kubernetes schema) on a
// machine without a cluster: `rampart run --emit-pod-manifests DIR`.
#pragma once

#include <memory>
#include <string>

#include "exec/executor.h"
#include "exec/kubernetes/pod_manifest.h"

namespace rampart::exec::kube {

// Writes DIR/<pod name>.json (the Pod; the Secret's values are never written) or, when the
// kubernetes executor would refuse the step, DIR/<step id>.refused.txt with the reason.
std::unique_ptr<Executor> make_manifest_emitter(std::unique_ptr<Executor> inner, std::string dir, PodPolicy policy);

}  // namespace rampart::exec::kube
