// Kubernetes Secret manifests given with --secret FILE: the local stand-in for cluster
// secrets. Values stay in memory for the run; they are never stored or printed.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace CLI {
class App;
}

namespace rampart::cli {

using Secrets = std::map<std::string, std::map<std::string, std::string>>;

// The largest secret value accepted unless --max-secret-bytes says otherwise. Every form of a
// value is masked in output (SecretMasker), which costs memory in proportion to the value.
inline constexpr uint64_t kDefaultMaxSecretBytes = 64 * 1024;

// Reads every `kind: Secret` document of the files (`data` is base64, `stringData` plain).
// Throws std::runtime_error naming the file and key on malformed input or a value larger than
// `max_value_bytes`, never the value.
Secrets load_secret_files(const std::vector<std::string>& paths, uint64_t max_value_bytes = kDefaultMaxSecretBytes);

// Adds --max-secret-bytes N (default kDefaultMaxSecretBytes) to a command that takes --secret.
void add_max_secret_bytes_option(CLI::App& command, uint64_t& max_value_bytes);

}  // namespace rampart::cli
