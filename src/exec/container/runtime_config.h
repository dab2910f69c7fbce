// The OCI runtime configuration (a bundle's config.json) for one step: what crun is told to
// build. Everything here is decided from the step request, the image configuration and the
// container policy; nothing touches the host, so it is tested without running a container.
#pragma once

#include <cstdint>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "exec/container/image_store.h"
#include "exec/executor.h"

namespace rampart::exec {

// What the operator permits beyond the default isolation. The defaults permit nothing.
struct ContainerPolicy {
  bool allow_privileged = false;
  bool allow_host_namespaces = false;  // hostNetwork, hostPID, hostIPC
  // Steps annotated rampart.io/network: enabled share the host's network; off by default, since
  // a miner needs the network to reach its pool.
  bool allow_network = false;
  std::set<std::string> allowed_capabilities;  // "NET_BIND_SERVICE", ...; "ALL" allows any
};

struct RuntimeConfigInputs {
  const StepRequest& request;
  const ImageConfig& image;
  std::vector<std::string> argv;                      // resolved command + args (+ script path)
  std::string rootfs;                                 // the container's root (an overlay over the image)
  std::string tmp_host;                               // host dir bound at /tmp (unless a volume is there)
  std::optional<std::string> script_host;             // staged script, bound read-only at /argo/staging/script
  std::string hosts_file;                             // host file bound read-only at /etc/hosts
  std::optional<std::pair<uint32_t, uint32_t>> user;  // uid, gid; default 0:0
  uint64_t max_open_files = 1024;
  std::string network_namespace;  // a pinned namespace to join (a pod's); empty: a new one
};

struct RuntimeConfigBuild {
  nlohmann::json config;  // null when refused
  std::string error;      // why the step is refused or cannot be built
};

RuntimeConfigBuild make_runtime_config(const RuntimeConfigInputs& in, const ContainerPolicy& policy);

// The environment of the container: the image's ENV (PATH defaulted), HOSTNAME and HOME, then
// the step's variables in order, a later one replacing an earlier one of the same name.
std::vector<std::string> container_environment(const StepRequest& request, const ImageConfig& image);

// "1000", "1000:100", or a name looked up in the image's /etc/passwd and /etc/group (read
// without following symlinks out of the root). nullopt and `error` set when it cannot be resolved.
std::optional<std::pair<uint32_t, uint32_t>> resolve_user(const std::string& rootfs, const std::string& spec,
                                                          std::string* error);

}  // namespace rampart::exec
