// Where steps, tasks and hooks point: local templates, templateRefs into the library, inline
// templates; plus the loop fields every step and task shares.
#include "spec/decode_node.h"
#include "spec/validate_internal.h"

namespace rampart::spec::validation {
namespace {

std::string describe_ref(const TemplateRef& ref) { return quote(ref.name + "/" + ref.template_); }

}  // namespace

Invocation invocation_of(const WorkflowStep& step, std::string path) {
  Invocation call;
  call.path = std::move(path);
  call.name = step.name;
  call.template_name = &step.template_;
  call.template_ref = &step.template_ref;
  call.inline_template = &step.inline_;
  call.arguments = &step.arguments;
  call.has_loop = step.with_items || !step.with_param.empty() || step.with_sequence;
  return call;
}

Invocation invocation_of(const DagTask& task, std::string path) {
  Invocation call;
  call.path = std::move(path);
  call.name = task.name;
  call.template_name = &task.template_;
  call.template_ref = &task.template_ref;
  call.inline_template = &task.inline_;
  call.arguments = &task.arguments;
  call.has_loop = task.with_items || !task.with_param.empty() || task.with_sequence;
  return call;
}

const Template* find_local_template(const Document& doc, std::string_view name) {
  for (const auto& tmpl : doc.spec.templates) {
    if (tmpl.name == name) return &tmpl;
  }
  return nullptr;
}

std::optional<ResolvedTemplate> resolve_template_ref(const Library& library, const TemplateRef& ref,
                                                     std::string* error) {
  const char* kind = ref.cluster_scope ? "ClusterWorkflowTemplate" : "WorkflowTemplate";
  const auto& index = ref.cluster_scope ? library.cluster_workflow_templates : library.workflow_templates;
  auto found = index.find(ref.name);
  if (found == index.end()) {
    if (error) *error = "templateRef " + describe_ref(ref) + ": " + kind + " " + quote(ref.name) + " not found";
    return std::nullopt;
  }
  const Template* tmpl = find_local_template(*found->second, ref.template_);
  if (!tmpl) {
    if (error) {
      *error = "templateRef " + describe_ref(ref) + ": " + kind + " " + quote(ref.name) + " has no template " +
               quote(ref.template_);
    }
    return std::nullopt;
  }
  return ResolvedTemplate{tmpl, found->second};
}

std::optional<ResolvedTemplate> resolve_invocation(const Checker& checker, const Invocation& call) {
  if (*call.inline_template) return ResolvedTemplate{call.inline_template->get(), &checker.doc};
  if (call.template_ref->has_value()) return resolve_template_ref(checker.library, **call.template_ref, nullptr);
  if (call.template_name->empty()) return std::nullopt;
  if (const Template* tmpl = find_local_template(checker.doc, *call.template_name)) {
    return ResolvedTemplate{tmpl, &checker.doc};
  }
  return std::nullopt;
}

namespace {

// template, templateRef or inline: exactly one, and it must resolve.
void check_target(const Checker& checker, const Invocation& call) {
  const bool by_name = !call.template_name->empty();
  const bool by_ref = call.template_ref->has_value();
  const bool by_inline = static_cast<bool>(*call.inline_template);
  const int count = int(by_name) + int(by_ref) + int(by_inline);
  if (count == 0) {
    checker.report(call.path, "set one of template, templateRef, inline");
    return;
  }
  if (count > 1) {
    checker.report(call.path, "set only one of template, templateRef, inline");
    return;
  }
  if (by_name) {
    if (!find_local_template(checker.doc, *call.template_name)) {
      checker.report(call.path + ".template", "template " + quote(*call.template_name) + " not found");
    }
  } else if (by_ref) {
    const TemplateRef& ref = **call.template_ref;
    if (ref.name.empty() || ref.template_.empty()) {
      checker.report(call.path + ".templateRef", "templateRef needs both name and template");
      return;
    }
    std::string error;
    if (!resolve_template_ref(checker.library, ref, &error)) checker.report(call.path + ".templateRef", error);
  } else {
    check_template(checker, **call.inline_template, call.path + ".inline");
  }
}

void check_argument_values(const Checker& checker, const Arguments& arguments, const std::string& path) {
  for (size_t i = 0; i < arguments.parameters.size(); ++i) {
    const Parameter& param = arguments.parameters[i];
    const std::string param_path = path + ".parameters[" + std::to_string(i) + "]";
    if (param.name.empty()) {
      checker.report(param_path + ".name", "parameter name is required");
    } else if (!param.value && !param.value_from) {
      checker.report(param_path, "argument " + quote(param.name) + " needs a value or valueFrom");
    }
  }
  for (size_t i = 0; i < arguments.artifacts.size(); ++i) {
    if (arguments.artifacts[i].name.empty()) {
      checker.report(path + ".artifacts[" + std::to_string(i) + "].name", "artifact name is required");
    }
  }
}

}  // namespace

void check_invocation(const Checker& checker, const Invocation& call) {
  check_target(checker, call);
  check_argument_values(checker, *call.arguments, call.path + ".arguments");
  check_arguments_supply(checker, call);
}

void check_loop(const Checker& checker, bool has_items, const std::string& with_param,
                const std::optional<Sequence>& with_sequence, const std::string& path) {
  const int loops = int(has_items) + int(!with_param.empty()) + int(with_sequence.has_value());
  if (loops > 1) {
    checker.report(path, "set only one of withItems, withParam, withSequence");
  }
  if (!with_sequence) return;
  const std::string seq_path = path + ".withSequence";
  if (with_sequence->count && with_sequence->end) {
    checker.report(seq_path, "withSequence takes count or end, not both");
  } else if (!with_sequence->count && !with_sequence->end) {
    checker.report(seq_path, "withSequence needs count or end");
  }
  auto check_int = [&](const std::optional<Scalar>& value, const char* field) {
    if (!value || is_templated(*value)) return;
    const std::string& text = *value;
    size_t pos = (!text.empty() && text[0] == '-') ? 1 : 0;
    bool ok = pos < text.size();
    for (; pos < text.size(); ++pos) ok = ok && text[pos] >= '0' && text[pos] <= '9';
    if (!ok) checker.report(seq_path + "." + field, std::string(field) + " " + quote(text) + " is not an integer");
  };
  check_int(with_sequence->count, "count");
  check_int(with_sequence->start, "start");
  check_int(with_sequence->end, "end");
}

void check_hooks(const Checker& checker, const std::vector<LifecycleHook>& hooks, const std::string& path) {
  for (const auto& hook : hooks) {
    const std::string hook_path = join_path(path, hook.name);
    // Only the exit hook runs unconditionally; every other hook fires when its expression holds.
    if (hook.name != "exit" && hook.expression.empty()) {
      checker.report(hook_path + ".expression", "hook " + quote(hook.name) + " needs an expression");
    }
    if (hook.template_.empty() && !hook.template_ref) {
      checker.report(hook_path, "hook " + quote(hook.name) + " needs template or templateRef");
      continue;
    }
    if (!hook.template_.empty() && hook.template_ref) {
      checker.report(hook_path, "hook " + quote(hook.name) + " sets both template and templateRef");
      continue;
    }
    if (hook.template_ref) {
      std::string error;
      if (!resolve_template_ref(checker.library, *hook.template_ref, &error)) {
        checker.report(hook_path + ".templateRef", error);
      }
    } else if (!find_local_template(checker.doc, hook.template_)) {
      bool found = false;
      // A Workflow built from a workflowTemplateRef may name templates of that WorkflowTemplate.
      if (const auto& ref = checker.doc.spec.workflow_template_ref) {
        const auto& index =
            ref->cluster_scope ? checker.library.cluster_workflow_templates : checker.library.workflow_templates;
        auto base = index.find(ref->name);
        found = base == index.end() || find_local_template(*base->second, hook.template_);
      }
      if (!found) checker.report(hook_path + ".template", "template " + quote(hook.template_) + " not found");
    }
  }
}

}  // namespace rampart::spec::validation
