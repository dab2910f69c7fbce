// Runtime detection: looks at the steps a server is running, every second, for what admission
// cannot see, by what a process is and does rather than what it is called:
//   runtime.miner-process    its executable's or script's content (pool URLs, RandomX, XMRig's
//                            strings, known hashes), or a miner's name or command line
//   runtime.pool-connection  a TCP connection being opened or held to a mining pool's port
//   runtime.cpu-pinned       a process keeping a core busy for watch.cpuPinnedSeconds
//   runtime.time-budget      a step running longer than watch.stepBudgetSeconds
//   runtime.history          a workflow or step running longer than watch.historyFactor × the p95
//                            of its past runs
// Each finding becomes an Alert (once per node and rule). With the policy's runtime action
// "terminate", a step caught mining or connecting to a pool is frozen at once (SIGSTOP, so that
// its shell cannot carry on and end it successfully) and the caller has the engine kill it with
// the guard's reason, which fails the node and the workflow; a frozen step the engine has not
// ended within frozen_grace_ms is killed here.
#pragma once

#include <cstdint>
#include <map>
#include <set>
#include <string>
#include <tuple>
#include <vector>

#include <nlohmann/json.hpp>

#include "guard/policy.h"
#include "guard/process_inspect.h"
#include "guard/run_history.h"
#include "store/store.h"

namespace rampart::guard {

struct Alert {
  int64_t time_ms = 0;
  std::string namespace_;
  std::string workflow;
  std::string node_id;   // "" for the workflow as a whole
  std::string rule;      // runtime.miner-process, runtime.pool-connection, runtime.cpu-pinned, ...
  std::string severity;  // critical, high, medium
  std::string evidence;
  std::string action;  // alert, terminate
  nlohmann::json to_json() const;
  // What the node's message says when the step is killed for it: "guard: <rule>: <evidence>".
  std::string kill_reason() const;
};

// A step's identity as the engine gives it in its environment, found for a process or its
// nearest ancestor that has it. Empty fields when the process is not a step.
struct StepIdentity {
  std::string namespace_, workflow, node_id;
  bool operator<(const StepIdentity& o) const {
    return std::tie(namespace_, workflow, node_id) < std::tie(o.namespace_, o.workflow, o.node_id);
  }
};
StepIdentity step_of_process(int pid, const std::map<int, int>& parents);

class Watcher {
 public:
  // `root_pid`: only descendants of this process are looked at (the server's step sandboxes).
  // The policy must outlive the watcher.
  Watcher(const Policy& policy, int root_pid);

  // One pass over the running workflows in `store` and the processes under root_pid. Returns
  // the new alerts (each condition is reported once per node). One thread.
  std::vector<Alert> poll(store::Store& store, int64_t now_ms);

  // How long a process must keep a core busy to be reported; -1: the policy's cpuPinnedSeconds.
  int64_t cpu_pinned_ms = -1;
  // How long a frozen step may wait for the engine to kill it before the watcher does.
  int64_t frozen_grace_ms = 10'000;

 private:
  struct ProcessSample {
    uint64_t cpu_ticks = 0;
    int64_t time_ms = 0;
    int64_t busy_since_ms = 0;
  };
  struct Frozen {
    int64_t since_ms = 0;
    std::set<int> pids;
  };
  using Raise = std::vector<Alert>;

  void scan_processes(int64_t now_ms, Raise& alerts);
  void check_durations(store::Store& store, int64_t now_ms, Raise& alerts);
  std::string misbehaviour(int pid, const std::string& comm, const PolicyRules& rules,
                           std::map<std::string, std::vector<TcpEntry>>& tables, std::string* rule);
  void freeze(const StepIdentity& step, const std::map<int, int>& parents, int64_t now_ms);
  void kill_overdue_frozen(int64_t now_ms);
  void raise(Raise& alerts, Alert a, int64_t now_ms);
  const char* action_for(const std::string& ns) const;

  const Policy& policy_;
  int root_pid_;
  std::set<std::string> reported_;  // "ns/workflow/node/rule"
  std::map<int, ProcessSample> samples_;
  std::map<StepIdentity, Frozen> frozen_;
  ContentScanner scanner_;
  RunHistory history_;
};

}  // namespace rampart::guard
