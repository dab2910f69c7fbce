// A container image reference in full, as a registry client needs it: "alpine" is
// docker.io/library/alpine:latest. Strict, because the parts end up in registry URLs and on the
// command lines of the pull tools.
#pragma once

#include <map>
#include <optional>
#include <string>

namespace rampart::exec {

struct RegistryReference {
  std::string registry;    // "docker.io", "ghcr.io", "127.0.0.1:5000"
  std::string repository;  // "library/alpine", "argoproj/argosay"
  std::string tag;         // "latest" when the reference names neither tag nor digest
  std::string digest;      // "sha256:<64 hex>" or empty

  // "docker.io/library/alpine:3.7", with "@sha256:..." when pinned.
  std::string to_string() const;
  // The same reference with its registry replaced according to `mirrors` (registry -> mirror
  // host), as Docker's registry-mirrors do; unchanged when no mirror is configured.
  RegistryReference mirrored(const std::map<std::string, std::string>& mirrors) const;
};

// Parses Docker's reference grammar; on failure returns nullopt and sets `error`.
std::optional<RegistryReference> parse_registry_reference(const std::string& image, std::string* error);

// Docker's rule: registries on loopback may be spoken to over plain HTTP.
bool is_loopback_registry(const std::string& registry);

}  // namespace rampart::exec
