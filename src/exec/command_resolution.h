// Which argv a step runs, by Kubernetes' rules for command/args versus the image's
// ENTRYPOINT/CMD, with Argo's script staging appended.
#pragma once

#include <optional>
#include <string>
#include <vector>

namespace rampart::exec {

// Kubernetes: no command → ENTRYPOINT, then args (or CMD when args is empty too);
// a command → command + args, and the image's ENTRYPOINT and CMD are ignored.
// `script_path`, when given, is appended last (Argo's /argo/staging/script).
std::vector<std::string> resolve_command(const std::vector<std::string>& entrypoint,
                                         const std::vector<std::string>& cmd, const std::vector<std::string>& command,
                                         const std::vector<std::string>& args,
                                         const std::optional<std::string>& script_path);

}  // namespace rampart::exec
