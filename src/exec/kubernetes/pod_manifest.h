// StepRequest -> the Pod (and the per-step Secret) the kubernetes executor creates. A pure
// function of its arguments, so every field is tested without a cluster.
//
// Layout: the step's container is the Pod's init container "main"; when it has exited, the
// regular container "rampart-outputs" (the helper image, busybox by default) prints the declared
// output files to its log (output_framing.h). Running main as an init container is how the
// collector knows main has ended without an API token or a wrapper around the image's command.
// Environment values and input files travel in a per-step Secret, never in the Pod spec, so a
// secretKeyRef value is not readable by whoever may only `get pods`.
#pragma once

#include <cstdint>
#include <set>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "exec/executor.h"

namespace rampart::exec::kube {

// What the operator permits beyond the least-privilege default (mirrors the container
// executor's ContainerPolicy), and the executor's settings that shape a Pod.
struct PodPolicy {
  std::string namespace_name;  // where Pods are created (not the workflow's namespace); empty: default
  bool allow_privileged = false;
  bool allow_host_namespaces = false;
  bool allow_network = false;
  std::set<std::string> allowed_capabilities;  // "NET_BIND_SERVICE"; "ALL" allows any
  bool writable_root = false;                  // readOnlyRootFilesystem: false for every step
  std::string helper_image = "busybox:1.36";   // runs the output collector (needs sh, base64, find)
  std::string executor_instance;               // label tying Pods to this executor (for its watch)
  int64_t default_user = 65534;                // runAsUser when the template names none
  double default_cpu_cores = 1;
  uint64_t default_memory_bytes = 2ull << 30;
  uint64_t max_output_file_bytes = 4ull << 20;
};

// A file the step must find in place when it starts (script source, input artifact, ConfigMap
// or Secret volume content), carried in the step's Secret.
struct PodInputFile {
  std::string container_path;
  std::string content;
  int mode = 0444;
};

struct PodPlan {
  nlohmann::json pod;                          // the v1 Pod
  nlohmann::json secret;                       // the v1 Secret with env values and input files (always made)
  nlohmann::json pull_secret;                  // kubernetes.io/dockerconfigjson Secret, or null
  std::vector<std::string> output_host_paths;  // index -> host path, as the collector numbers them
  std::string error;                           // the step is refused or cannot be expressed as a Pod
};

PodPlan make_pod_plan(const StepRequest& request, const std::vector<PodInputFile>& inputs, const PodPolicy& policy);

// "1500m" / "2Gi" style quantities for resource limits.
std::string cpu_quantity(double cores);
std::string memory_quantity(uint64_t bytes);

}  // namespace rampart::exec::kube
