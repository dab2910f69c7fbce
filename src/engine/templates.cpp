// Finding templates: the workflow's own, those of (Cluster)WorkflowTemplates named by
// templateRef, inline ones, and templateDefaults applied under each.
#include "engine/workflow_run.h"

namespace rampart::engine {
namespace {

std::optional<Json> find_in(const Json& spec, const std::string& name) {
  // By reference: a copy of the list would cost O(size of the workflow) per step.
  auto templates = spec.find("templates");
  if (templates == spec.end() || !templates->is_array()) return std::nullopt;
  for (const auto& t : *templates) {
    auto t_name = t.find("name");
    if (t_name != t.end() && t_name->is_string() && t_name->get_ref<const std::string&>() == name) return t;
  }
  return std::nullopt;
}

// templateDefaults sit under the template: the template's own fields win, maps merge.
void merge_under(Json& target, const Json& defaults) {
  for (auto it = defaults.begin(); it != defaults.end(); ++it) {
    if (!target.contains(it.key())) {
      target[it.key()] = it.value();
    } else if (target[it.key()].is_object() && it.value().is_object()) {
      merge_under(target[it.key()], it.value());
    }
  }
}

}  // namespace

std::optional<TemplateRef> WorkflowRun::find_template(const TemplateSource& source, const std::string& name) const {
  auto key = std::make_tuple(source.cluster, source.ref_name, name);
  if (auto cached = resolved_templates_.find(key); cached != resolved_templates_.end()) return cached->second;
  std::optional<Json> found;
  if (source.ref_name.empty()) {
    found = find_in(spec_, name);
  } else {
    const auto& table = source.cluster ? cluster_templates_ : workflow_templates_;
    auto it = table.find(source.ref_name);
    if (it != table.end()) found = find_in(it->second, name);
  }
  if (!found) return std::nullopt;
  TemplateRef resolved(apply_defaults(std::move(*found)));
  resolved_templates_.emplace(std::move(key), resolved);
  return resolved;
}

Json WorkflowRun::apply_defaults(Json tmpl) const {
  if (spec_.contains("templateDefaults") && spec_["templateDefaults"].is_object()) {
    merge_under(tmpl, spec_["templateDefaults"]);
  }
  return tmpl;
}

std::optional<std::pair<TemplateRef, TemplateSource>> WorkflowRun::resolve_reference(const Json& step,
                                                                                     const TemplateSource& from,
                                                                                     std::string* error) const {
  if (step.contains("inline")) {
    Json t = step["inline"];
    if (!t.contains("name")) t["name"] = "";
    return std::make_pair(TemplateRef(apply_defaults(std::move(t))), from);
  }
  if (step.contains("templateRef")) {
    const Json& ref = step["templateRef"];
    TemplateSource source{ref.value("name", ""), ref.value("clusterScope", false)};
    std::string name = ref.value("template", "");
    auto t = find_template(source, name);
    if (!t) {
      *error = std::string("templateRef: ") + (source.cluster ? "ClusterWorkflowTemplate" : "WorkflowTemplate") +
               " \"" + source.ref_name + "\" has no template \"" + name + "\" (or was not loaded)";
      return std::nullopt;
    }
    return std::make_pair(std::move(*t), source);
  }
  std::string name = step.value("template", "");
  auto t = find_template(from, name);
  if (!t) {
    *error = "template \"" + name + "\" not found";
    return std::nullopt;
  }
  return std::make_pair(std::move(*t), from);
}

}  // namespace rampart::engine
