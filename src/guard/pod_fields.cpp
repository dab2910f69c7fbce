#include "guard/pod_fields.h"

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <cctype>

#include "spec/decode.h"
#include "spec/decode_guard.h"

namespace rampart::guard {

namespace {

constexpr size_t kMaxDocumentBytes = 256 * 1024;
constexpr int kMaxDocumentDepth = 64;
constexpr std::string_view kDeferred = "rampart-deferred-value";

// Aliases can make a few bytes into a huge tree; the spec loader's budget for documents.
bool within_node_budget(const YAML::Node& node, size_t& budget, int depth) {
  if (budget == 0 || depth > kMaxDocumentDepth) return false;
  --budget;
  if (node.IsSequence() || node.IsMap()) {
    for (auto it = node.begin(); it != node.end(); ++it) {
      if (node.IsMap() ? !within_node_budget(it->second, budget, depth + 1)
                       : !within_node_budget(*it, budget, depth + 1))
        return false;
    }
  }
  return true;
}

std::string without_expressions(std::string_view text) {
  std::string out;
  size_t i = 0;
  while (i < text.size()) {
    size_t open = text.find("{{", i);
    if (open == std::string_view::npos) break;
    size_t close = text.find("}}", open + 2);
    if (close == std::string_view::npos) break;
    out.append(text.substr(i, open - i));
    out.append(kDeferred);
    i = close + 2;
  }
  out.append(text.substr(std::min(i, text.size())));
  return out;
}

}  // namespace

bool is_deferred(std::string_view text) {
  return text.find("{{") != std::string_view::npos || text.find(kDeferred) != std::string_view::npos;
}

Truth truth_of(const nlohmann::json& value) {
  if (value.is_boolean()) return value.get<bool>() ? Truth::True : Truth::False;
  if (value.is_number()) return value != 0 ? Truth::True : Truth::False;
  if (!value.is_string()) return Truth::False;
  const std::string& s = value.get_ref<const std::string&>();
  if (is_deferred(s)) return Truth::Deferred;
  std::string lower;
  for (char c : s) {
    if (!std::isspace(static_cast<unsigned char>(c)))
      lower += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  }
  for (const char* t : {"true", "yes", "on", "y", "1"}) {
    if (lower == t) return Truth::True;
  }
  return Truth::False;
}

std::string volume_type(const nlohmann::json& volume) {
  if (!volume.is_object()) return "";
  for (auto it = volume.begin(); it != volume.end(); ++it) {
    if (it.key() != "name") return it.key();
  }
  return "";
}

bool is_confinable_volume_type(const std::string& type) {
  for (const char* t :
       {"emptyDir", "configMap", "secret", "persistentVolumeClaim", "downwardAPI", "projected", "ephemeral"}) {
    if (type == t) return true;
  }
  return type.empty();
}

bool parse_embedded_document(std::string_view text, nlohmann::json* out, std::string* error) {
  if (text.size() > kMaxDocumentBytes) {
    *error = "larger than " + std::to_string(kMaxDocumentBytes / 1024) + " KiB";
    return false;
  }
  std::string plain = without_expressions(text);
  // yaml-cpp recurses per level and can stall on some inputs: the spec loader's checks first.
  if (spec::find_excessive_nesting(plain, kMaxDocumentDepth)) {
    *error = "nested deeper than " + std::to_string(kMaxDocumentDepth) + " levels";
    return false;
  }
  try {
    if (spec::find_stalled_parse(plain)) {
      *error = "not valid YAML or JSON";
      return false;
    }
    YAML::Node node = YAML::Load(plain);
    size_t budget = 100'000 + 50 * plain.size();
    if (!within_node_budget(node, budget, 0)) {
      *error = "too many values once aliases are expanded, or nested deeper than " + std::to_string(kMaxDocumentDepth) +
               " levels";
      return false;
    }
    *out = spec::to_json(node);
  } catch (const YAML::Exception& e) {
    *error = "not valid YAML or JSON (line " + std::to_string(e.mark.line + 1) + "): " + e.msg;
    return false;
  }
  return true;
}

}  // namespace rampart::guard
