// Steps and DAG tasks: how templates call other templates.
#include "spec/decode.h"

namespace rampart::spec {

namespace {

Sequence decode_sequence(const YAML::Node& node) {
  const Fields fields(node);
  Sequence sequence;
  sequence.count = read::optional_text(fields, "count");
  sequence.start = read::optional_text(fields, "start");
  sequence.end = read::optional_text(fields, "end");
  sequence.format = read::text(fields, "format");
  return sequence;
}

ContinueOn decode_continue_on(const YAML::Node& node) {
  const Fields fields(node);
  return {read::flag(fields, "error"), read::flag(fields, "failed")};
}

std::optional<std::vector<Item>> decode_items(const Fields& fields) {
  const YAML::Node items = fields.get("withItems");
  if (!items.IsDefined()) return std::nullopt;
  std::vector<Item> out;
  if (items.IsSequence()) {
    for (auto it = items.begin(); it != items.end(); ++it) out.push_back(to_json(*it));
  }
  return out;
}

std::shared_ptr<Template> decode_inline(const Fields& fields) {
  const YAML::Node node = fields.get("inline");
  if (!node.IsMap()) return nullptr;
  return std::make_shared<Template>(decode_template(node));
}

// The fields WorkflowStep and DagTask share.
template <class Call>
void decode_call(const Fields& fields, Call& call) {
  call.name = read::text(fields, "name");
  call.template_ = read::text(fields, "template");
  call.template_ref = read::optional(fields, "templateRef", decode_template_ref);
  call.inline_ = decode_inline(fields);
  if (const YAML::Node arguments = fields.get("arguments"); arguments.IsMap()) {
    call.arguments = decode_arguments(arguments);
  }
  call.when = read::text(fields, "when");
  call.with_items = decode_items(fields);
  call.with_param = read::text(fields, "withParam");
  call.with_sequence = read::optional(fields, "withSequence", decode_sequence);
  call.continue_on = read::optional(fields, "continueOn", decode_continue_on);
  call.on_exit = read::text(fields, "onExit");
  call.hooks = decode_hooks(fields.get("hooks"));
}

WorkflowStep decode_step(const YAML::Node& node) {
  WorkflowStep step;
  decode_call(Fields(node), step);
  return step;
}

DagTask decode_task(const YAML::Node& node) {
  const Fields fields(node);
  DagTask task;
  decode_call(fields, task);
  task.dependencies = read::texts(fields, "dependencies");
  task.depends = read::text(fields, "depends");
  return task;
}

LifecycleHook decode_hook(const YAML::Node& node) {
  const Fields fields(node);
  LifecycleHook hook;
  hook.template_ = read::text(fields, "template");
  hook.template_ref = read::optional(fields, "templateRef", decode_template_ref);
  if (const YAML::Node arguments = fields.get("arguments"); arguments.IsMap()) {
    hook.arguments = decode_arguments(arguments);
  }
  hook.expression = read::text(fields, "expression");
  return hook;
}

}  // namespace

TemplateRef decode_template_ref(const YAML::Node& node) {
  const Fields fields(node);
  return {read::text(fields, "name"), read::text(fields, "template"), read::flag(fields, "clusterScope")};
}

std::vector<LifecycleHook> decode_hooks(const YAML::Node& node) {
  std::vector<LifecycleHook> hooks;
  for (const MapEntry& entry : map_entries(node)) {
    LifecycleHook hook = entry.value.IsMap() ? decode_hook(entry.value) : LifecycleHook{};
    hook.name = entry.key;
    hooks.push_back(std::move(hook));
  }
  return hooks;
}

std::vector<std::vector<WorkflowStep>> decode_steps(const YAML::Node& node) {
  std::vector<std::vector<WorkflowStep>> groups;
  if (!node.IsSequence()) return groups;
  for (auto group = node.begin(); group != node.end(); ++group) {
    std::vector<WorkflowStep>& steps = groups.emplace_back();
    if (!group->IsSequence()) continue;
    for (auto step = group->begin(); step != group->end(); ++step) {
      steps.push_back(step->IsMap() ? decode_step(*step) : WorkflowStep{});
    }
  }
  return groups;
}

DagTemplate decode_dag(const YAML::Node& node) {
  const Fields fields(node);
  DagTemplate dag;
  dag.tasks = read::list(fields, "tasks", decode_task);
  dag.target = read::text(fields, "target");
  dag.fail_fast = read::optional_flag(fields, "failFast");
  return dag;
}

}  // namespace rampart::spec
