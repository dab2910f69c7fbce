// Admission: is this workflow (or template, or cron workflow), or this step about to start,
// allowed to run under the policy? Every problem is reported, each naming its rule, so that a
// denial says exactly what to change.
#pragma once

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "exec/executor.h"
#include "guard/policy.h"

namespace rampart::guard {

struct Decision {
  std::string rule;  // e.g. "image.miner", "command.stratum", "pod.privileged"
  Action action = Action::Deny;
  std::string path;     // field path, e.g. spec.templates[1].container.image
  std::string message;  // for people; names the evidence but never a secret's value
};

struct Admission {
  std::vector<Decision> decisions;
  bool denied() const;
  // "denied by policy: <rule> at <path>: <message>; ..." for the denials only.
  std::string denial_message() const;
  nlohmann::json to_json() const;
};

// A Workflow, WorkflowTemplate, ClusterWorkflowTemplate or CronWorkflow as JSON (apiVersion,
// kind, metadata, spec). Image and command checks look at every field of the spec, so that a
// miner hidden in a parameter default or an env value is found too.
Admission admit_object(const PolicyRules& rules, const nlohmann::json& object);

// A step about to start, after parameters were substituted: its image, command, args, script
// and environment. Evidence from environment values is not quoted (they may hold secrets).
Admission admit_step(const PolicyRules& rules, const exec::StepRequest& step);

// "busybox" -> "docker.io/library/busybox", "org/tool:1" -> "docker.io/org/tool:1".
std::string normalize_image(const std::string& image);

}  // namespace rampart::guard
