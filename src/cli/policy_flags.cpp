#include "cli/policy_flags.h"

#include <iostream>
#include <stdexcept>

#include <CLI/CLI.hpp>

namespace rampart::cli {

void add_policy_flags(CLI::App& command, PolicyFlags& flags) {
  auto* policy =
      command.add_option("--policy", flags.file, "Admission policy YAML file (default: the built-in policy)");
  command.add_flag("--no-policy", flags.none, "Run without the admission policy (trusted local work only)")
      ->excludes(policy);
}

std::optional<std::shared_ptr<const guard::Policy>> resolve_policy(const PolicyFlags& flags) {
  if (flags.none) {
    std::cerr << "warning: --no-policy: this workflow and its steps are not checked against the admission policy "
                 "(miner images and commands, privileged pods, host access); use it only for trusted local work\n";
    return std::shared_ptr<const guard::Policy>();
  }
  try {
    return std::make_shared<const guard::Policy>(flags.file.empty() ? guard::Policy{}
                                                                    : guard::load_policy_file(flags.file));
  } catch (const std::invalid_argument& e) {
    std::cerr << e.what() << "\n";
    return std::nullopt;
  }
}

}  // namespace rampart::cli
