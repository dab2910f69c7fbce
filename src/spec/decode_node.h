// Reading yaml-cpp nodes the way Kubernetes reads YAML: merge keys (`<<`) resolved, scalars
// resolved with the YAML 1.2 core schema (plus YAML 1.1's leading-zero octal), positions as 1-based line:column, and field paths in
// the form diagnostics use ("spec.templates[2].dag.tasks[1].depends"). Shared by the schema
// check and the decoder so both see the same document.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <yaml-cpp/yaml.h>

#include "common/diagnostic.h"

namespace rampart::spec {

// Deeper documents are rejected: protects every recursive walk (and yaml-cpp's parser) from
// exhausting the stack, and bounds cyclic aliases such as `&a [*a]`.
inline constexpr int kMaxNestingDepth = 256;

SourceLocation location_of(const YAML::Node& node);

// What a scalar means, as Kubernetes' YAML-to-JSON conversion sees it. Quoted scalars, block
// scalars and `!!str` are strings whatever they contain.
enum class ScalarKind { Null, Bool, Int, Float, String };
ScalarKind scalar_kind(const YAML::Node& node);

std::optional<int64_t> parse_yaml_int(std::string_view text);
std::optional<double> parse_yaml_float(std::string_view text);
std::optional<bool> parse_yaml_bool(std::string_view text);

// One key: value pair of a map.
struct MapEntry {
  std::string key;
  YAML::Node key_node;
  YAML::Node value;
};

// A problem in the shape of a map itself (duplicate key, bad merge, non-scalar key).
struct MapProblem {
  YAML::Node at;
  std::string key;  // the offending key, when there is one
  std::string message;
};

// The entries of `map` in document order with `<<` merge keys expanded: explicit keys win over
// merged ones, and earlier merge sources win over later ones (YAML merge-key semantics).
std::vector<MapEntry> map_entries(const YAML::Node& map, std::vector<MapProblem>* problems = nullptr);

// Map-valued lookups over one map node with merges resolved, for the decoder.
class Fields {
 public:
  explicit Fields(const YAML::Node& map);
  // The value of `key`, or an undefined node when absent. Null values count as absent.
  YAML::Node get(std::string_view key) const;
  bool has(std::string_view key) const { return get(key).IsDefined(); }
  const std::vector<MapEntry>& entries() const { return entries_; }

 private:
  std::vector<MapEntry> entries_;
};

// Field paths: "spec" + "templates" -> "spec.templates"; keys that are not plain identifiers
// are quoted ("metadata.labels[\"app.kubernetes.io/name\"]").
std::string join_path(const std::string& parent, std::string_view key);
std::string index_path(const std::string& parent, size_t index);

// A short rendering of a node for messages: "a map", "a list", "null", or the scalar quoted.
std::string describe(const YAML::Node& node);

}  // namespace rampart::spec
