// Steps templates: step names (unique across all groups, as Argo requires), where each step
// points, its loop, condition, exit handler and hooks.
#include <set>

#include "spec/validate_internal.h"

namespace rampart::spec::validation {

void check_steps(const Checker& checker, const Template& tmpl, const std::string& path) {
  const auto& groups = *tmpl.steps;
  std::set<std::string, std::less<>> names;
  for (size_t g = 0; g < groups.size(); ++g) {
    for (size_t s = 0; s < groups[g].size(); ++s) {
      const WorkflowStep& step = groups[g][s];
      const std::string step_path = path + ".steps[" + std::to_string(g) + "][" + std::to_string(s) + "]";
      if (step.name.empty()) {
        checker.report(step_path + ".name", "step name is required");
      } else if (!is_valid_field_name(step.name)) {
        checker.report(step_path + ".name", "step name " + quote(step.name) +
                                                " is invalid: use letters, digits and '-', "
                                                "starting with a letter or digit");
      } else if (!names.insert(step.name).second) {
        checker.report(step_path + ".name", "duplicate step name " + quote(step.name));
      }
      check_invocation(checker, invocation_of(step, step_path));
      check_loop(checker, step.with_items.has_value(), step.with_param, step.with_sequence, step_path);
      if (!step.on_exit.empty() && !find_local_template(checker.doc, step.on_exit)) {
        checker.report(step_path + ".onExit", "template " + quote(step.on_exit) + " not found");
      }
      check_hooks(checker, step.hooks, step_path + ".hooks");
    }
  }
}

}  // namespace rampart::spec::validation
