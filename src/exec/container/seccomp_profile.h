// The seccomp filter every container gets unless policy says otherwise: system calls a workload
// has no business making inside a container (kernel modules, mounts, namespaces, keyrings,
// tracing, clock and reboot) fail with EPERM. A denylist rather than Docker's allowlist so that
// ordinary programs built against newer libcs keep working; the namespaces, dropped
// capabilities and no_new_privs carry the rest of the isolation.
#pragma once

#include <nlohmann/json.hpp>

namespace rampart::exec {

// The OCI runtime spec's linux.seccomp object.
nlohmann::json default_seccomp_profile();

}  // namespace rampart::exec
