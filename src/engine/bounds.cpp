// The engine's bounds on one workflow (EngineOptions::bounds): how many nodes it may create and
// how deep its templates may nest. Checked where nodes are made and before loops expand.
#include <algorithm>

#include "engine/workflow_run.h"

namespace rampart::engine {

std::string WorkflowRun::exceeded_bound(const Invocation& inv) const {
  if (inv.depth > options_.bounds.max_template_depth) {
    return "templates are nested more than " + std::to_string(options_.bounds.max_template_depth) +
           " deep (recursion without end?); raise the limit with --max-template-depth";
  }
  if (static_cast<int64_t>(nodes_.size()) >= options_.bounds.max_nodes) {
    return "the workflow reached its budget of " + std::to_string(options_.bounds.max_nodes) +
           " nodes; raise it with --max-nodes";
  }
  return "";
}

std::string WorkflowRun::loop_budget_error(const char* kind, uint64_t count) const {
  uint64_t used = nodes_.size();
  uint64_t budget = static_cast<uint64_t>(std::max<int64_t>(options_.bounds.max_nodes, 0));
  if (count <= budget && used + count <= budget) return "";
  return std::string(kind) + " has " + std::to_string(count) + " items, more than the " +
         std::to_string(budget > used ? budget - used : 0) + " nodes left of the workflow's budget of " +
         std::to_string(budget) + "; raise it with --max-nodes";
}

}  // namespace rampart::engine
