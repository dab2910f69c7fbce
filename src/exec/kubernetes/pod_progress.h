// What a Pod's status says about its step: still going, ended (and how the main container
// exited), or never going to start (an image that cannot be pulled, a bad container config).
// A pure function of the Pod object, so every case is tested without a cluster.
#pragma once

#include <string>

#include <nlohmann/json.hpp>

namespace rampart::exec::kube {

enum class PodState { Running, Ended, CannotStart };

struct PodProgress {
  PodState state = PodState::Running;
  bool main_terminated = false;
  int main_exit_code = 0;
  std::string main_reason;           // the terminated state's reason: "Completed", "Error", "OOMKilled"
  bool collector_succeeded = false;  // the output collector ran to exit 0: its log holds the outputs
  std::string message;               // for CannotStart, or a Failed pod's reason
};

PodProgress read_pod_progress(const nlohmann::json& pod);

}  // namespace rampart::exec::kube
