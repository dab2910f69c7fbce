// Per-template rules: names, exactly one template type, and what each type needs to run.
#include <set>

#include "spec/validate_internal.h"

namespace rampart::spec::validation {
namespace {

constexpr const char* kAllTypes = "container, script, resource, suspend, steps, dag, data, http, containerSet, plugin";

std::string describe(const Template& tmpl) {
  return tmpl.name.empty() ? std::string("inline template") : "template " + quote(tmpl.name);
}

// The image a template inherits from spec.templateDefaults, if any.
bool defaults_supply_image(const Checker& checker) {
  const auto& defaults = checker.doc.spec.template_defaults;
  if (!defaults) return false;
  return (defaults->container && !defaults->container->image.empty()) ||
         (defaults->script && !defaults->script->container.image.empty());
}

void check_image(const Checker& checker, const Container& container, const std::string& path) {
  if (container.image.empty() && !defaults_supply_image(checker)) {
    checker.report(path + ".image", "image is required");
  }
}

void check_resource(const Checker& checker, const ResourceTemplate& resource, const std::string& path) {
  static const std::set<std::string, std::less<>> kActions = {"get", "create", "apply", "delete", "replace", "patch"};
  if (resource.action.empty()) {
    checker.report(path + ".action", "resource action is required");
  } else if (!kActions.count(resource.action) && !is_templated(resource.action)) {
    checker.report(path + ".action", "resource action " + quote(resource.action) +
                                         " must be one of get, create, apply, delete, replace, patch");
  }
  const bool has_manifest = !resource.manifest.empty();
  const bool has_manifest_from = !resource.manifest_from.is_null();
  // get and delete may name their object through flags instead of a manifest.
  if (resource.action != "get" && resource.action != "delete" && !has_manifest && !has_manifest_from) {
    checker.report(path, "resource template needs manifest or manifestFrom");
  }
  if (has_manifest && has_manifest_from) {
    checker.report(path + ".manifestFrom", "set either manifest or manifestFrom, not both");
  }
  static const std::set<std::string, std::less<>> kMergeStrategies = {"", "strategic", "merge", "json"};
  if (!kMergeStrategies.count(resource.merge_strategy)) {
    checker.report(path + ".mergeStrategy",
                   "mergeStrategy " + quote(resource.merge_strategy) + " must be one of strategic, merge, json");
  }
}

void check_container_set(const Checker& checker, const ContainerSetTemplate& set, const std::string& path) {
  if (set.containers.empty()) {
    checker.report(path + ".containers", "containerSet needs at least one container");
    return;
  }
  std::set<std::string, std::less<>> names;
  for (size_t i = 0; i < set.containers.size(); ++i) {
    const auto& node = set.containers[i];
    const std::string node_path = path + ".containers[" + std::to_string(i) + "]";
    if (node.container.name.empty()) {
      checker.report(node_path + ".name", "container name is required");
    } else if (!names.insert(node.container.name).second) {
      checker.report(node_path + ".name", "duplicate container name " + quote(node.container.name));
    }
    check_image(checker, node.container, node_path);
  }
  for (size_t i = 0; i < set.containers.size(); ++i) {
    const auto& dependencies = set.containers[i].dependencies;
    for (size_t d = 0; d < dependencies.size(); ++d) {
      if (!names.count(dependencies[d])) {
        checker.report(path + ".containers[" + std::to_string(i) + "].dependencies[" + std::to_string(d) + "]",
                       "unknown container " + quote(dependencies[d]));
      }
    }
  }
}

void check_memoize(const Checker& checker, const Memoize& memoize, const std::string& path) {
  if (memoize.key.empty()) checker.report(path + ".key", "memoize key is required");
  if (memoize.config_map_name.empty()) {
    checker.report(path + ".cache", "memoize needs cache.configMap.name");
  }
}

bool is_leaf(const Template& tmpl) {
  return tmpl.container || tmpl.script || tmpl.resource || tmpl.data || tmpl.http || tmpl.container_set ||
         !tmpl.plugin.is_null();
}

}  // namespace

// Argo's workflow field names: a letter or digit, then letters, digits and dashes; 128 at most.
bool is_valid_field_name(std::string_view name) {
  if (name.empty() || name.size() > 128) return false;
  auto alnum = [](char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9'); };
  if (!alnum(name[0])) return false;
  for (char c : name) {
    if (!alnum(c) && c != '-') return false;
  }
  return true;
}

std::vector<std::string> template_types(const Template& tmpl) {
  std::vector<std::string> types;
  if (tmpl.container) types.push_back("container");
  if (tmpl.script) types.push_back("script");
  if (tmpl.resource) types.push_back("resource");
  if (tmpl.suspend) types.push_back("suspend");
  if (tmpl.steps) types.push_back("steps");
  if (tmpl.dag) types.push_back("dag");
  if (tmpl.data) types.push_back("data");
  if (tmpl.http) types.push_back("http");
  if (tmpl.container_set) types.push_back("containerSet");
  if (!tmpl.plugin.is_null()) types.push_back("plugin");
  return types;
}

void check_template(const Checker& checker, const Template& tmpl, const std::string& path) {
  const auto types = template_types(tmpl);
  if (types.empty()) {
    checker.report(path, describe(tmpl) + " must specify one of " + kAllTypes);
  } else if (types.size() > 1) {
    std::string list;
    for (const auto& type : types) list += (list.empty() ? "" : ", ") + type;
    checker.report(path + "." + types[1], describe(tmpl) + " has more than one template type: " + list);
  }

  if (tmpl.container) check_image(checker, *tmpl.container, path + ".container");
  if (tmpl.script) {
    check_image(checker, tmpl.script->container, path + ".script");
    if (tmpl.script->source.empty()) checker.report(path + ".script.source", "script source is required");
  }
  if (tmpl.resource) check_resource(checker, *tmpl.resource, path + ".resource");
  if (tmpl.http && tmpl.http->url.empty()) checker.report(path + ".http.url", "http url is required");
  if (tmpl.data && tmpl.data->source.is_null()) {
    checker.report(path + ".data.source", "data source is required");
  }
  if (tmpl.container_set) check_container_set(checker, *tmpl.container_set, path + ".containerSet");
  if (tmpl.steps) check_steps(checker, tmpl, path);
  if (tmpl.dag) check_dag(checker, tmpl, path);

  if (!tmpl.timeout.empty() && !is_leaf(tmpl) && !types.empty()) {
    checker.report(path + ".timeout", types.front() + " templates do not support timeout (use activeDeadlineSeconds)");
  }
  if (tmpl.parallelism && *tmpl.parallelism < 0) {
    checker.report(path + ".parallelism", "parallelism must not be negative");
  }
  if (tmpl.memoize) check_memoize(checker, *tmpl.memoize, path + ".memoize");
  if (tmpl.synchronization) check_synchronization(checker, *tmpl.synchronization, path + ".synchronization");
  if (tmpl.retry_strategy) check_retry_strategy(checker, *tmpl.retry_strategy, path + ".retryStrategy");
  check_parameters(checker, tmpl, path);
  check_template_units(checker, tmpl, path);
}

void check_templates(const Checker& checker) {
  const auto& templates = checker.doc.spec.templates;
  std::set<std::string, std::less<>> seen;
  for (size_t i = 0; i < templates.size(); ++i) {
    const Template& tmpl = templates[i];
    const std::string path = checker.spec_path() + ".templates[" + std::to_string(i) + "]";
    if (tmpl.name.empty()) {
      checker.report(path + ".name", "template name is required");
    } else if (!is_valid_field_name(tmpl.name)) {
      checker.report(path + ".name", "template name " + quote(tmpl.name) +
                                         " is invalid: use at most 128 letters, digits and '-', "
                                         "starting with a letter or digit");
    } else if (!seen.insert(tmpl.name).second) {
      checker.report(path + ".name", "duplicate template name " + quote(tmpl.name));
    }
    check_template(checker, tmpl, path);
  }
}

}  // namespace rampart::spec::validation
