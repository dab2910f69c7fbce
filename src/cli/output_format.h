// The `-o/--output` option every command shares: human text by default, JSON for scripts.
#pragma once

#include <string>

namespace CLI {
class App;
}

namespace rampart::cli {

// Adds `-o,--output` accepting the given formats (e.g. "text,json"); `target` receives the choice.
void add_output_option(CLI::App& command, std::string& target, const std::string& formats,
                       const std::string& default_format);

}  // namespace rampart::cli
