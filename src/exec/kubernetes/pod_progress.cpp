#include "exec/kubernetes/pod_progress.h"

namespace rampart::exec::kube {

using Json = nlohmann::json;

namespace {

const Json* status_of(const Json& statuses, const std::string& name) {
  if (!statuses.is_array()) return nullptr;
  for (const auto& s : statuses) {
    if (s.is_object() && s.contains("name") && s["name"] == name) return &s;
  }
  return nullptr;
}

// Waiting reasons after which the kubelet will not start the container by itself. Image pulls
// are retried by the kubelet with back-off; a step waits for them no longer than rampart's own
// deadline would, so they count as final here, as they do for Argo's users in practice.
bool fatal_waiting_reason(const std::string& reason) {
  return reason == "ErrImagePull" || reason == "ImagePullBackOff" || reason == "InvalidImageName" ||
         reason == "CreateContainerConfigError" || reason == "CreateContainerError" || reason == "ErrImageNeverPull";
}

// object[key], or null when `object` is not an object or lacks it: a malformed status is read
// as "nothing known yet", never an exception.
Json field(const Json& object, const char* key) {
  return object.is_object() && object.contains(key) ? object[key] : Json();
}

std::string string_field(const Json& object, const char* key) {
  return object.is_object() && object.contains(key) && object[key].is_string() ? object[key].get<std::string>() : "";
}

}  // namespace

PodProgress read_pod_progress(const Json& pod) {
  PodProgress p;
  if (!pod.is_object()) return p;
  const Json status = field(pod, "status");
  if (!status.is_object()) return p;
  Json init_statuses = field(status, "initContainerStatuses");
  Json statuses = field(status, "containerStatuses");
  const Json* main = status_of(init_statuses, "main");
  const Json* collector = status_of(statuses, "rampart-outputs");
  if (main) {
    Json t = field(field(*main, "state"), "terminated");
    if (t.is_object()) {
      p.main_terminated = true;
      p.main_exit_code = field(t, "exitCode").is_number_integer() ? t["exitCode"].get<int>() : 0;
      p.main_reason = string_field(t, "reason");
    }
  }
  for (const Json* c : {main, collector}) {
    if (!c) continue;
    Json waiting = field(field(*c, "state"), "waiting");
    std::string reason = string_field(waiting, "reason");
    if (fatal_waiting_reason(reason)) {
      p.state = PodState::CannotStart;
      std::string detail = string_field(waiting, "message");
      p.message = reason + (detail.empty() ? "" : ": " + detail);
      if (c == collector) p.message = "the output collector: " + p.message;
      return p;
    }
  }
  if (collector) {
    Json t = field(field(*collector, "state"), "terminated");
    p.collector_succeeded = field(t, "exitCode") == Json(0);
  }
  std::string phase = string_field(status, "phase");
  if (phase == "Succeeded" || phase == "Failed") {
    p.state = PodState::Ended;
    if (!p.main_terminated) {
      std::string reason = string_field(status, "reason");
      std::string message = string_field(status, "message");
      p.message =
          reason.empty() ? "the pod failed before the step ran" : reason + (message.empty() ? "" : ": " + message);
    }
  }
  return p;
}

}  // namespace rampart::exec::kube
