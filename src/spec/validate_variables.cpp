// References that can never resolve: {{inputs.parameters.x}} without such an input,
// {{workflow.parameters.x}} without such an argument, {{steps.x...}} / {{tasks.x...}} naming a
// step that has not run yet or a task that is not a dependency, {{item}} outside a loop.
// Like Argo, only the roots it knows (inputs., outputs., workflow., steps., tasks., pod., item)
// are checked; anything else ({{retries}}, {{status}}, {{lastRetry.exitCode}}...) is left alone.
// Expression tags {{= ...}} are checked for syntax only (validate_expressions.cpp).
#include <map>
#include <set>

#include "expr/expr.h"
#include "spec/decode_node.h"
#include "spec/validate_internal.h"

namespace rampart::spec::validation {
namespace {

using NameSet = std::set<std::string, std::less<>>;

// What a string at some place in a template may refer to.
struct Scope {
  const Template* tmpl = nullptr;
  NameSet visible_steps;  // steps of earlier groups (or all, outside the step list)
  NameSet visible_tasks;  // dependencies of the current task (or all, outside the task list)
  std::string current;    // the step or task whose fields are being read, for messages
  bool in_step_or_task = false;
  bool has_loop = false;
};

bool starts_with(std::string_view text, std::string_view prefix) { return text.substr(0, prefix.size()) == prefix; }

// The dotted segment after `prefix`: "steps.a.outputs" -> "a".
std::string segment_after(std::string_view tag, std::string_view prefix) {
  std::string_view rest = tag.substr(prefix.size());
  return std::string(rest.substr(0, rest.find('.')));
}

class VariableCheck {
 public:
  explicit VariableCheck(const Checker& checker) : checker_(checker) {
    for (const auto& param : checker.doc.spec.arguments.parameters) workflow_parameters_.insert(param.name);
    // WorkflowTemplates get their arguments from the Workflow; a workflowTemplateRef adds its own.
    any_workflow_parameter_ = checker.is_library_document() || checker.uses_workflow_template_ref();
  }

  void template_at(const Template& tmpl, const Json& raw, const std::string& path) {
    Scope scope;
    scope.tmpl = &tmpl;
    if (tmpl.steps) {
      for (const auto& group : *tmpl.steps) {
        for (const auto& step : group) scope.visible_steps.insert(step.name);
      }
    }
    if (tmpl.dag) {
      for (const auto& task : tmpl.dag->tasks) scope.visible_tasks.insert(task.name);
    }
    if (!raw.is_object()) return;
    for (const auto& [key, child] : raw.items()) {
      const std::string child_path = join_path(path, key);
      if (key == "steps" && tmpl.steps && child.is_array()) {
        walk_steps(tmpl, child, child_path);
      } else if (key == "dag" && tmpl.dag && child.is_object() && child.contains("tasks")) {
        for (const auto& [dag_key, dag_child] : child.items()) {
          if (dag_key == "tasks" && dag_child.is_array()) {
            walk_tasks(tmpl, dag_child, child_path + ".tasks");
          } else {
            walk(scope, dag_child, join_path(child_path, dag_key));
          }
        }
      } else {
        walk(scope, child, child_path);
      }
    }
  }

 private:
  void walk_steps(const Template& tmpl, const Json& raw, const std::string& path) {
    const auto& groups = *tmpl.steps;
    NameSet earlier;
    for (size_t g = 0; g < groups.size() && g < raw.size(); ++g) {
      for (size_t s = 0; s < groups[g].size() && s < raw[g].size(); ++s) {
        const WorkflowStep& step = groups[g][s];
        Scope scope;
        scope.tmpl = &tmpl;
        scope.visible_steps = earlier;
        scope.current = "step " + quote(step.name);
        scope.in_step_or_task = true;
        scope.has_loop = step.with_items || !step.with_param.empty() || step.with_sequence;
        walk_invocation(scope, step.name, true, step.inline_.get(), raw[g][s],
                        path + "[" + std::to_string(g) + "][" + std::to_string(s) + "]");
      }
      for (const auto& step : groups[g]) earlier.insert(step.name);
    }
  }

  void walk_tasks(const Template& tmpl, const Json& raw, const std::string& path) {
    const auto& tasks = tmpl.dag->tasks;
    std::map<std::string, std::vector<std::string>, std::less<>> direct;
    for (const auto& task : tasks) direct[task.name] = task_dependencies(task);
    for (size_t i = 0; i < tasks.size() && i < raw.size(); ++i) {
      const DagTask& task = tasks[i];
      Scope scope;
      scope.tmpl = &tmpl;
      scope.visible_tasks = ancestors(direct, task.name);
      scope.current = "task " + quote(task.name);
      scope.in_step_or_task = true;
      scope.has_loop = task.with_items || !task.with_param.empty() || task.with_sequence;
      walk_invocation(scope, task.name, false, task.inline_.get(), raw[i], index_path(path, i));
    }
  }

  // Every task `name` transitively depends on (cycles are reported by the DAG check).
  static NameSet ancestors(const std::map<std::string, std::vector<std::string>, std::less<>>& direct,
                           const std::string& name) {
    NameSet seen;
    std::vector<std::string> pending{name};
    while (!pending.empty()) {
      const std::string current = pending.back();
      pending.pop_back();
      auto found = direct.find(current);
      if (found == direct.end()) continue;
      for (const auto& dependency : found->second) {
        if (seen.insert(dependency).second) pending.push_back(dependency);
      }
    }
    return seen;
  }

  void walk_invocation(Scope& scope, const std::string& name, bool is_step, const Template* inline_template,
                       const Json& raw, const std::string& path) {
    if (!raw.is_object()) return;
    for (const auto& [key, child] : raw.items()) {
      const std::string child_path = join_path(path, key);
      if (key == "inline" && inline_template) {
        // An inline template has its own inputs; items of the step are substituted into it.
        template_at(*inline_template, child, child_path);
      } else if (key == "hooks" || key == "onExit") {
        // Hooks run after their step or task, so they may read its outputs.
        Scope after = scope;
        (is_step ? after.visible_steps : after.visible_tasks).insert(name);
        walk(after, child, child_path);
      } else {
        walk(scope, child, child_path);
      }
    }
  }

  void walk(const Scope& scope, const Json& node, const std::string& path) {
    if (node.is_string()) {
      check_string(scope, node.get_ref<const std::string&>(), path);
    } else if (node.is_array()) {
      for (size_t i = 0; i < node.size(); ++i) walk(scope, node[i], index_path(path, i));
    } else if (node.is_object()) {
      for (const auto& [key, child] : node.items()) walk(scope, child, join_path(path, key));
    }
  }

  void check_string(const Scope& scope, const std::string& text, const std::string& path) {
    if (!is_templated(text)) return;
    std::vector<expr::Tag> tags;
    try {
      tags = expr::find_tags(text);
    } catch (const expr::ExprError&) {
      return;  // malformed tags are reported by the expression check
    }
    for (const auto& tag : tags) {
      if (tag.is_expression) continue;
      std::string problem = check_tag(scope, tag.body);
      if (!problem.empty()) {
        checker_.report_at(path, tag.begin, "unresolvable " + quote("{{" + tag.body + "}}") + ": " + problem);
      }
    }
  }

  // Empty when `tag` can resolve in `scope`, else why not.
  std::string check_tag(const Scope& scope, const std::string& tag) const {
    const Template& tmpl = *scope.tmpl;
    const std::string owner = tmpl.name.empty() ? std::string("the inline template") : "template " + quote(tmpl.name);
    if (starts_with(tag, "inputs.parameters.")) {
      const std::string name = tag.substr(std::string_view("inputs.parameters.").size());
      for (const auto& param : tmpl.inputs.parameters) {
        if (param.name == name) return {};
      }
      return owner + " has no input parameter " + quote(name);
    }
    if (starts_with(tag, "inputs.artifacts.")) {
      const std::string name = segment_after(tag, "inputs.artifacts.");
      for (const auto& art : tmpl.inputs.artifacts) {
        if (art.name == name) return {};
      }
      return owner + " has no input artifact " + quote(name);
    }
    if (starts_with(tag, "workflow.")) return check_workflow_variable(tag);
    if (starts_with(tag, "steps.") && tag != "steps.name") {
      const std::string name = segment_after(tag, "steps.");
      if (scope.visible_steps.count(name)) return {};
      if (step_exists(tmpl, name)) return "step " + quote(name) + " does not run before " + scope.current;
      return owner + " has no step " + quote(name);
    }
    if (starts_with(tag, "tasks.") && tag != "tasks.name") {
      const std::string name = segment_after(tag, "tasks.");
      if (scope.visible_tasks.count(name)) return {};
      if (task_exists(tmpl, name)) return "task " + quote(name) + " is not a dependency of " + scope.current;
      return owner + " has no task " + quote(name);
    }
    if (starts_with(tag, "pod.") && tag != "pod.name") return "unknown variable; pod.name is the only pod variable";
    if ((tag == "item" || starts_with(tag, "item.")) && scope.in_step_or_task && !scope.has_loop) {
      return scope.current + " has no withItems, withParam or withSequence";
    }
    return {};
  }

  std::string check_workflow_variable(const std::string& tag) const {
    static const NameSet kExact = {
        "workflow.name",           "workflow.namespace",       "workflow.uid",         "workflow.serviceAccountName",
        "workflow.mainEntrypoint", "workflow.priority",        "workflow.status",      "workflow.failures",
        "workflow.parameters",     "workflow.labels",          "workflow.annotations", "workflow.parameters.json",
        "workflow.labels.json",    "workflow.annotations.json"};
    static const char* const kPrefixes[] = {"workflow.creationTimestamp", "workflow.duration",
                                            "workflow.scheduledTime",     "workflow.labels.",
                                            "workflow.annotations.",      "workflow.outputs.parameters.",
                                            "workflow.outputs.artifacts."};
    if (kExact.count(tag)) return {};
    for (const char* prefix : kPrefixes) {
      if (starts_with(tag, prefix)) return {};
    }
    if (starts_with(tag, "workflow.parameters.")) {
      const std::string name = tag.substr(std::string_view("workflow.parameters.").size());
      if (any_workflow_parameter_ || workflow_parameters_.count(name)) return {};
      return "spec.arguments has no parameter " + quote(name);
    }
    return "unknown workflow variable";
  }

  static bool step_exists(const Template& tmpl, std::string_view name) {
    if (!tmpl.steps) return false;
    for (const auto& group : *tmpl.steps) {
      for (const auto& step : group) {
        if (step.name == name) return true;
      }
    }
    return false;
  }

  static bool task_exists(const Template& tmpl, std::string_view name) {
    if (!tmpl.dag) return false;
    for (const auto& task : tmpl.dag->tasks) {
      if (task.name == name) return true;
    }
    return false;
  }

  const Checker& checker_;
  NameSet workflow_parameters_;
  bool any_workflow_parameter_ = false;
};

}  // namespace

void check_variables(const Checker& checker) {
  const Json* spec = &checker.doc.raw;
  for (const char* part : {"spec", "workflowSpec"}) {
    if (part == std::string_view("workflowSpec") && checker.doc.kind != Kind::CronWorkflow) break;
    if (!spec->is_object() || !spec->contains(part)) return;
    spec = &(*spec)[part];
  }
  if (!spec->is_object() || !spec->contains("templates") || !(*spec)["templates"].is_array()) return;
  const Json& raw_templates = (*spec)["templates"];
  const auto& templates = checker.doc.spec.templates;
  VariableCheck check(checker);
  for (size_t i = 0; i < templates.size() && i < raw_templates.size(); ++i) {
    check.template_at(templates[i], raw_templates[i], checker.spec_path() + ".templates[" + std::to_string(i) + "]");
  }
}

}  // namespace rampart::spec::validation
