// Walking a YAML node tree against the type table and reporting every mismatch.
#include <yaml-cpp/yaml.h>

#include "spec/decode_guard.h"
#include "spec/decode_node.h"
#include "spec/schema.h"

namespace rampart::spec {

namespace {

// One diagnostic list per document stays readable; past this, the rest is summarised.
constexpr size_t kMaxErrorsPerDocument = 100;

const char* expectation(SchemaType::Form form) {
  using Form = SchemaType::Form;
  switch (form) {
    case Form::String: return "a string";
    case Form::Int: return "an integer";
    case Form::Bool: return "a boolean";
    case Form::Number: return "a number";
    case Form::IntOrString: return "an integer or a string";
    case Form::AnyString: return "a scalar value";
    case Form::Quantity: return "a quantity (e.g. 500m, 1Gi)";
    case Form::Manifest: return "a string holding a manifest";
    case Form::Object:
    case Form::Named:
    case Form::Map: return "a map";
    case Form::List: return "a list";
    case Form::Any: return "any value";
  }
  return "a value";
}

class Checker {
 public:
  Checker(const Schema& schema, const std::string& file, size_t max_nodes)
      : schema_(schema), file_(file), max_nodes_(max_nodes) {}

  Diagnostics take() { return std::move(errors_); }

  void check(const YAML::Node& node, const SchemaType& type, const std::string& path, int depth) {
    if (!enter(node, path, depth)) return;
    if (node.IsNull()) return;  // an empty value is an absent one, as in Go's decoder
    using Form = SchemaType::Form;
    switch (type.form) {
      case Form::Named:
        if (!node.IsMap()) return wrong_type(node, type, path);
        return check_struct(node, *schema_.find(type.name), path, depth);
      case Form::List:
        if (!node.IsSequence()) return wrong_type(node, type, path);
        for (size_t i = 0; i < node.size() && !stopped_; ++i) {
          check(node[i], *type.element, index_path(path, i), depth + 1);
        }
        return;
      case Form::Map:
        if (!node.IsMap()) return wrong_type(node, type, path);
        for (const MapEntry& entry : entries(node, path)) {
          if (stopped_) return;
          check(entry.value, *type.element, join_path(path, entry.key), depth + 1);
        }
        return;
      case Form::Object:
        if (!node.IsMap()) return wrong_type(node, type, path);
        return walk_free_form(node, path, depth);
      case Form::Any: return walk_free_form(node, path, depth);
      default: return check_scalar(node, type, path);
    }
  }

 private:
  // Counts the node against the budget and the depth limit; false when the walk must stop.
  bool enter(const YAML::Node& node, const std::string& path, int depth) {
    if (stopped_) return false;
    if (++visited_ > max_nodes_) {
      stop(node, path,
           "document too large: more than " + std::to_string(max_nodes_) + " values once aliases are expanded");
      return false;
    }
    if (depth > kMaxNestingDepth) {
      stop(node, path, "document nests deeper than " + std::to_string(kMaxNestingDepth) + " levels");
      return false;
    }
    return true;
  }

  void check_struct(const YAML::Node& node, const SchemaStruct& type, const std::string& path, int depth) {
    for (const MapEntry& entry : entries(node, path)) {
      if (stopped_) return;
      const std::string field_path = join_path(path, entry.key);
      const SchemaField* field = type.find(entry.key);
      if (!field) {
        error(entry.key_node, field_path, unknown_field_message(type, entry.key));
        continue;
      }
      check(entry.value, *field->type, field_path, depth + 1);
    }
  }

  static std::string unknown_field_message(const SchemaStruct& type, const std::string& key) {
    std::string message = "unknown field \"" + key + "\"";
    const SchemaField* best = nullptr;
    size_t best_distance = 3;  // suggest only within edit distance 2
    for (const SchemaField& field : type.fields) {
      const size_t distance = edit_distance(key, field.name);
      if (distance < best_distance && distance < field.name.size()) {
        best = &field;
        best_distance = distance;
      }
    }
    if (best) message += " (did you mean \"" + best->name + "\"?)";
    return message;
  }

  void check_scalar(const YAML::Node& node, const SchemaType& type, const std::string& path) {
    if (!node.IsScalar()) return wrong_type(node, type, path);
    const ScalarKind kind = scalar_kind(node);
    using Form = SchemaType::Form;
    bool ok = false;
    switch (type.form) {
      case Form::String:
      case Form::Manifest: ok = kind == ScalarKind::String; break;
      case Form::Int: ok = kind == ScalarKind::Int; break;
      case Form::Bool: ok = kind == ScalarKind::Bool; break;
      case Form::Number: ok = kind == ScalarKind::Int || kind == ScalarKind::Float; break;
      case Form::IntOrString: ok = kind == ScalarKind::Int || kind == ScalarKind::String; break;
      case Form::Quantity: ok = kind != ScalarKind::Bool; break;
      case Form::AnyString: ok = true; break;
      default: break;
    }
    if (!ok) return wrong_type(node, type, path);
    if (type.form == Form::Manifest) check_manifest(node, path);
  }

  // A resource template's manifest must be YAML. One that still holds {{...}} placeholders is
  // only complete after substitution at run time, so it is checked then, not here.
  void check_manifest(const YAML::Node& node, const std::string& path) {
    const std::string& text = node.Scalar();
    if (text.find("{{") != std::string::npos) return;
    if (auto where = find_excessive_nesting(text, kMaxNestingDepth)) {
      return error(node, path, "manifest nests too deeply (line " + std::to_string(where->line) + " of the manifest)");
    }
    try {
      // yaml-cpp 0.7 makes empty documents forever after a stray ',' (decode_guard.h).
      if (auto where = find_stalled_parse(text)) {
        return error(node, path,
                     "manifest is not valid YAML: unexpected \",\" after a complete value (line " +
                         std::to_string(where->line) + " of the manifest)");
      }
      for (const YAML::Node& document : YAML::LoadAll(text)) {
        if (!document.IsNull() && !document.IsMap()) {
          return error(node, path, "manifest must be a YAML map, got " + describe(document));
        }
      }
    } catch (const YAML::Exception& e) {
      std::string message = "manifest is not valid YAML: " + e.msg;
      if (!e.mark.is_null()) message += " (line " + std::to_string(e.mark.line + 1) + " of the manifest)";
      error(node, path, message);
    }
  }

  // Free-form values are not typed, but still must not hide duplicate keys or cycles.
  void walk_free_form(const YAML::Node& node, const std::string& path, int depth) {
    if (node.IsSequence()) {
      for (size_t i = 0; i < node.size() && !stopped_; ++i) {
        const std::string child = index_path(path, i);
        if (enter(node[i], child, depth + 1)) walk_free_form(node[i], child, depth + 1);
      }
    } else if (node.IsMap()) {
      for (const MapEntry& entry : entries(node, path)) {
        const std::string child = join_path(path, entry.key);
        if (enter(entry.value, child, depth + 1)) walk_free_form(entry.value, child, depth + 1);
      }
    }
  }

  std::vector<MapEntry> entries(const YAML::Node& node, const std::string& path) {
    std::vector<MapProblem> problems;
    std::vector<MapEntry> result = map_entries(node, &problems);
    for (const MapProblem& problem : problems) {
      error(problem.at, problem.key.empty() ? path : join_path(path, problem.key), problem.message);
    }
    return result;
  }

  void wrong_type(const YAML::Node& node, const SchemaType& type, const std::string& path) {
    std::string got = describe(node);
    if (node.IsScalar() && type.form == SchemaType::Form::String) {
      // Kubernetes reads an unquoted 10 or true as a number or boolean, never as a string.
      const ScalarKind kind = scalar_kind(node);
      if (kind == ScalarKind::Int || kind == ScalarKind::Float || kind == ScalarKind::Bool) {
        got = std::string(kind == ScalarKind::Bool ? "the boolean " : "the number ") + node.Scalar() +
              " (quote it to make it a string)";
      }
    }
    error(node, path, std::string("expected ") + expectation(type.form) + ", got " + got);
  }

  void error(const YAML::Node& at, const std::string& path, std::string message) {
    if (errors_.size() >= kMaxErrorsPerDocument) {
      stop(at, path, "too many errors; stopped checking this document");
      return;
    }
    errors_.push_back({file_, location_of(at), path, std::move(message)});
  }

  void stop(const YAML::Node& at, const std::string& path, std::string message) {
    if (stopped_) return;
    stopped_ = true;
    errors_.push_back({file_, location_of(at), path, std::move(message)});
  }

  const Schema& schema_;
  const std::string& file_;
  size_t max_nodes_;
  size_t visited_ = 0;
  bool stopped_ = false;
  Diagnostics errors_;
};

}  // namespace

Diagnostics Schema::check(const YAML::Node& node, std::string_view type, const std::string& file,
                          const std::string& path, size_t max_nodes) const {
  const SchemaStruct* root = find(type);
  if (!root) {
    return {{file, location_of(node), path, "internal error: no schema type " + std::string(type)}};
  }
  Checker checker(*this, file, max_nodes);
  const SchemaType root_type{SchemaType::Form::Named, root->name, nullptr};
  checker.check(node, root_type, path, 0);
  return checker.take();
}

}  // namespace rampart::spec
