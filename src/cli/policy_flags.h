// --policy FILE and --no-policy, shared by `run` and `resume`: local runs apply the same
// admission policy as the server unless told not to (trusted local work), with a warning.
#pragma once

#include <memory>
#include <optional>
#include <string>

#include "guard/policy.h"

namespace CLI {
class App;
}

namespace rampart::cli {

struct PolicyFlags {
  std::string file;   // --policy; empty: the built-in policy
  bool none = false;  // --no-policy
};

// Adds --policy and --no-policy (which exclude each other).
void add_policy_flags(CLI::App& command, PolicyFlags& flags);

// The policy the flags ask for: nullptr with a warning on stderr for --no-policy. A bad policy
// file is reported on stderr and returns nullopt (the command then exits with kUsage).
std::optional<std::shared_ptr<const guard::Policy>> resolve_policy(const PolicyFlags& flags);

}  // namespace rampart::cli
