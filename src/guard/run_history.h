// How long a workflow, or one of its templates' steps, usually takes: the p95 of the durations of
// its past successful runs in the store. A run far beyond its usual time (watch.historyFactor ×
// p95) is what a hijacked template that now mines looks like. Workflows are grouped by
// metadata.generateName (the same submission made again: a WorkflowTemplate, a CronWorkflow, a
// script's repeated `rampart submit`); a workflow with a fixed name has no history.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "store/store.h"

namespace rampart::guard {

// The nearest-rank 95th percentile; nullopt for no values.
std::optional<int64_t> percentile95(std::vector<int64_t> values);

// When `elapsed_ms` is beyond factor × p95(past) and there are at least `min_runs` past runs:
// the limit that was passed, in milliseconds. nullopt otherwise (too little history, factor 0).
std::optional<int64_t> history_limit_passed(int64_t elapsed_ms, const std::vector<int64_t>& past_ms, double factor,
                                            int64_t min_runs);

// The group a workflow belongs to: its metadata.generateName, or "" (no history).
std::string workflow_group(const nlohmann::json& manifest);

struct RunDurations {
  std::vector<int64_t> workflow_ms;                         // whole runs
  std::map<std::string, std::vector<int64_t>> template_ms;  // Pod nodes by templateName
};

// Past durations per (namespace, group), read from the store at most once per `refresh_ms` and
// from at most `max_runs` finished workflows. One thread.
class RunHistory {
 public:
  explicit RunHistory(int64_t refresh_ms = 5 * 60 * 1000, size_t max_runs = 100)
      : refresh_ms_(refresh_ms), max_runs_(max_runs) {}

  const RunDurations& durations(store::Store& store, const std::string& ns, const std::string& group, int64_t now_ms);

 private:
  struct Entry {
    RunDurations durations;
    int64_t loaded_ms = 0;
  };
  int64_t refresh_ms_;
  size_t max_runs_;
  std::map<std::pair<std::string, std::string>, Entry> cache_;
};

}  // namespace rampart::guard
