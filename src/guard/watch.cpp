#include "guard/watch.h"

#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <sstream>

#include "guard/signatures.h"

namespace rampart::guard {

namespace {

constexpr size_t kReadBudgetPerPoll = 256u << 20;  // bytes of new executables read per poll

bool descends_from(int pid, int root, const std::map<int, int>& parents) {
  for (int depth = 0; depth < 64 && pid > 1; ++depth) {
    auto it = parents.find(pid);
    if (it == parents.end()) return false;
    pid = it->second;
    if (pid == root) return true;
  }
  return false;
}

uint64_t cpu_ticks(int pid) {
  std::string stat = read_proc_file("/proc/" + std::to_string(pid) + "/stat", 1024);
  size_t close = stat.rfind(')');
  if (close == std::string::npos || close + 2 >= stat.size()) return 0;
  std::istringstream rest(stat.substr(close + 2));
  std::string field;
  uint64_t utime = 0, stime = 0;
  for (int i = 3; i <= 15 && rest >> field; ++i) {
    if (i == 14) utime = std::stoull(field);
    if (i == 15) stime = std::stoull(field);
  }
  return utime + stime;
}

std::string command_line(int pid) {
  std::string raw = read_proc_file("/proc/" + std::to_string(pid) + "/cmdline");
  for (auto& c : raw) {
    if (c == '\0') c = ' ';
  }
  return raw;
}

std::string comm_of(int pid) {
  std::string comm = read_proc_file("/proc/" + std::to_string(pid) + "/comm", 64);
  if (!comm.empty() && comm.back() == '\n') comm.pop_back();
  return comm;
}

std::string seconds(int64_t ms) { return std::to_string(ms / 1000) + " s"; }

}  // namespace

nlohmann::json Alert::to_json() const {
  return {{"time_ms", time_ms}, {"namespace", namespace_}, {"workflow", workflow}, {"node", node_id},
          {"rule", rule},       {"severity", severity},    {"evidence", evidence}, {"action", action}};
}

std::string Alert::kill_reason() const { return "guard: " + rule + ": " + evidence; }

StepIdentity step_of_process(int pid, const std::map<int, int>& parents) {
  for (int depth = 0; depth < 64 && pid > 1; ++depth) {
    std::string env = read_proc_file("/proc/" + std::to_string(pid) + "/environ");
    StepIdentity id;
    size_t start = 0;
    while (start < env.size()) {
      size_t end = env.find('\0', start);
      if (end == std::string::npos) end = env.size();
      std::string_view var(env.data() + start, end - start);
      auto value = [&](std::string_view name) { return std::string(var.substr(name.size())); };
      if (var.rfind("ARGO_WORKFLOW_NAME=", 0) == 0) id.workflow = value("ARGO_WORKFLOW_NAME=");
      if (var.rfind("ARGO_NODE_ID=", 0) == 0) id.node_id = value("ARGO_NODE_ID=");
      if (var.rfind("RAMPART_NAMESPACE=", 0) == 0) id.namespace_ = value("RAMPART_NAMESPACE=");
      start = end + 1;
    }
    if (!id.workflow.empty()) return id;
    auto it = parents.find(pid);
    if (it == parents.end()) break;
    pid = it->second;
  }
  return {};
}

Watcher::Watcher(const Policy& policy, int root_pid) : policy_(policy), root_pid_(root_pid) {}

const char* Watcher::action_for(const std::string& ns) const {
  return policy_.for_namespace(ns).runtime_action == Action::Deny ? "terminate" : "alert";
}

void Watcher::raise(Raise& alerts, Alert a, int64_t now_ms) {
  std::string key = a.namespace_ + "/" + a.workflow + "/" + a.node_id + "/" + a.rule;
  if (!reported_.insert(key).second) return;
  if (reported_.size() > 100000) reported_.clear();  // bounded; a repeat after that is harmless
  a.time_ms = now_ms;
  a.evidence = a.evidence.substr(0, 200);
  alerts.push_back(std::move(a));
}

std::vector<Alert> Watcher::poll(store::Store& store, int64_t now_ms) {
  std::vector<Alert> alerts;
  scanner_.set_read_budget(kReadBudgetPerPoll);
  kill_overdue_frozen(now_ms);
  scan_processes(now_ms, alerts);
  check_durations(store, now_ms, alerts);
  return alerts;
}

// What makes a process a miner, whatever it is called: its name or command line, the content
// of the file it runs, its connections. "" when nothing.
std::string Watcher::misbehaviour(int pid, const std::string& comm, const PolicyRules& rules,
                                  std::map<std::string, std::vector<TcpEntry>>& tables, std::string* rule) {
  std::string evidence;
  *rule = "runtime.miner-process";
  if (is_miner_process(comm, command_line(pid), &evidence)) return evidence;
  for (const auto& v : scanner_.scan_process(pid)) {
    if (!v.evidence.empty()) return "content of the program it runs: " + v.evidence;
    if (std::find(rules.miner_hashes.begin(), rules.miner_hashes.end(), v.sha256) != rules.miner_hashes.end()) {
      return "the program it runs has the known miner hash " + v.sha256;
    }
  }
  auto connections = pool_connections(pid, rules.pool_ports, tables);
  if (!connections.empty()) {
    *rule = "runtime.pool-connection";
    const TcpEntry& c = connections.front();
    return comm + " connects to " + c.remote + (c.state == 2 ? " (opening)" : " (established)") +
           ", a mining pool port";
  }
  return "";
}

void Watcher::scan_processes(int64_t now_ms, Raise& alerts) {
  auto parents = process_parents();
  long ticks_per_second = sysconf(_SC_CLK_TCK);
  int64_t pinned_ms = cpu_pinned_ms;
  std::map<int, ProcessSample> next_samples;
  std::map<std::string, std::vector<TcpEntry>> tables;  // per network namespace, this poll
  for (const auto& [pid, ppid] : parents) {
    if (!descends_from(pid, root_pid_, parents)) continue;
    if (command_line(pid).empty()) continue;  // kernel threads, zombies
    std::string comm = comm_of(pid);
    if (comm == "bwrap") continue;
    StepIdentity step = step_of_process(pid, parents);
    if (step.workflow.empty()) continue;  // not a step's process
    const PolicyRules& rules = policy_.for_namespace(step.namespace_);
    if (cpu_pinned_ms < 0) pinned_ms = rules.cpu_pinned_seconds * 1000;
    std::string rule;
    std::string evidence = misbehaviour(pid, comm, rules, tables, &rule);
    if (!evidence.empty()) {
      std::string action = action_for(step.namespace_);
      if (action == "terminate") freeze(step, parents, now_ms);
      raise(alerts, {0, step.namespace_, step.workflow, step.node_id, rule, "critical", evidence, action}, now_ms);
    }
    ProcessSample sample;
    sample.cpu_ticks = cpu_ticks(pid);
    sample.time_ms = now_ms;
    if (auto old = samples_.find(pid); old != samples_.end() && now_ms > old->second.time_ms) {
      double cores = static_cast<double>(sample.cpu_ticks - old->second.cpu_ticks) /
                     static_cast<double>(ticks_per_second) /
                     (static_cast<double>(now_ms - old->second.time_ms) / 1000.0);
      sample.busy_since_ms =
          cores >= 0.9 ? (old->second.busy_since_ms ? old->second.busy_since_ms : old->second.time_ms) : 0;
      if (sample.busy_since_ms && now_ms - sample.busy_since_ms >= pinned_ms) {
        raise(alerts,
              {0, step.namespace_, step.workflow, step.node_id, "runtime.cpu-pinned", "medium",
               comm + " kept a core busy for " + seconds(now_ms - sample.busy_since_ms), action_for(step.namespace_)},
              now_ms);
      }
    }
    next_samples[pid] = sample;
  }
  samples_ = std::move(next_samples);
}

// Stops every process of the step where it is, so that nothing of it runs on (a shell that
// would go on to `exit 0`, a miner's other threads) while the engine kills it with the reason.
void Watcher::freeze(const StepIdentity& step, const std::map<int, int>& parents, int64_t now_ms) {
  Frozen& frozen = frozen_[step];
  if (!frozen.since_ms) frozen.since_ms = now_ms;
  // Twice: a process forked while the first round ran is stopped by the second.
  for (int round = 0; round < 2; ++round) {
    std::map<int, int> current = round == 0 ? parents : process_parents();
    for (const auto& [pid, ppid] : current) {
      if (frozen.pids.count(pid) || !descends_from(pid, root_pid_, current) || comm_of(pid) == "bwrap") continue;
      StepIdentity other = step_of_process(pid, current);
      if (other.workflow != step.workflow || other.node_id != step.node_id || other.namespace_ != step.namespace_)
        continue;
      if (::kill(pid, SIGSTOP) == 0) frozen.pids.insert(pid);
    }
  }
}

void Watcher::kill_overdue_frozen(int64_t now_ms) {
  for (auto it = frozen_.begin(); it != frozen_.end();) {
    bool alive = false;
    for (int pid : it->second.pids) alive = alive || ::kill(pid, 0) == 0;
    if (!alive) {
      it = frozen_.erase(it);
      continue;
    }
    if (now_ms - it->second.since_ms >= frozen_grace_ms) {
      for (int pid : it->second.pids) ::kill(pid, SIGKILL);
    }
    ++it;
  }
}

// Steps past their time budget, and workflows and steps far past their usual time.
void Watcher::check_durations(store::Store& store, int64_t now_ms, Raise& alerts) {
  store::ListFilter running;
  running.phases = {"Running"};
  for (const auto& wf : store.list_workflows(running)) {
    const PolicyRules& rules = policy_.for_namespace(wf.namespace_);
    int64_t budget_ms = rules.step_budget_seconds * 1000;
    std::string group = workflow_group(wf.manifest);
    const RunDurations* past = nullptr;
    if (!group.empty() && rules.history_factor > 0) past = &history_.durations(store, wf.namespace_, group, now_ms);
    auto over_history = [&](int64_t elapsed, const std::vector<int64_t>& durations, const std::string& what,
                            const std::string& node) {
      auto limit = history_limit_passed(elapsed, durations, rules.history_factor, rules.history_min_runs);
      if (!limit) return;
      std::ostringstream factor;
      factor << rules.history_factor;
      raise(alerts,
            {0, wf.namespace_, wf.name, node, "runtime.history", "high",
             what + " has run " + seconds(elapsed) + ", beyond " + factor.str() + " x the p95 of its " +
                 std::to_string(durations.size()) + " past runs (" + seconds(*limit) + ")",
             action_for(wf.namespace_)},
            now_ms);
    };
    if (past && wf.started_at) over_history(now_ms - wf.started_at, past->workflow_ms, "workflow " + wf.name, "");
    for (const auto& node : store.get_nodes(wf.namespace_, wf.name)) {
      const auto& s = node.status;
      if (s.value("type", "") != "Pod" || s.value("phase", "") != "Running") continue;
      int64_t started = s.value("startedAtMs", int64_t{0});
      if (!started) continue;
      std::string name = "step " + s.value("displayName", node.id);
      if (now_ms - started > budget_ms) {
        raise(alerts,
              {0, wf.namespace_, wf.name, node.id, "runtime.time-budget", "high",
               name + " has run " + seconds(now_ms - started) + ", beyond its budget of " + seconds(budget_ms),
               action_for(wf.namespace_)},
              now_ms);
      }
      if (past) {
        auto it = past->template_ms.find(s.value("templateName", ""));
        if (it != past->template_ms.end()) over_history(now_ms - started, it->second, name, node.id);
      }
    }
  }
}

}  // namespace rampart::guard
