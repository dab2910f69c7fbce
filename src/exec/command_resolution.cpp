#include "exec/command_resolution.h"

namespace rampart::exec {

std::vector<std::string> resolve_command(const std::vector<std::string>& entrypoint,
                                         const std::vector<std::string>& cmd, const std::vector<std::string>& command,
                                         const std::vector<std::string>& args,
                                         const std::optional<std::string>& script_path) {
  std::vector<std::string> argv;
  if (!command.empty()) {
    argv = command;
    argv.insert(argv.end(), args.begin(), args.end());
  } else {
    argv = entrypoint;
    const auto& rest = args.empty() ? cmd : args;
    argv.insert(argv.end(), rest.begin(), rest.end());
  }
  if (script_path) argv.push_back(*script_path);
  return argv;
}

}  // namespace rampart::exec
