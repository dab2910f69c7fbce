#include "scan/leaks.h"

#include <algorithm>
#include <cctype>
#include <optional>

#include "common/bounded_json.h"

namespace rampart::scan {

namespace {

std::string upper(std::string s) {
  for (auto& c : s) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return s;
}

void add_image(Leaks& leaks, const std::string& image) {
  if (image.empty() || image.size() > 512) return;
  leaks.images.insert(image);
  std::string registry = registry_of(image);
  leaks.registries.insert(registry);
  if (!is_public_registry(registry)) leaks.private_registries.insert(registry);
}

void add_env(Leaks& leaks, const nlohmann::json& env) {
  if (!env.is_array()) return;
  for (const auto& e : env) {
    if (!e.is_object() || !e.contains("name") || !e["name"].is_string()) continue;
    std::string name = e["name"].get<std::string>();
    if (name.empty() || name.size() > 256) continue;
    leaks.env_names.insert(name);
    // A literal value under a credential-like name: the value itself is never read.
    if (e.contains("value") && looks_secret(name)) leaks.secret_like_env.insert(name);
  }
}

void walk(Leaks& leaks, const nlohmann::json& node, int depth) {
  if (depth > 64) return;
  if (node.is_object()) {
    for (const auto& [key, value] : node.items()) {
      if (key == "image" && value.is_string())
        add_image(leaks, value.get<std::string>());
      else if (key == "env")
        add_env(leaks, value);
      else if (key == "serviceAccountName" && value.is_string())
        leaks.service_accounts.insert(value.get<std::string>());
      if (value.is_structured()) walk(leaks, value, depth + 1);
    }
  } else if (node.is_array()) {
    for (const auto& v : node) walk(leaks, v, depth + 1);
  }
}

// The JSON string that follows `"key"` at `pos` (after optional spaces and a colon), if any.
std::optional<std::string> string_value_after(const std::string& body, size_t pos, size_t* end_out = nullptr) {
  size_t i = body.find_first_not_of(" \t\r\n", pos);
  if (i == std::string::npos || body[i] != ':') return std::nullopt;
  i = body.find_first_not_of(" \t\r\n", i + 1);
  if (i == std::string::npos || body[i] != '"') return std::nullopt;
  size_t end = i + 1;
  while (end < body.size() && body[end] != '"' && body[end] != '\\' && end - i <= 512) ++end;
  if (end >= body.size() || body[end] != '"' || end == i + 1) return std::nullopt;
  if (end_out) *end_out = end;
  return body.substr(i + 1, end - i - 1);
}

nlohmann::json first(const std::set<std::string>& values, size_t limit) {
  nlohmann::json out = nlohmann::json::array();
  for (const auto& v : values) {
    if (out.size() >= limit) break;
    out.push_back(v);
  }
  return out;
}

}  // namespace

std::string registry_of(const std::string& image) {
  std::string ref = image.substr(0, image.find('@'));
  auto slash = ref.find('/');
  if (slash == std::string::npos) return "docker.io";
  std::string head = ref.substr(0, slash);
  if (head.find('.') != std::string::npos || head.find(':') != std::string::npos || head == "localhost") {
    return head;
  }
  return "docker.io";
}

bool is_public_registry(const std::string& registry) {
  static const char* known[] = {"docker.io",
                                "index.docker.io",
                                "registry-1.docker.io",
                                "ghcr.io",
                                "quay.io",
                                "gcr.io",
                                "registry.k8s.io",
                                "k8s.gcr.io",
                                "public.ecr.aws",
                                "mcr.microsoft.com",
                                "registry.gitlab.com",
                                "cgr.dev"};
  return std::any_of(std::begin(known), std::end(known), [&](const char* k) { return registry == k; });
}

bool looks_secret(const std::string& env_name) {
  std::string n = upper(env_name);
  for (const char* word : {"TOKEN", "SECRET", "PASSWORD", "PASSWD", "PASS", "APIKEY", "API_KEY", "ACCESS_KEY",
                           "PRIVATE_KEY", "CREDENTIAL", "AUTH"}) {
    if (n.find(word) != std::string::npos) return true;
  }
  return false;
}

Leaks extract_leaks(const std::string& body) {
  Leaks leaks;
  auto json = parse_untrusted_json_or_discarded(body);
  if (!json.is_discarded() && json.is_object()) {
    leaks.parsed = true;
    const auto& items = json.contains("items") ? json["items"] : nlohmann::json();
    if (items.is_array()) {
      leaks.items = items.size();
      for (const auto& item : items) {
        if (!item.is_object()) continue;
        if (item.contains("metadata") && item["metadata"].is_object()) {
          const auto& m = item["metadata"];
          if (m.contains("name") && m["name"].is_string()) leaks.names.insert(m["name"].get<std::string>());
          if (m.contains("namespace") && m["namespace"].is_string()) {
            leaks.namespaces.insert(m["namespace"].get<std::string>());
          }
        }
        walk(leaks, item, 0);
      }
    }
    return leaks;
  }
  // Truncated or broken JSON: a plain scan for what is safe to report (no values).
  for (size_t pos = 0; (pos = body.find("\"image\"", pos)) != std::string::npos; pos += 7) {
    if (auto value = string_value_after(body, pos + 7)) add_image(leaks, *value);
  }
  for (size_t pos = 0; (pos = body.find("\"name\"", pos)) != std::string::npos; pos += 6) {
    size_t value_end = 0;
    auto value = string_value_after(body, pos + 6, &value_end);
    if (!value || pos == 0) continue;
    size_t before = body.find_last_not_of(" \t\r\n", pos - 1);
    if (before == std::string::npos || body[before] != '{') continue;  // "name" first in its object
    size_t comma = body.find_first_not_of(" \t\r\n", value_end + 1);
    if (comma != std::string::npos && body[comma] == ',') {
      size_t after = body.find_first_not_of(" \t\r\n", comma + 1);
      if (after != std::string::npos &&
          (body.compare(after, 7, "\"value\"") == 0 || body.compare(after, 11, "\"valueFrom\"") == 0)) {
        leaks.env_names.insert(*value);  // {"name": "X", "value...": ...} is an env var
        continue;
      }
    }
    size_t colon = before > 0 ? body.find_last_not_of(" \t\r\n", before - 1) : std::string::npos;
    if (colon != std::string::npos && colon >= 10 && body[colon] == ':' &&
        body.compare(colon - 10, 10, "\"metadata\"") == 0) {
      leaks.names.insert(*value);  // "metadata": {"name": "X"
    }
  }
  leaks.items = leaks.names.size();
  return leaks;
}

nlohmann::json Leaks::to_json(size_t limit) const {
  return {{"items", items},
          {"parsed", parsed},
          {"names", first(names, limit)},
          {"namespaces", first(namespaces, limit)},
          {"images", first(images, limit)},
          {"registries", first(registries, limit)},
          {"private_registries", first(private_registries, limit)},
          {"env_names", first(env_names, limit)},
          {"secret_like_env_names", first(secret_like_env, limit)},
          {"service_accounts", first(service_accounts, limit)},
          {"counts",
           {{"names", names.size()},
            {"images", images.size()},
            {"env_names", env_names.size()},
            {"registries", registries.size()}}}};
}

}  // namespace rampart::scan
