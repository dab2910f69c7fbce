#include "guard/watch.h"

#include <dirent.h>
#include <signal.h>
#include <unistd.h>

#include <fstream>
#include <sstream>

#include "guard/signatures.h"

namespace rampart::guard {

namespace {

std::string read_file(const std::string& path, size_t limit = 1 << 16) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return {};
  std::string out(limit, '\0');
  in.read(out.data(), static_cast<std::streamsize>(limit));
  out.resize(static_cast<size_t>(in.gcount()));
  return out;
}

// pid -> parent pid for every process, from /proc/<pid>/stat.
std::map<int, int> process_parents() {
  std::map<int, int> parents;
  DIR* dir = opendir("/proc");
  if (!dir) return parents;
  while (dirent* e = readdir(dir)) {
    char* end = nullptr;
    long pid = strtol(e->d_name, &end, 10);
    if (*end != '\0' || pid <= 0) continue;
    std::string stat = read_file("/proc/" + std::string(e->d_name) + "/stat", 1024);
    size_t close = stat.rfind(')');
    if (close == std::string::npos || close + 4 >= stat.size()) continue;
    std::istringstream rest(stat.substr(close + 2));
    char state = 0;
    int ppid = 0;
    rest >> state >> ppid;
    parents[static_cast<int>(pid)] = ppid;
  }
  closedir(dir);
  return parents;
}

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
  std::string stat = read_file("/proc/" + std::to_string(pid) + "/stat", 1024);
  size_t close = stat.rfind(')');
  if (close == std::string::npos) return 0;
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
  std::string raw = read_file("/proc/" + std::to_string(pid) + "/cmdline");
  for (auto& c : raw) {
    if (c == '\0') c = ' ';
  }
  return raw;
}

}  // namespace

nlohmann::json Alert::to_json() const {
  return {{"time_ms", time_ms}, {"namespace", namespace_}, {"workflow", workflow}, {"node", node_id},
          {"rule", rule},       {"severity", severity},     {"evidence", evidence}, {"action", action}};
}

StepIdentity step_of_process(int pid, const std::map<int, int>& parents) {
  for (int depth = 0; depth < 64 && pid > 1; ++depth) {
    std::string env = read_file("/proc/" + std::to_string(pid) + "/environ");
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

std::vector<Alert> Watcher::poll(store::Store& store, int64_t now_ms) {
  std::vector<Alert> alerts;
  auto raise = [&](Alert a) {
    std::string key = a.namespace_ + "/" + a.workflow + "/" + a.node_id + "/" + a.rule;
    if (!reported_.insert(key).second) return;
    a.time_ms = now_ms;
    alerts.push_back(std::move(a));
  };
  auto action_for = [&](const std::string& ns) {
    return policy_.for_namespace(ns).runtime_action == Action::Deny ? "terminate" : "alert";
  };

  // Processes: miners by name or command line, and cores pinned for long periods.
  auto parents = process_parents();
  long ticks_per_second = sysconf(_SC_CLK_TCK);
  std::map<int, ProcessSample> next_samples;
  for (const auto& [pid, ppid] : parents) {
    if (!descends_from(pid, root_pid_, parents)) continue;
    std::string cmd = command_line(pid);
    if (cmd.empty()) continue;  // kernel threads, zombies
    std::string comm = read_file("/proc/" + std::to_string(pid) + "/comm", 64);
    if (!comm.empty() && comm.back() == '\n') comm.pop_back();
    if (comm == "bwrap") continue;
    std::string evidence;
    StepIdentity step;
    bool looked_up = false;
    if (is_miner_process(comm, cmd, &evidence)) {
      step = step_of_process(pid, parents);
      looked_up = true;
      if (!step.workflow.empty()) {
        std::string action = action_for(step.namespace_);
        // Stop the miner at once; the workflow's termination follows through the engine.
        if (action == "terminate") ::kill(pid, SIGKILL);
        raise({0, step.namespace_, step.workflow, step.node_id, "runtime.miner-process", "critical",
               evidence.substr(0, 200), action});
      }
    }
    ProcessSample sample;
    sample.cpu_ticks = cpu_ticks(pid);
    sample.time_ms = now_ms;
    if (auto old = samples_.find(pid); old != samples_.end() && now_ms > old->second.time_ms) {
      double cores = static_cast<double>(sample.cpu_ticks - old->second.cpu_ticks) / static_cast<double>(ticks_per_second) /
                     (static_cast<double>(now_ms - old->second.time_ms) / 1000.0);
      sample.busy_since_ms = cores >= 0.9 ? (old->second.busy_since_ms ? old->second.busy_since_ms : old->second.time_ms) : 0;
      if (sample.busy_since_ms && now_ms - sample.busy_since_ms >= cpu_pinned_ms) {
        if (!looked_up) step = step_of_process(pid, parents);
        if (!step.workflow.empty()) {
          raise({0, step.namespace_, step.workflow, step.node_id, "runtime.cpu-pinned", "medium",
                 comm + " kept a core busy for " + std::to_string((now_ms - sample.busy_since_ms) / 1000) + " s", "alert"});
        }
      }
    }
    next_samples[pid] = sample;
  }
  samples_ = std::move(next_samples);

  // Steps past their time budget.
  store::ListFilter running;
  running.phases = {"Running"};
  for (const auto& wf : store.list_workflows(running)) {
    int64_t budget_ms = policy_.for_namespace(wf.namespace_).step_budget_seconds * 1000;
    for (const auto& node : store.get_nodes(wf.namespace_, wf.name)) {
      const auto& s = node.status;
      if (s.value("type", "") != "Pod" || s.value("phase", "") != "Running") continue;
      int64_t started = s.value("startedAtMs", int64_t{0});
      if (!started) continue;
      if (now_ms - started > budget_ms) {
        raise({0, wf.namespace_, wf.name, node.id, "runtime.time-budget", "high",
               "step " + s.value("displayName", node.id) + " has run " + std::to_string((now_ms - started) / 1000) +
                   " s, beyond its budget of " + std::to_string(budget_ms / 1000) + " s",
               action_for(wf.namespace_)});
      }
    }
  }
  return alerts;
}

}  // namespace rampart::guard
