// Strict structural check of a YAML document against Argo's types, like Argo's strict decoding:
// unknown fields and wrong value types are errors, each pointing at file:line:column and a field
// path. The types are data (schema_types.inc), not code: one table lists every type and field.
#pragma once

#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include <yaml-cpp/yaml.h>

#include "common/diagnostic.h"

namespace rampart::spec {

// A field type: a primitive, a named type from the table, or a list / map of another type.
struct SchemaType {
  enum class Form {
    String,
    Int,
    Bool,
    Number,
    IntOrString,
    AnyString,
    Quantity,
    Manifest,
    Object,
    Any,
    Named,
    List,
    Map
  };
  Form form = Form::Any;
  std::string name;                     // Named: the type's name
  const SchemaType* element = nullptr;  // List, Map: the element type
};

struct SchemaField {
  std::string name;
  const SchemaType* type = nullptr;
};

// A named type: its fields, sorted by name (embedded types already flattened in).
struct SchemaStruct {
  std::string name;
  std::vector<SchemaField> fields;
  const SchemaField* find(std::string_view field) const;
};

class Schema {
 public:
  // Parses a table in the format documented in schema_types.inc. Throws std::invalid_argument
  // naming the line when the table is malformed or refers to an undefined type.
  explicit Schema(std::string_view table);

  // The table of Argo and Kubernetes types rampart accepts (built once).
  static const Schema& argo();

  const SchemaStruct* find(std::string_view type) const;
  const std::map<std::string, SchemaStruct, std::less<>>& types() const { return types_; }

  // Checks `node` against the named type; `path` is the field path of `node` ("" for a whole
  // document). At most `max_nodes` nodes are visited (aliases can make a small text expand
  // enormously); past that, one error is reported and the check stops.
  Diagnostics check(const YAML::Node& node, std::string_view type, const std::string& file,
                    const std::string& path = "", size_t max_nodes = 1'000'000) const;

 private:
  const SchemaType* parse_type(std::string_view text, int line);
  std::map<std::string, SchemaStruct, std::less<>> types_;
  std::vector<std::unique_ptr<SchemaType>> type_storage_;
};

// Levenshtein distance, for "did you mean" suggestions.
size_t edit_distance(std::string_view a, std::string_view b);

}  // namespace rampart::spec
