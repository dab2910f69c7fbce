// Runtime detection: looks at the steps a server is running, every second, for what admission
// cannot see: a process that turns out to be a miner (by its executable or command line), a
// step running far past its time budget, a process pinning its CPU for a long time. Each
// finding becomes an Alert; for miners and budget overruns the policy's runtime action
// (terminate by default) is carried out by the caller's callback.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <set>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "guard/policy.h"
#include "store/store.h"

namespace rampart::guard {

struct Alert {
  int64_t time_ms = 0;
  std::string namespace_;
  std::string workflow;
  std::string node_id;
  std::string rule;       // runtime.miner-process, runtime.time-budget, runtime.cpu-pinned
  std::string severity;   // critical, high, medium
  std::string evidence;
  std::string action;     // alert, terminate
  nlohmann::json to_json() const;
};

class Watcher {
 public:
  // `root_pid`: only descendants of this process are looked at (the server's step sandboxes).
  Watcher(const Policy& policy, int root_pid);

  // One pass over the running workflows in `store` and the processes under root_pid. Returns
  // the new alerts (each condition is reported once per node).
  std::vector<Alert> poll(store::Store& store, int64_t now_ms);

  // How long a process must keep a core busy to be reported.
  int64_t cpu_pinned_ms = 10 * 60 * 1000;

 private:
  struct ProcessSample {
    uint64_t cpu_ticks = 0;
    int64_t time_ms = 0;
    int64_t busy_since_ms = 0;
  };
  const Policy& policy_;
  int root_pid_;
  std::set<std::string> reported_;                 // "ns/workflow/node/rule"
  std::map<int, ProcessSample> samples_;
};

// A step's identity as the engine gives it in its environment, found for a process or its
// nearest ancestor that has it. Empty fields when the process is not a step.
struct StepIdentity {
  std::string namespace_, workflow, node_id;
};
StepIdentity step_of_process(int pid, const std::map<int, int>& parents);

}  // namespace rampart::guard
