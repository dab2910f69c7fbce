// Who is asking and what they may do: roles per namespace, Argo-style.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace rampart::server {

// Ordered: each role can do everything the ones before it can.
//   viewer    read workflows, templates, logs and events
//   submitter also submit workflows from approved WorkflowTemplates and act on workflows
//             (stop, terminate, suspend, resume, retry, resubmit, delete)
//   author    also create arbitrary workflows and manage templates and cron workflows
//   admin     also tokens, role bindings and policy
enum class Role { None = 0, Viewer = 1, Submitter = 2, Author = 3, Admin = 4 };

std::string_view role_name(Role role);
std::optional<Role> parse_role(std::string_view name);  // "viewer" ... "admin"

// What may name a subject: 1 to 128 of [A-Za-z0-9._@+-], so that subjects print safely in tables
// and logs and never collide with the "local:" subjects the CLI audits under.
bool is_valid_subject(std::string_view name);
// What a binding may name: "*" (every namespace) or a Kubernetes namespace (RFC 1123 label).
bool is_valid_binding_namespace(std::string_view ns);

struct Subject {
  std::string name;                   // e.g. "admin", "alice"
  std::string token_id;               // the token that authenticated this request
  std::map<std::string, Role> roles;  // namespace -> role; "*" applies to every namespace

  // The strongest of roles[ns] and roles["*"].
  Role role_in(const std::string& ns) const;
  bool can(const std::string& ns, Role needed) const { return role_in(ns) >= needed; }
  // Namespaces named in bindings (not "*"); for listing across namespaces.
  std::vector<std::string> namespaces() const;
  bool all_namespaces() const;  // has a "*" binding
};

}  // namespace rampart::server
