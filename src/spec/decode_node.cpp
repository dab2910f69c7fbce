#include "spec/decode_node.h"

#include <cctype>
#include <charconv>
#include <cmath>
#include <cstdlib>
#include <unordered_map>

namespace rampart::spec {

SourceLocation location_of(const YAML::Node& node) {
  if (!node.IsDefined()) return {};
  const YAML::Mark mark = node.Mark();
  if (mark.is_null() || mark.line < 0 || mark.column < 0) return {};
  return {mark.line + 1, mark.column + 1};  // yaml-cpp counts from 0
}

std::optional<int64_t> parse_yaml_int(std::string_view text) {
  std::string_view digits = text;
  bool negative = false;
  if (!digits.empty() && (digits[0] == '-' || digits[0] == '+')) {
    negative = digits[0] == '-';
    digits.remove_prefix(1);
  }
  int base = 10;
  if (digits.size() > 2 && digits[0] == '0' && (digits[1] == 'x' || digits[1] == 'o')) {
    // YAML 1.2 spells hex 0x1F and octal 0o17 (unsigned only).
    if (digits.data() != text.data()) return std::nullopt;
    base = digits[1] == 'x' ? 16 : 8;
    digits.remove_prefix(2);
  }
  if (digits.empty()) return std::nullopt;
  // Kubernetes reads YAML 1.1, where a leading zero means octal: `defaultMode: 0644` is 420.
  if (base == 10 && digits.size() > 1 && digits[0] == '0') base = 8;
  uint64_t magnitude = 0;
  auto [end, error] = std::from_chars(digits.data(), digits.data() + digits.size(), magnitude, base);
  if (error != std::errc() || end != digits.data() + digits.size()) return std::nullopt;
  if (negative) {
    if (magnitude > static_cast<uint64_t>(INT64_MAX) + 1) return std::nullopt;
    return static_cast<int64_t>(0 - magnitude);
  }
  if (magnitude > static_cast<uint64_t>(INT64_MAX)) return std::nullopt;
  return static_cast<int64_t>(magnitude);
}

std::optional<double> parse_yaml_float(std::string_view text) {
  // YAML 1.2 core: [-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?  (plus .inf / .nan,
  // which JSON cannot hold and so are left as strings).
  size_t i = 0;
  if (i < text.size() && (text[i] == '-' || text[i] == '+')) ++i;
  size_t int_digits = 0, frac_digits = 0;
  while (i < text.size() && std::isdigit(static_cast<unsigned char>(text[i]))) ++i, ++int_digits;
  if (i < text.size() && text[i] == '.') {
    ++i;
    while (i < text.size() && std::isdigit(static_cast<unsigned char>(text[i]))) ++i, ++frac_digits;
  }
  if (int_digits == 0 && frac_digits == 0) return std::nullopt;
  if (i < text.size() && (text[i] == 'e' || text[i] == 'E')) {
    ++i;
    if (i < text.size() && (text[i] == '-' || text[i] == '+')) ++i;
    size_t exp_digits = 0;
    while (i < text.size() && std::isdigit(static_cast<unsigned char>(text[i]))) ++i, ++exp_digits;
    if (exp_digits == 0) return std::nullopt;
  }
  if (i != text.size()) return std::nullopt;
  const std::string copy(text);
  const double value = std::strtod(copy.c_str(), nullptr);
  if (!std::isfinite(value)) return std::nullopt;
  return value;
}

std::optional<bool> parse_yaml_bool(std::string_view text) {
  if (text == "true" || text == "True" || text == "TRUE") return true;
  if (text == "false" || text == "False" || text == "FALSE") return false;
  return std::nullopt;
}

ScalarKind scalar_kind(const YAML::Node& node) {
  if (!node.IsDefined() || node.IsNull()) return ScalarKind::Null;
  const std::string& tag = node.Tag();
  // "?" is yaml-cpp's tag for plain scalars; "!" marks quoted and block scalars.
  if (tag == "!" || tag == "tag:yaml.org,2002:str") return ScalarKind::String;
  const std::string& text = node.Scalar();
  if (parse_yaml_bool(text)) return ScalarKind::Bool;
  if (parse_yaml_int(text)) return ScalarKind::Int;
  if (parse_yaml_float(text)) return ScalarKind::Float;
  return ScalarKind::String;
}

namespace {

bool is_merge_key(const YAML::Node& key) { return key.IsScalar() && key.Scalar() == "<<" && key.Tag() == "?"; }

// Merged maps are visited once each (a map merged twice adds nothing the second time), and
// the fields they contribute are capped: `<<` chains must not turn one lookup into a hang.
constexpr size_t kMaxMergedFields = 10'000;

struct MergeState {
  std::vector<YAML::Node> visited;
  size_t merged_fields = 0;
  bool reported = false;
};

void collect_entries(const YAML::Node& map, std::vector<MapEntry>& out, std::unordered_map<std::string, size_t>& seen,
                     bool explicit_level, std::vector<MapProblem>* problems, int depth, MergeState& merge) {
  if (!explicit_level) {
    for (const YAML::Node& done : merge.visited) {
      if (done.is(map)) return;
    }
    merge.visited.push_back(map);
    merge.merged_fields += map.size() + 1;
  }
  if (depth > kMaxNestingDepth || merge.merged_fields > kMaxMergedFields) {
    if (problems && !merge.reported) {
      problems->push_back({map, "", "merge keys (<<) nest too deeply or merge too many fields"});
    }
    merge.reported = true;
    return;
  }
  std::vector<YAML::Node> merge_sources;
  for (auto it = map.begin(); it != map.end(); ++it) {
    const YAML::Node key = it->first;
    const YAML::Node value = it->second;
    if (is_merge_key(key)) {
      if (value.IsMap()) {
        merge_sources.push_back(value);
      } else if (value.IsSequence()) {
        for (auto source = value.begin(); source != value.end(); ++source) {
          if (source->IsMap()) {
            merge_sources.push_back(*source);
          } else if (problems) {
            problems->push_back(
                {*source, "<<", "a merge key (<<) takes a map or a list of maps, got " + describe(*source)});
          }
        }
      } else if (problems) {
        problems->push_back({value, "<<", "a merge key (<<) takes a map or a list of maps, got " + describe(value)});
      }
      continue;
    }
    if (!key.IsScalar()) {
      if (problems) problems->push_back({key, "", "expected a string key, got " + describe(key)});
      continue;
    }
    const std::string& name = key.Scalar();
    auto [where, inserted] = seen.emplace(name, out.size());
    if (!inserted) {
      // Kubernetes' strict decoding rejects duplicate keys; merged keys are overridden silently.
      if (explicit_level && problems) {
        const SourceLocation first = location_of(out[where->second].key_node);
        std::string message = "duplicate field \"" + name + "\"";
        if (first.line > 0) message += " (first defined at line " + std::to_string(first.line) + ")";
        problems->push_back({key, name, message});
      }
      continue;
    }
    out.push_back({name, key, value});
  }
  for (const YAML::Node& source : merge_sources) {
    collect_entries(source, out, seen, false, problems, depth + 1, merge);
  }
}

bool is_identifier(std::string_view key) {
  if (key.empty()) return false;
  for (char c : key) {
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '_' && c != '-') return false;
  }
  return true;
}

}  // namespace

std::vector<MapEntry> map_entries(const YAML::Node& map, std::vector<MapProblem>* problems) {
  std::vector<MapEntry> out;
  if (!map.IsMap()) return out;
  std::unordered_map<std::string, size_t> seen;
  MergeState merge;
  collect_entries(map, out, seen, true, problems, 0, merge);
  return out;
}

Fields::Fields(const YAML::Node& map) : entries_(map_entries(map)) {}

YAML::Node Fields::get(std::string_view key) const {
  for (const MapEntry& entry : entries_) {
    if (entry.key == key) {
      if (entry.value.IsNull()) break;
      return entry.value;
    }
  }
  return YAML::Node(YAML::NodeType::Undefined);
}

std::string join_path(const std::string& parent, std::string_view key) {
  std::string out = parent;
  if (is_identifier(key)) {
    if (!out.empty()) out += '.';
    out += key;
  } else {
    out += "[\"";
    for (char c : key) {
      if (c == '"' || c == '\\') out += '\\';
      out += c;
    }
    out += "\"]";
  }
  return out;
}

std::string index_path(const std::string& parent, size_t index) { return parent + "[" + std::to_string(index) + "]"; }

std::string describe(const YAML::Node& node) {
  if (!node.IsDefined() || node.IsNull()) return "null";
  if (node.IsMap()) return "a map";
  if (node.IsSequence()) return "a list";
  std::string text = node.Scalar();
  constexpr size_t kMaxShown = 40;
  if (text.size() > kMaxShown) text = text.substr(0, kMaxShown) + "...";
  std::string out = "\"";
  for (char c : text) {
    if (c == '\n') {
      out += "\\n";
    } else if (c == '"' || c == '\\') {
      out += '\\';
      out += c;
    } else {
      out += c;
    }
  }
  return out + "\"";
}

}  // namespace rampart::spec
