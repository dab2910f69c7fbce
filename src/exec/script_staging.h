// Argo's script templates: the source is written to a file (mode 0755, as Argo's executor does)
// that the sandbox or container sees at /argo/staging/script.
#pragma once

#include <string>

namespace rampart::exec {

// Writes `source` to <step_dir>/staging/script and returns that host path; throws
// std::runtime_error or std::filesystem::filesystem_error when it cannot.
std::string stage_script(const std::string& step_dir, const std::string& source);

}  // namespace rampart::exec
