// Targets as users write them, expanded into the endpoints to probe.
//   https://host:port/base  -> that scheme only (a path is the base the Argo server is served under)
//   host:port, [v6]:port    -> plain HTTP first (a TLS server refuses it at once), then HTTPS
//   host, v6                -> the same on ports 2746 (Argo's) and 443
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace rampart::scan {

struct Candidate {
  std::string target;  // as given
  std::string host;
  uint16_t port = 0;
  std::string scheme;     // "http", "https", or "" for "try both"
  std::string base_path;  // "" or "/argo" (no trailing slash)
};

inline constexpr uint16_t kDefaultPorts[] = {2746, 443};

// One target; nullopt with `error` set when it is not a URL, host:port or host.
std::optional<std::vector<Candidate>> expand_target(const std::string& text, std::string* error);

// Lines of a targets file: blank lines and '#' comments skipped, whitespace trimmed.
std::vector<std::string> read_targets_file(const std::string& path);

}  // namespace rampart::scan
