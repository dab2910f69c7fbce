// The container executor: each step is an OCI container run by crun from an image pulled from a
// registry. The image's root filesystem is shared read-only through an overlay whose upper layer
// is the step's own root directory (<step_dir>/rootfs), so the engine collects outputs there
// exactly as it does for the process executor. Limits come from a per-step cgroup that crun's
// processes are started in (crun itself is told not to manage cgroups), which is also how OOM
// kills are recognised. See docs/containers.md.
#pragma once

#include <memory>
#include <string>

#include "exec/container/image_store.h"
#include "exec/container/runtime_config.h"
#include "exec/executor.h"

namespace rampart::exec {

struct ContainerExecutorOptions {
  std::string state_dir;  // holds images/ (the cache) and containers/ (crun's state)
  RegistryOptions registry;
  ContainerPolicy policy;
  std::string image_cache;  // empty: <state_dir>/images
};

class ContainerExecutor : public Executor {
 public:
  // Checks crun, skopeo and umoci, the cgroup layout, and removes what crashed rampart processes
  // left behind. Throws std::runtime_error explaining what the host lacks.
  explicit ContainerExecutor(ContainerExecutorOptions options);
  ~ContainerExecutor() override;  // shutdown()

  void start(StepRequest request, std::function<void(StepResult)> done) override;
  void kill(const std::string& id, const std::string& reason) override;
  void shutdown() override;

 private:
  struct State;
  std::shared_ptr<State> state_;
};

std::unique_ptr<Executor> make_container_executor(ContainerExecutorOptions options);

// Containers, overlay mounts and bundles left under `state_dir` by rampart processes that no
// longer exist (a SIGKILLed engine), killed and removed. Returns how many containers it removed.
size_t sweep_leftover_containers(const std::string& state_dir);

// Why crun cannot run on this host, or empty when it can: on hosts that mix cgroup v1 and v2
// crun refuses to start while controllers are attached to the v2 hierarchy.
std::string container_host_problem();

}  // namespace rampart::exec
