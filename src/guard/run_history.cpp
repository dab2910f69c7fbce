#include "guard/run_history.h"

#include <algorithm>
#include <cmath>

namespace rampart::guard {

namespace {
constexpr size_t kMaxCachedGroups = 1024;
}  // namespace

std::optional<int64_t> percentile95(std::vector<int64_t> values) {
  if (values.empty()) return std::nullopt;
  std::sort(values.begin(), values.end());
  size_t rank = static_cast<size_t>(std::ceil(0.95 * static_cast<double>(values.size())));
  return values[std::max<size_t>(rank, 1) - 1];
}

std::optional<int64_t> history_limit_passed(int64_t elapsed_ms, const std::vector<int64_t>& past_ms, double factor,
                                            int64_t min_runs) {
  if (factor <= 0 || static_cast<int64_t>(past_ms.size()) < std::max<int64_t>(min_runs, 1)) return std::nullopt;
  auto p95 = percentile95(past_ms);
  if (!p95 || *p95 <= 0) return std::nullopt;
  auto limit = static_cast<int64_t>(factor * static_cast<double>(*p95));
  if (elapsed_ms <= limit) return std::nullopt;
  return limit;
}

std::string workflow_group(const nlohmann::json& manifest) {
  if (!manifest.is_object()) return "";
  const auto& meta = manifest.value("metadata", nlohmann::json::object());
  return meta.is_object() ? meta.value("generateName", "") : "";
}

const RunDurations& RunHistory::durations(store::Store& store, const std::string& ns, const std::string& group,
                                          int64_t now_ms) {
  auto key = std::make_pair(ns, group);
  auto it = cache_.find(key);
  if (it != cache_.end() && now_ms - it->second.loaded_ms < refresh_ms_) return it->second.durations;
  if (cache_.size() >= kMaxCachedGroups) cache_.clear();
  Entry& entry = cache_[key];
  entry = Entry{};
  entry.loaded_ms = now_ms;
  store::ListFilter filter;
  filter.namespace_ = ns;
  filter.phases = {"Succeeded"};
  filter.name_prefix = group;
  // Names with this prefix may belong to a longer generateName ("job-" and "job-big-"): read a
  // few more than needed and keep this group's.
  filter.limit = static_cast<int64_t>(max_runs_ * 4);
  size_t used = 0;
  for (const auto& wf : store.list_workflows(filter)) {
    if (used >= max_runs_) break;
    if (workflow_group(wf.manifest) != group || !wf.started_at || wf.finished_at <= wf.started_at) continue;
    ++used;
    entry.durations.workflow_ms.push_back(wf.finished_at - wf.started_at);
    for (const auto& node : store.get_nodes(ns, wf.name)) {
      const auto& s = node.status;
      if (s.value("type", "") != "Pod" || s.value("phase", "") != "Succeeded") continue;
      int64_t started = s.value("startedAtMs", int64_t{0});
      int64_t finished = s.value("finishedAtMs", int64_t{0});
      if (started && finished > started)
        entry.durations.template_ms[s.value("templateName", "")].push_back(finished - started);
    }
  }
  return entry.durations;
}

}  // namespace rampart::guard
