// One node of a running workflow's tree, shaped like Argo's NodeStatus so that
// `rampart get -o json` and the API can emit it field for field.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "common/clock.h"
#include "engine/phase.h"

namespace rampart::engine {

using Json = nlohmann::json;

struct Node {
  std::string id;
  std::string name;          // full name, e.g. "wf[0].step(1:b)"
  std::string display_name;  // e.g. "step(1:b)"
  NodeType type = NodeType::Pod;
  std::string template_name;
  std::string template_scope = "local/";
  NodePhase phase = NodePhase::Pending;
  std::string boundary_id;  // the enclosing Steps/DAG node
  std::string message;
  int64_t started_at = 0;  // unix ms; 0 = not started
  int64_t finished_at = 0;
  std::vector<std::string> children;
  std::vector<std::string> outbound_nodes;
  Json inputs;                     // {"parameters": [{"name","value"}], "artifacts": [...]}
  Json outputs;                    // {"parameters", "artifacts", "result", "exitCode"}
  std::string pod_name;            // for Pod nodes
  std::string memoization_status;  // "" or JSON text {hit, key, cacheName}
  int retry_attempt = -1;          // index of a Retry child attempt, -1 otherwise
  std::string host_node_name;

  Json to_json() const;  // Argo NodeStatus JSON
  static Node from_json(const Json& j);
};

// RFC 3339 UTC ("2026-11-28T12:00:00Z") from unix milliseconds, as Kubernetes prints times.
std::string format_time(int64_t unix_ms);

}  // namespace rampart::engine
