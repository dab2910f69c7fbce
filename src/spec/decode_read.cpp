// Reading scalars and collections out of one map's fields.
#include "spec/decode.h"

namespace rampart::spec::read {

std::string text(const Fields& fields, std::string_view key) { return optional_text(fields, key).value_or(""); }

std::optional<std::string> optional_text(const Fields& fields, std::string_view key) {
  const YAML::Node node = fields.get(key);
  if (!node.IsScalar()) return std::nullopt;
  return node.Scalar();
}

bool flag(const Fields& fields, std::string_view key) { return optional_flag(fields, key).value_or(false); }

std::optional<bool> optional_flag(const Fields& fields, std::string_view key) {
  const YAML::Node node = fields.get(key);
  if (!node.IsScalar()) return std::nullopt;
  return parse_yaml_bool(node.Scalar());
}

std::optional<int64_t> optional_int(const Fields& fields, std::string_view key) {
  const YAML::Node node = fields.get(key);
  if (!node.IsScalar()) return std::nullopt;
  return parse_yaml_int(node.Scalar());
}

std::vector<std::string> texts(const Fields& fields, std::string_view key) {
  std::vector<std::string> out;
  const YAML::Node node = fields.get(key);
  if (!node.IsSequence()) return out;
  for (auto it = node.begin(); it != node.end(); ++it) {
    out.push_back(it->IsScalar() ? it->Scalar() : std::string());
  }
  return out;
}

StringMap text_map(const Fields& fields, std::string_view key) {
  StringMap out;
  const YAML::Node node = fields.get(key);
  for (const MapEntry& entry : map_entries(node)) {
    out[entry.key] = entry.value.IsScalar() ? entry.value.Scalar() : std::string();
  }
  return out;
}

Json json(const Fields& fields, std::string_view key) {
  const YAML::Node node = fields.get(key);
  if (!node.IsDefined()) return nullptr;
  return to_json(node);
}

}  // namespace rampart::spec::read
