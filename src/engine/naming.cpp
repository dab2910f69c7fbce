#include "engine/naming.h"

namespace rampart::engine {

uint32_t fnv32a(std::string_view text) {
  uint32_t hash = 2166136261u;
  for (unsigned char c : text) {
    hash ^= c;
    hash *= 16777619u;
  }
  return hash;
}

std::string node_id(std::string_view workflow_name, std::string_view node_name) {
  if (node_name == workflow_name) return std::string(workflow_name);
  return std::string(workflow_name) + "-" + std::to_string(fnv32a(node_name));
}

std::string pod_name(std::string_view workflow_name, std::string_view node_name, std::string_view template_name) {
  if (node_name == workflow_name) return std::string(workflow_name);
  // Kubernetes names are at most 253 characters, but pod names also become hostnames (63);
  // Argo trims the prefix so the hash suffix always survives.
  constexpr size_t kMaxPrefix = 63 - 1 - 10;
  std::string prefix = std::string(workflow_name) + "-" + std::string(template_name);
  if (prefix.size() > kMaxPrefix) prefix.resize(kMaxPrefix);
  while (!prefix.empty() && prefix.back() == '-') prefix.pop_back();
  return prefix + "-" + std::to_string(fnv32a(node_name));
}

namespace {

std::string item_text(const nlohmann::json& item) {
  if (item.is_string()) return item.get<std::string>();
  if (item.is_object()) {
    std::string out;
    for (auto it = item.begin(); it != item.end(); ++it) {  // nlohmann sorts keys, as Go does
      if (!out.empty()) out += ",";
      out += it.key() + ":" + item_text(it.value());
    }
    return out;
  }
  return item.dump();
}

}  // namespace

std::string item_suffix(size_t index, const nlohmann::json& item) {
  return "(" + std::to_string(index) + ":" + item_text(item) + ")";
}

}  // namespace rampart::engine
