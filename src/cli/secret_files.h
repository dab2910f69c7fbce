// Kubernetes Secret manifests given with --secret FILE: the local stand-in for cluster
// secrets. Values stay in memory for the run; they are never stored or printed.
#pragma once

#include <map>
#include <string>
#include <vector>

namespace rampart::cli {

using Secrets = std::map<std::string, std::map<std::string, std::string>>;

// Reads every `kind: Secret` document of the files (`data` is base64, `stringData` plain).
// Throws std::runtime_error naming the file and key on malformed input, never the value.
Secrets load_secret_files(const std::vector<std::string>& paths);

}  // namespace rampart::cli
