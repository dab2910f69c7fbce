// Parameters and artifacts: names, enums, where output values come from, and that every input
// a template needs is supplied by its caller (or, for the entrypoint, by spec.arguments).
#include <algorithm>
#include <set>

#include "spec/validate_internal.h"

namespace rampart::spec::validation {
namespace {

// Argo's parameter and artifact names: letters, digits, '-' and '_'.
bool is_valid_param_name(std::string_view name) {
  if (name.empty()) return false;
  for (char c : name) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '_';
    if (!ok) return false;
  }
  return true;
}

void check_names(const Checker& checker, const std::vector<std::string>& names, const std::string& path,
                 const char* field, const char* what) {
  std::set<std::string, std::less<>> seen;
  for (size_t i = 0; i < names.size(); ++i) {
    const std::string item_path = path + "." + field + "[" + std::to_string(i) + "].name";
    if (names[i].empty()) {
      checker.report(item_path, std::string(what) + " name is required");
    } else if (!is_valid_param_name(names[i])) {
      checker.report(item_path,
                     std::string(what) + " name " + quote(names[i]) + " is invalid: use letters, digits, '-' and '_'");
    } else if (!seen.insert(names[i]).second) {
      checker.report(item_path, std::string("duplicate ") + what + " name " + quote(names[i]));
    }
  }
}

template <typename T>
std::vector<std::string> names_of(const std::vector<T>& items) {
  std::vector<std::string> names;
  for (const auto& item : items) names.push_back(item.name);
  return names;
}

void check_enum(const Checker& checker, const Parameter& param, const std::string& path) {
  if (param.enum_.empty()) return;
  for (const auto* candidate : {&param.value, &param.default_}) {
    if (!*candidate || is_templated(**candidate)) continue;
    if (std::find(param.enum_.begin(), param.enum_.end(), **candidate) == param.enum_.end()) {
      std::string allowed;
      for (const auto& option : param.enum_) allowed += (allowed.empty() ? "" : ", ") + quote(option);
      checker.report(
          path + (candidate == &param.value ? ".value" : ".default"),
          "value " + quote(**candidate) + " of parameter " + quote(param.name) + " is not in its enum: " + allowed);
    }
  }
}

bool is_pod_template(const Template& tmpl) { return tmpl.container || tmpl.script || tmpl.container_set; }

void check_inputs(const Checker& checker, const Template& tmpl, const std::string& path) {
  const std::string inputs = path + ".inputs";
  check_names(checker, names_of(tmpl.inputs.parameters), inputs, "parameters", "parameter");
  check_names(checker, names_of(tmpl.inputs.artifacts), inputs, "artifacts", "artifact");
  for (size_t i = 0; i < tmpl.inputs.parameters.size(); ++i) {
    check_enum(checker, tmpl.inputs.parameters[i], inputs + ".parameters[" + std::to_string(i) + "]");
  }
  for (size_t i = 0; i < tmpl.inputs.artifacts.size(); ++i) {
    const Artifact& art = tmpl.inputs.artifacts[i];
    const std::string art_path = inputs + ".artifacts[" + std::to_string(i) + "]";
    // A pod sees its input artifacts as files, so it must say where they go.
    if (is_pod_template(tmpl) && art.path.empty()) {
      checker.report(art_path + ".path", "input artifact " + quote(art.name) + " needs a path");
    }
    if (!art.from.empty()) {
      checker.report(art_path + ".from", "from is only valid in arguments, not in inputs");
    }
  }
}

void check_output_parameter(const Checker& checker, const Template& tmpl, const Parameter& param,
                            const std::string& path) {
  if (param.value && param.value_from) {
    checker.report(path, "output parameter " + quote(param.name) + " sets both value and valueFrom");
    return;
  }
  if (param.value) return;
  if (!param.value_from) {
    checker.report(path, "output parameter " + quote(param.name) + " needs value or valueFrom");
    return;
  }
  const ValueFrom& from = *param.value_from;
  const int sources = int(!from.path.empty()) + int(!from.jq_filter.empty()) + int(!from.json_path.empty()) +
                      int(!from.parameter.empty()) + int(!from.expression.empty()) + int(from.supplied) +
                      int(from.config_map_key_ref.has_value()) + int(!from.event.empty());
  const std::string from_path = path + ".valueFrom";
  if (sources == 0) {
    checker.report(from_path, "valueFrom of " + quote(param.name) +
                                  " needs one of path, jqFilter, jsonPath, parameter, expression, supplied");
    return;
  }
  if (sources > 1) {
    checker.report(from_path, "valueFrom of " + quote(param.name) + " sets more than one source");
    return;
  }
  if (is_pod_template(tmpl) && from.path.empty() && !from.supplied && !from.config_map_key_ref) {
    checker.report(from_path, "output parameter " + quote(param.name) + " of a " + template_types(tmpl).front() +
                                  " template needs valueFrom.path");
  } else if (tmpl.resource && from.jq_filter.empty() && from.json_path.empty()) {
    checker.report(from_path, "output parameter " + quote(param.name) +
                                  " of a resource template needs valueFrom.jqFilter or jsonPath");
  } else if ((tmpl.steps || tmpl.dag) && from.parameter.empty() && from.expression.empty() && !from.supplied) {
    checker.report(from_path, "output parameter " + quote(param.name) + " of a " + template_types(tmpl).front() +
                                  " template needs valueFrom.parameter or expression");
  }
}

void check_outputs(const Checker& checker, const Template& tmpl, const std::string& path) {
  const std::string outputs = path + ".outputs";
  check_names(checker, names_of(tmpl.outputs.parameters), outputs, "parameters", "parameter");
  check_names(checker, names_of(tmpl.outputs.artifacts), outputs, "artifacts", "artifact");
  for (size_t i = 0; i < tmpl.outputs.parameters.size(); ++i) {
    check_output_parameter(checker, tmpl, tmpl.outputs.parameters[i],
                           outputs + ".parameters[" + std::to_string(i) + "]");
  }
  for (size_t i = 0; i < tmpl.outputs.artifacts.size(); ++i) {
    const Artifact& art = tmpl.outputs.artifacts[i];
    const std::string art_path = outputs + ".artifacts[" + std::to_string(i) + "]";
    if ((tmpl.container || tmpl.script) && art.path.empty()) {
      checker.report(art_path + ".path", "output artifact " + quote(art.name) + " needs a path");
    } else if ((tmpl.steps || tmpl.dag) && art.from.empty() && art.from_expression.empty()) {
      checker.report(art_path, "output artifact " + quote(art.name) + " of a " + template_types(tmpl).front() +
                                   " template needs from or fromExpression");
    }
  }
}

// An input the caller must pass: no value, default or valueFrom of its own.
bool needs_argument(const Parameter& input) { return !input.value && !input.default_ && !input.value_from; }

bool needs_argument(const Artifact& input) {
  return !input.optional && input.from.empty() && input.from_expression.empty() && !input.raw_data &&
         (input.location.is_null() || input.location.empty());
}

template <typename T>
bool supplies(const std::vector<T>& arguments, const std::string& name) {
  return std::any_of(arguments.begin(), arguments.end(), [&](const T& arg) { return arg.name == name; });
}

void check_supply(const Checker& checker, const Template& callee, const Arguments& arguments, const std::string& path) {
  for (const auto& input : callee.inputs.parameters) {
    if (needs_argument(input) && !supplies(arguments.parameters, input.name)) {
      checker.report(path, "missing parameter " + quote(input.name) + " for template " + quote(callee.name));
    }
  }
  for (const auto& input : callee.inputs.artifacts) {
    if (needs_argument(input) && !supplies(arguments.artifacts, input.name)) {
      checker.report(path, "missing artifact " + quote(input.name) + " for template " + quote(callee.name));
    }
  }
}

}  // namespace

void check_parameters(const Checker& checker, const Template& tmpl, const std::string& path) {
  check_inputs(checker, tmpl, path);
  check_outputs(checker, tmpl, path);
}

void check_arguments_supply(const Checker& checker, const Invocation& call) {
  if (*call.inline_template) return;  // an inline template's inputs come from its own arguments only
  const auto callee = resolve_invocation(checker, call);
  if (!callee) return;
  check_supply(checker, *callee->tmpl, *call.arguments, call.path + ".arguments");
}

void check_workflow_arguments(const Checker& checker) {
  const WorkflowSpec& spec = checker.doc.spec;
  const std::string path = checker.spec_path() + ".arguments";
  check_names(checker, names_of(spec.arguments.parameters), path, "parameters", "parameter");
  check_names(checker, names_of(spec.arguments.artifacts), path, "artifacts", "artifact");
  for (size_t i = 0; i < spec.arguments.parameters.size(); ++i) {
    const Parameter& param = spec.arguments.parameters[i];
    const std::string param_path = path + ".parameters[" + std::to_string(i) + "]";
    // A WorkflowTemplate may leave values to the Workflow that submits it.
    if (!checker.is_library_document() && !param.value && !param.value_from && !param.name.empty()) {
      checker.report(param_path, "workflow parameter " + quote(param.name) + " needs a value or valueFrom");
    }
    check_enum(checker, param, param_path);
  }

  // The entrypoint is called with spec.arguments (merged with those of a workflowTemplateRef).
  if (checker.is_library_document() || spec.entrypoint.empty() || checker.uses_workflow_template_ref()) return;
  const Template* entry = find_local_template(checker.doc, spec.entrypoint);
  if (entry) check_supply(checker, *entry, spec.arguments, path);
}

}  // namespace rampart::spec::validation
