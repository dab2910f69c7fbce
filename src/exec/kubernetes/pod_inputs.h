// The files a step must find when it starts, gathered from where the engine put them on the host
// (its /tmp, its root directory, its volumes) and the script source. A Pod cannot see the
// engine's disk, so they travel in the step's Secret, which Kubernetes caps at 1 MiB: past
// `max_bytes` the step fails with a message saying so, never with a silently partial input.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "exec/executor.h"
#include "exec/kubernetes/pod_manifest.h"

namespace rampart::exec::kube {

struct PodInputs {
  std::vector<PodInputFile> files;
  std::string error;
};

// Symlinks are skipped, never followed: a step's directories are not a way to read the host.
PodInputs collect_pod_inputs(const StepRequest& request, uint64_t max_bytes = 700 * 1024);

}  // namespace rampart::exec::kube
