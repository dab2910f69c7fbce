#include "server/access.h"

#include <algorithm>

namespace rampart::server {

std::string_view role_name(Role role) {
  switch (role) {
    case Role::Viewer: return "viewer";
    case Role::Submitter: return "submitter";
    case Role::Author: return "author";
    case Role::Admin: return "admin";
    case Role::None: break;
  }
  return "none";
}

std::optional<Role> parse_role(std::string_view name) {
  for (Role r : {Role::Viewer, Role::Submitter, Role::Author, Role::Admin}) {
    if (role_name(r) == name) return r;
  }
  return std::nullopt;
}

bool is_valid_subject(std::string_view name) {
  if (name.empty() || name.size() > 128) return false;
  return std::all_of(name.begin(), name.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' || c == '_' ||
           c == '@' || c == '+' || c == '-';
  });
}

bool is_valid_binding_namespace(std::string_view ns) {
  if (ns == "*") return true;
  if (ns.empty() || ns.size() > 63 || ns.front() == '-' || ns.back() == '-') return false;
  return std::all_of(ns.begin(), ns.end(),
                     [](char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-'; });
}

Role Subject::role_in(const std::string& ns) const {
  Role best = Role::None;
  if (auto it = roles.find(ns); it != roles.end() && !ns.empty()) best = it->second;
  if (auto it = roles.find("*"); it != roles.end()) best = std::max(best, it->second);
  return best;
}

std::vector<std::string> Subject::namespaces() const {
  std::vector<std::string> out;
  for (const auto& [ns, role] : roles) {
    if (ns != "*" && !ns.empty() && role != Role::None) out.push_back(ns);
  }
  return out;
}

bool Subject::all_namespaces() const {
  auto it = roles.find("*");
  return it != roles.end() && it->second != Role::None;
}

}  // namespace rampart::server
