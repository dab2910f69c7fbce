// The node tree of a workflow as a terminal table, like `argo get` / `argo submit --watch`.
#pragma once

#include <cstdint>
#include <string>
#include <unordered_map>
#include <vector>

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

// What the tree shows of one node: a few hundred bytes, where Argo's JSON of a node is a few KB,
// so a tree of 100,000 nodes is drawn without holding their JSON.
struct TreeNode {
  std::string id, name, display_name, type, phase, boundary, template_name, pod_name, message;
  int64_t started_ms = 0, finished_ms = 0;
  std::vector<std::string> children;
};
using TreeNodes = std::unordered_map<std::string, TreeNode>;

// From a node's Argo JSON (status.nodes[id]), and from a whole status.nodes map.
TreeNode tree_node(const std::string& id, const nlohmann::json& node);
TreeNodes tree_nodes(const nlohmann::json& nodes);

// As above, with the nodes given apart: `workflow`'s own status.nodes is not read.
std::string render_workflow(const nlohmann::json& workflow, const TreeNodes& nodes, int64_t now_ms, size_t width,
                            bool all);

// The width of the terminal `fd` is, or 0 (no limit) when it is not a terminal: a tree written
// to a file or a pipe is never cut.
size_t terminal_columns(int fd);

// "1m5s", "3s", "2h0m" — compact, as kubectl prints ages.
std::string format_duration(int64_t ms);

}  // namespace rampart::cli
