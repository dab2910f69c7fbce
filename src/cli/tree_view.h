// The node tree of a workflow as a terminal table, like `argo get` / `argo submit --watch`.
#pragma once

#include <cstdint>
#include <string>

#include <nlohmann/json.hpp>

namespace rampart::cli {

// `workflow` is Argo's Workflow object (metadata, spec, status.nodes). `now_ms` drives the
// durations of nodes still running. Lines are cut to `width` columns (0 = no limit).
//
// Every node is shown once: a DAG's tasks under the DAG in the order they started (as Argo's
// CLI shows them), never again under the tasks they depend on. Unless `all`, a node with more
// than kCollapseAbove children (a loop, a wide DAG) shows the first few of them and every one
// that did not succeed (up to a bound), then one row counting the rest by phase:
// "… 9,990 more: 9,990 Succeeded".
constexpr size_t kCollapseAbove = 12;
std::string render_workflow(const nlohmann::json& workflow, int64_t now_ms, size_t width, bool all = false);

// The width of the terminal `fd` is, or 0 (no limit) when it is not a terminal: a tree written
// to a file or a pipe is never cut.
size_t terminal_columns(int fd);

// "1m5s", "3s", "2h0m" — compact, as kubectl prints ages.
std::string format_duration(int64_t ms);

}  // namespace rampart::cli
