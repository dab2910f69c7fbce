// A step's or a DAG task's `continueOn`: which failures of it let its parent go on as if it had
// succeeded. Shared by steps and DAG runs, which read the field the same way.
#pragma once

#include <nlohmann/json.hpp>

#include "engine/phase.h"

namespace rampart::engine {

// True when `step_or_task` (a step of a steps template or a task of a DAG) sets
// continueOn.failed and `phase` is Failed, or continueOn.error and `phase` is Error.
inline bool continues_on(const nlohmann::json& step_or_task, NodePhase phase) {
  const auto found = step_or_task.find("continueOn");
  if (found == step_or_task.end() || !found->is_object()) return false;
  return (phase == NodePhase::Failed && found->value("failed", false)) ||
         (phase == NodePhase::Error && found->value("error", false));
}

}  // namespace rampart::engine
