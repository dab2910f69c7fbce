#include "cli/output_format.h"

#include <sstream>
#include <vector>

#include <CLI/CLI.hpp>

namespace rampart::cli {

void add_output_option(CLI::App& command, std::string& target, const std::string& formats,
                       const std::string& default_format) {
  std::vector<std::string> choices;
  std::stringstream in(formats);
  for (std::string f; std::getline(in, f, ',');) choices.push_back(f);
  target = default_format;
  command.add_option("-o,--output", target, "Output format")->check(CLI::IsMember(choices))->capture_default_str();
}

}  // namespace rampart::cli
