// Turning a YAML document that passed the schema check into the typed model (workflow.h).
// Decoding trusts the schema check for shapes but never crashes on a surprise: a value of the
// wrong shape decodes as absent.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include <yaml-cpp/yaml.h>

#include "spec/decode_node.h"
#include "spec/workflow.h"

namespace rampart::spec {

// YAML to JSON the way Kubernetes converts it: plain scalars that are YAML 1.2 booleans,
// integers or floats become JSON booleans / numbers, everything else (including every quoted
// scalar) a string; merge keys resolved. When `positions` is given, the position of every node
// is recorded in it under its field path, with `path` as the path of `node`.
Json to_json(const YAML::Node& node, SourceMap* positions = nullptr, const std::string& path = "");

// The whole document, decoded. `kind` was read by the loader; the node passed the schema check.
Document decode_document(const YAML::Node& node, Kind kind, const std::string& file, int index);

// Parts, for the decoders of the enclosing types (decode_*.cpp).
ObjectMeta decode_object_meta(const YAML::Node& node);
Container decode_container(const YAML::Node& node);
Volume decode_volume(const YAML::Node& node);
VolumeMount decode_volume_mount(const YAML::Node& node);
KeySelector decode_key_selector(const YAML::Node& node);
Template decode_template(const YAML::Node& node);
Arguments decode_arguments(const YAML::Node& node);
Inputs decode_inputs(const YAML::Node& node);
Outputs decode_outputs(const YAML::Node& node);
Memoize decode_memoize(const YAML::Node& node);
TemplateRef decode_template_ref(const YAML::Node& node);
std::vector<std::vector<WorkflowStep>> decode_steps(const YAML::Node& node);
DagTemplate decode_dag(const YAML::Node& node);
RetryStrategy decode_retry_strategy(const YAML::Node& node);
Synchronization decode_synchronization(const YAML::Node& node);
Metrics decode_metrics(const YAML::Node& node);
std::vector<LifecycleHook> decode_hooks(const YAML::Node& node);
WorkflowSpec decode_workflow_spec(const YAML::Node& node);

// Scalar and collection readers over one map's fields; absent or null fields give the default.
namespace read {
std::string text(const Fields& fields, std::string_view key);
std::optional<std::string> optional_text(const Fields& fields, std::string_view key);
bool flag(const Fields& fields, std::string_view key);
std::optional<bool> optional_flag(const Fields& fields, std::string_view key);
std::optional<int64_t> optional_int(const Fields& fields, std::string_view key);
std::vector<std::string> texts(const Fields& fields, std::string_view key);
StringMap text_map(const Fields& fields, std::string_view key);
Json json(const Fields& fields, std::string_view key);  // null when absent

// Decodes each element of the list at `key` with `decode_one`.
template <class Decode>
auto list(const Fields& fields, std::string_view key, Decode decode_one)
    -> std::vector<decltype(decode_one(YAML::Node()))> {
  std::vector<decltype(decode_one(YAML::Node()))> out;
  const YAML::Node node = fields.get(key);
  if (!node.IsSequence()) return out;
  for (auto it = node.begin(); it != node.end(); ++it) out.push_back(decode_one(*it));
  return out;
}

// Decodes the map at `key` with `decode_one` when present.
template <class Decode>
auto optional(const Fields& fields, std::string_view key, Decode decode_one)
    -> std::optional<decltype(decode_one(YAML::Node()))> {
  const YAML::Node node = fields.get(key);
  if (!node.IsDefined()) return std::nullopt;
  return decode_one(node);
}
}  // namespace read

}  // namespace rampart::spec
