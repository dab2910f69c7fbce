#include "cli/executor_options.h"

#include <stdexcept>

#include <CLI/CLI.hpp>

#include "exec/container/container_executor.h"
#include "exec/process_executor.h"

namespace rampart::cli {

void add_executor_options(CLI::App& command, ExecutorSettings& s, bool trusted) {
  if (trusted) {
    command.add_option("--executor", s.executor, "Where steps run: process (local sandboxed processes) or container (OCI containers with crun)")
        ->check(CLI::IsMember({"process", "container"}))
        ->capture_default_str();
  } else {
    // The server may offer several: the first is the default, workflows pick others by annotation.
    command.add_option("--executor", s.executor,
                       "Where steps run: process or container, or a comma-separated list of them (the first is the "
                       "default; a workflow picks another with the annotation rampart.io/executor)")
        ->capture_default_str();
  }
  if (trusted) {
    command.add_option("--sandbox", s.sandbox, "Process executor sandbox: bwrap, or none for trusted local runs")
        ->check(CLI::IsMember({"bwrap", "none"}))
        ->capture_default_str();
  }
  command.add_option("--image-catalog", s.image_catalog, "Process executor: image catalog file (default: share/rampart/images.yaml)");
  command.add_option("--registry-mirror", s.registry_mirrors, "Container executor: REGISTRY=MIRROR, pull REGISTRY's images from MIRROR (repeatable)");
  command.add_option("--insecure-registry", s.insecure_registries, "Container executor: registry spoken to over plain HTTP (loopback ones always are)");
  command.add_option("--image-cache", s.image_cache, "Container executor: image cache directory (default: <state>/images)");
  command.add_flag("--allow-privileged", s.allow_privileged, "Container executor: run privileged containers instead of refusing them");
  command.add_flag("--allow-host-namespaces", s.allow_host_namespaces, "Container executor: allow hostNetwork, hostPID and hostIPC");
  command.add_flag("--allow-network", s.allow_network, "Container executor: allow steps annotated rampart.io/network: enabled to use the host network");
  command.add_option("--allow-capability", s.allowed_capabilities, "Container executor: a capability steps may add (repeatable; ALL for any)");
}

std::unique_ptr<exec::Executor> make_executor(const ExecutorSettings& s, const std::string& state_dir) {
  if (s.executor == "container") {
    exec::ContainerExecutorOptions options;
    options.state_dir = state_dir;
    options.image_cache = s.image_cache;
    for (const auto& m : s.registry_mirrors) {
      size_t eq = m.find('=');
      if (eq == std::string::npos || eq == 0 || eq + 1 == m.size()) {
        throw std::invalid_argument("--registry-mirror \"" + m + "\": expected REGISTRY=MIRROR, e.g. docker.io=127.0.0.1:5000");
      }
      options.registry.mirrors[m.substr(0, eq)] = m.substr(eq + 1);
    }
    options.registry.insecure.insert(s.insecure_registries.begin(), s.insecure_registries.end());
    options.policy.allow_privileged = s.allow_privileged;
    options.policy.allow_host_namespaces = s.allow_host_namespaces;
    options.policy.allow_network = s.allow_network;
    for (auto cap : s.allowed_capabilities) {
      for (auto& c : cap) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
      if (cap.rfind("CAP_", 0) == 0) cap = cap.substr(4);
      options.policy.allowed_capabilities.insert(cap);
    }
    return exec::make_container_executor(std::move(options));
  }
  if (s.executor != "process") throw std::invalid_argument("unknown executor \"" + s.executor + "\" (expected process or container)");
  exec::ProcessExecutorOptions options;
  options.sandbox = exec::parse_sandbox_mode(s.sandbox);
  options.image_catalog = s.image_catalog;
  return exec::make_process_executor(options);
}

}  // namespace rampart::cli
