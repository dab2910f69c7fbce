// Argo's node phases and node types, and what each phase means for scheduling.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace rampart::engine {

enum class NodePhase { Pending, Running, Succeeded, Failed, Error, Skipped, Omitted };

enum class NodeType { Pod, Container, Steps, StepGroup, DAG, TaskGroup, Retry, Skipped, Suspend, HTTP, Plugin };

const char* to_string(NodePhase phase);
const char* to_string(NodeType type);
std::optional<NodePhase> parse_phase(std::string_view text);
std::optional<NodeType> parse_node_type(std::string_view text);

// A completed node never changes phase again.
inline bool is_completed(NodePhase p) {
  return p == NodePhase::Succeeded || p == NodePhase::Failed || p == NodePhase::Error || p == NodePhase::Skipped ||
         p == NodePhase::Omitted;
}
inline bool is_failure(NodePhase p) { return p == NodePhase::Failed || p == NodePhase::Error; }

}  // namespace rampart::engine
