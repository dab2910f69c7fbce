#include "engine/node.h"
#include "common/clock.h"

#include <chrono>
#include <ctime>

namespace rampart::engine {

std::string format_time(int64_t unix_ms) {
  if (unix_ms <= 0) return "";
  std::time_t seconds = static_cast<std::time_t>(unix_ms / 1000);
  std::tm tm{};
  gmtime_r(&seconds, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

Json Node::to_json() const {
  Json j = {{"id", id},
            {"name", name},
            {"displayName", display_name},
            {"type", to_string(type)},
            {"phase", to_string(phase)}};
  if (!template_name.empty()) {
    j["templateName"] = template_name;
    j["templateScope"] = template_scope;
  }
  if (!boundary_id.empty()) j["boundaryID"] = boundary_id;
  if (!message.empty()) j["message"] = message;
  if (started_at) j["startedAt"] = format_time(started_at);
  if (finished_at) j["finishedAt"] = format_time(finished_at);
  // Milliseconds are kept too, so a resumed engine restores exact times.
  if (started_at) j["startedAtMs"] = started_at;
  if (finished_at) j["finishedAtMs"] = finished_at;
  if (!children.empty()) j["children"] = children;
  if (!outbound_nodes.empty()) j["outboundNodes"] = outbound_nodes;
  if (!inputs.is_null() && !inputs.empty()) j["inputs"] = inputs;
  if (!outputs.is_null() && !outputs.empty()) j["outputs"] = outputs;
  if (!pod_name.empty()) j["podName"] = pod_name;
  if (!memoization_status.empty()) j["memoizationStatus"] = Json::parse(memoization_status, nullptr, false);
  if (retry_attempt >= 0) j["retryAttempt"] = retry_attempt;
  if (!host_node_name.empty()) j["hostNodeName"] = host_node_name;
  return j;
}

Node Node::from_json(const Json& j) {
  Node n;
  n.id = j.value("id", "");
  n.name = j.value("name", "");
  n.display_name = j.value("displayName", "");
  n.type = parse_node_type(j.value("type", "Pod")).value_or(NodeType::Pod);
  n.template_name = j.value("templateName", "");
  n.template_scope = j.value("templateScope", "local/");
  n.phase = parse_phase(j.value("phase", "Pending")).value_or(NodePhase::Pending);
  n.boundary_id = j.value("boundaryID", "");
  n.message = j.value("message", "");
  n.started_at = j.value("startedAtMs", int64_t{0});
  n.finished_at = j.value("finishedAtMs", int64_t{0});
  if (j.contains("children")) n.children = j["children"].get<std::vector<std::string>>();
  if (j.contains("outboundNodes")) n.outbound_nodes = j["outboundNodes"].get<std::vector<std::string>>();
  if (j.contains("inputs")) n.inputs = j["inputs"];
  if (j.contains("outputs")) n.outputs = j["outputs"];
  n.pod_name = j.value("podName", "");
  if (j.contains("memoizationStatus")) n.memoization_status = j["memoizationStatus"].dump();
  n.retry_attempt = j.value("retryAttempt", -1);
  n.host_node_name = j.value("hostNodeName", "");
  return n;
}

}  // namespace rampart::engine
