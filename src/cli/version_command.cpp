#include <iostream>

#include <CLI/CLI.hpp>

#include "cli/commands.h"

namespace rampart::cli {

CommandAction add_version_command(CLI::App& app) {
  app.add_subcommand("version", "Print rampart's version");
  return [] {
    std::cout << "rampart " << RAMPART_VERSION << "\n";
    return 0;
  };
}

}  // namespace rampart::cli
