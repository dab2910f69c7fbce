// YAML to JSON, recording where every value came from on the way.
#include "spec/decode.h"

namespace rampart::spec {

namespace {

Json scalar_to_json(const YAML::Node& node) {
  const std::string& text = node.Scalar();
  switch (scalar_kind(node)) {
    case ScalarKind::Null: return nullptr;
    case ScalarKind::Bool: return *parse_yaml_bool(text);
    case ScalarKind::Int: return *parse_yaml_int(text);
    case ScalarKind::Float: return *parse_yaml_float(text);
    case ScalarKind::String: return text;
  }
  return text;
}

// Where a person should look for the value under `key`: the value itself when it is a scalar,
// the key for a nested map or list (yaml-cpp places a block map at its first key, one line down).
SourceLocation value_location(const YAML::Node& key, const YAML::Node& value) {
  if (value.IsScalar() || !key.IsDefined()) return location_of(value);
  return location_of(key);
}

Json convert(const YAML::Node& node, SourceMap* positions, const std::string& path, int depth) {
  if (depth > kMaxNestingDepth) return nullptr;  // the schema check has reported it
  if (node.IsSequence()) {
    Json out = Json::array();
    size_t index = 0;
    for (auto it = node.begin(); it != node.end(); ++it, ++index) {
      std::string child;
      if (positions) {
        child = index_path(path, index);
        positions->add(child, location_of(*it));
      }
      out.push_back(convert(*it, positions, child, depth + 1));
    }
    return out;
  }
  if (node.IsMap()) {
    Json out = Json::object();
    for (const MapEntry& entry : map_entries(node)) {
      std::string child;
      if (positions) {
        child = join_path(path, entry.key);
        positions->add(child, value_location(entry.key_node, entry.value));
      }
      out[entry.key] = convert(entry.value, positions, child, depth + 1);
    }
    return out;
  }
  if (node.IsScalar()) return scalar_to_json(node);
  return nullptr;
}

}  // namespace

Json to_json(const YAML::Node& node, SourceMap* positions, const std::string& path) {
  if (positions) positions->add(path, location_of(node));
  return convert(node, positions, path, 0);
}

}  // namespace rampart::spec
