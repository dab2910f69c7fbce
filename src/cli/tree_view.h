// The node tree of a workflow as a terminal table, like `argo get` / `argo submit --watch`.
#pragma once

#include <cstdint>
#include <string>

#include <nlohmann/json.hpp>

namespace rampart::cli {

// `workflow` is Argo's Workflow object (metadata, spec, status.nodes). `now_ms` drives the
// durations of nodes still running. Lines are cut to `width` columns (0 = no limit).
std::string render_workflow(const nlohmann::json& workflow, int64_t now_ms, size_t width);

// "1m5s", "3s", "2h0m" — compact, as kubectl prints ages.
std::string format_duration(int64_t ms);

}  // namespace rampart::cli
