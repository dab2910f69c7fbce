// The admission policy: what may run. A YAML file (see docs/guard.md) with defaults that are
// safe without any configuration, and per-namespace overrides.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "guard/shell_syntax.h"

namespace rampart::guard {

enum class Action { Allow, Warn, Deny };

struct PolicyRules {
  // Images. `allow` empty: any image not denied is admitted with a warning-free pass (the
  // built-in miner list still applies); set: only images starting with one of these prefixes
  // (after normalising "busybox" to "docker.io/library/busybox").
  std::vector<std::string> allowed_images;
  std::vector<std::string> denied_images;  // extra prefixes or names, besides the built-in list
  bool builtin_miner_list = true;
  bool require_digest = false;

  std::vector<std::string> denied_command_patterns;  // extra RE2 patterns
  bool builtin_command_signatures = true;
  // Bounds of the shell reader (commands.maxScriptBytes, maxScriptWords, maxNesting); past
  // them a script is checked by text matching alone, with a warning saying so.
  shell::Limits parse_limits;

  Action privileged = Action::Deny;
  Action host_namespaces = Action::Deny;
  Action host_path = Action::Deny;
  Action added_capabilities = Action::Deny;
  // Steps that ask for the network (annotation rampart.io/network: enabled): a miner needs it to
  // reach its pool, so it is an operator's decision.
  Action network = Action::Deny;
  // Volumes whose data lives outside the step (nfs, iscsi, csi, gitRepo, ...); hostPath has its
  // own rule above.
  Action unconfined_volumes = Action::Deny;
  std::vector<std::string> allowed_capabilities;
  Action missing_limits = Action::Warn;

  int64_t max_deadline_seconds = 86400;      // activeDeadlineSeconds above this is denied
  int64_t default_deadline_seconds = 86400;  // applied to workflows that set none

  // Runtime watch.
  int64_t step_budget_seconds = 6 * 3600;  // a step running longer is an alert
  double history_factor = 3.0;             // ... or longer than this times the p95 of past runs
  int64_t history_min_runs = 5;            // ... of at least this many finished runs
  Action runtime_action = Action::Deny;    // Deny = terminate the workflow; Warn = alert only
  int64_t cpu_pinned_seconds = 600;        // a process keeping a core busy this long
  // Remote ports of mining pools: a step's connection to one is a miner's (watch.poolPorts).
  std::vector<int> pool_ports = {3333, 4444, 5555, 7777, 14444, 45560, 45700, 10128, 14433, 20128};
  std::vector<std::string> miner_hashes;  // SHA-256 of executables known to be miners
};

struct Policy {
  PolicyRules defaults;
  std::map<std::string, PolicyRules> namespaces;  // full rule sets: defaults with overrides applied

  const PolicyRules& for_namespace(const std::string& ns) const;
};

// Parses a policy file; throws std::invalid_argument naming file:line:col and the field.
Policy load_policy_file(const std::string& path);
Policy parse_policy(const std::string& yaml, const std::string& file);

const char* to_string(Action action);

}  // namespace rampart::guard
