#include "engine/phase.h"

#include <array>
#include <utility>

namespace rampart::engine {
namespace {

constexpr std::array<std::pair<NodePhase, const char*>, 7> kPhases{{
    {NodePhase::Pending, "Pending"},
    {NodePhase::Running, "Running"},
    {NodePhase::Succeeded, "Succeeded"},
    {NodePhase::Failed, "Failed"},
    {NodePhase::Error, "Error"},
    {NodePhase::Skipped, "Skipped"},
    {NodePhase::Omitted, "Omitted"},
}};

constexpr std::array<std::pair<NodeType, const char*>, 11> kTypes{{
    {NodeType::Pod, "Pod"},
    {NodeType::Container, "Container"},
    {NodeType::Steps, "Steps"},
    {NodeType::StepGroup, "StepGroup"},
    {NodeType::DAG, "DAG"},
    {NodeType::TaskGroup, "TaskGroup"},
    {NodeType::Retry, "Retry"},
    {NodeType::Skipped, "Skipped"},
    {NodeType::Suspend, "Suspend"},
    {NodeType::HTTP, "HTTP"},
    {NodeType::Plugin, "Plugin"},
}};

}  // namespace

const char* to_string(NodePhase phase) {
  for (const auto& [p, name] : kPhases)
    if (p == phase) return name;
  return "Unknown";
}

const char* to_string(NodeType type) {
  for (const auto& [t, name] : kTypes)
    if (t == type) return name;
  return "Unknown";
}

std::optional<NodePhase> parse_phase(std::string_view text) {
  for (const auto& [p, name] : kPhases)
    if (text == name) return p;
  return std::nullopt;
}

std::optional<NodeType> parse_node_type(std::string_view text) {
  for (const auto& [t, name] : kTypes)
    if (text == name) return t;
  return std::nullopt;
}

}  // namespace rampart::engine
