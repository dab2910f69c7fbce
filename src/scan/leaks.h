// What an open list route gives away, reduced to names: workflow names, namespaces, images,
// registries, service accounts and env var *names*. Values (env values, args, parameters) are
// never copied: a scan report must be safe to paste into a ticket.
#pragma once

#include <set>
#include <string>

#include <nlohmann/json.hpp>

namespace rampart::scan {

struct Leaks {
  size_t items = 0;             // objects in the list (as far as it could be read)
  std::set<std::string> names;  // metadata.name of each item
  std::set<std::string> namespaces;
  std::set<std::string> images;
  std::set<std::string> registries;          // registry hosts of the images (docker.io when none)
  std::set<std::string> private_registries;  // ... other than well-known public ones
  std::set<std::string> env_names;
  std::set<std::string> secret_like_env;  // names like *TOKEN*, *PASSWORD*, given as plain values
  std::set<std::string> service_accounts;
  bool parsed = false;  // the body was a JSON list; otherwise extracted by pattern

  bool empty() const { return items == 0 && images.empty() && env_names.empty(); }
  // At most `limit` of each set, plus counts.
  nlohmann::json to_json(size_t limit = 20) const;
};

// From an Argo list response ({"metadata":..,"items":[..]}); a truncated or malformed body is
// scanned by pattern for images and env names instead.
Leaks extract_leaks(const std::string& body);

// "registry.corp:5000/team/app:1" -> "registry.corp:5000"; "alpine:3" -> "docker.io".
std::string registry_of(const std::string& image);
bool is_public_registry(const std::string& registry);
// Env names that suggest a credential (TOKEN, SECRET, PASSWORD, KEY, ...).
bool looks_secret(const std::string& env_name);

}  // namespace rampart::scan
