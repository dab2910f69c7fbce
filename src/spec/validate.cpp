// Entry points of validation, the library of referenceable documents, and the document-level
// rules (names, entrypoint, exit handler, workflowTemplateRef, duplicates across files).
#include "spec/validate.h"

#include <algorithm>

#include "spec/validate_internal.h"

namespace rampart::spec {

void Library::add(const std::vector<Document>& documents) {
  for (const auto& document : documents) {
    const std::string& name = document.metadata.name;
    if (name.empty()) continue;
    switch (document.kind) {
      case Kind::WorkflowTemplate: workflow_templates[name] = &document; break;
      case Kind::ClusterWorkflowTemplate: cluster_workflow_templates[name] = &document; break;
      case Kind::ConfigMap: config_maps[name] = &document; break;
      default: break;
    }
  }
}

namespace validation {

void Checker::report(std::string path, std::string message) const {
  out.push_back(doc.source.diagnose(std::move(path), std::move(message)));
}

bool Checker::is_library_document() const {
  return doc.kind == Kind::WorkflowTemplate || doc.kind == Kind::ClusterWorkflowTemplate;
}

std::string quote(std::string_view text) { return "\"" + std::string(text) + "\""; }

namespace {

// A WorkflowTemplate a Workflow is based on, when it resolves.
const Document* referenced_workflow_template(const Checker& checker) {
  const auto& ref = checker.doc.spec.workflow_template_ref;
  if (!ref) return nullptr;
  const auto& index =
      ref->cluster_scope ? checker.library.cluster_workflow_templates : checker.library.workflow_templates;
  auto found = index.find(ref->name);
  return found == index.end() ? nullptr : found->second;
}

// Whether `name` is a template of this document or of the WorkflowTemplate it references.
bool template_exists(const Checker& checker, std::string_view name) {
  if (find_local_template(checker.doc, name)) return true;
  const Document* base = referenced_workflow_template(checker);
  return base && find_local_template(*base, name);
}

void check_metadata(const Checker& checker) {
  const auto& meta = checker.doc.metadata;
  if (meta.name.empty() && meta.generate_name.empty()) {
    checker.report("metadata", "metadata.name or metadata.generateName is required");
  }
}

void check_workflow_template_ref(const Checker& checker) {
  const auto& ref = checker.doc.spec.workflow_template_ref;
  if (!ref) return;
  const std::string path = checker.spec_path() + ".workflowTemplateRef";
  if (ref->name.empty()) {
    checker.report(path + ".name", "workflowTemplateRef.name is required");
    return;
  }
  if (!referenced_workflow_template(checker)) {
    checker.report(path + ".name", std::string(ref->cluster_scope ? "ClusterWorkflowTemplate " : "WorkflowTemplate ") +
                                       quote(ref->name) + " not found");
  }
}

void check_entrypoint(const Checker& checker) {
  const auto& spec = checker.doc.spec;
  const std::string path = checker.spec_path() + ".entrypoint";
  if (spec.entrypoint.empty()) {
    // WorkflowTemplates may leave it to the Workflow; workflowTemplateRef brings its own.
    if (!checker.is_library_document() && !checker.uses_workflow_template_ref()) {
      checker.report(path, "entrypoint is required");
    }
    return;
  }
  if (checker.uses_workflow_template_ref() && !referenced_workflow_template(checker)) return;
  if (!template_exists(checker, spec.entrypoint)) {
    checker.report(path, "template " + quote(spec.entrypoint) + " not found");
  }
}

void check_exit_handler(const Checker& checker) {
  const auto& spec = checker.doc.spec;
  if (spec.on_exit.empty()) return;
  if (checker.uses_workflow_template_ref() && !referenced_workflow_template(checker)) return;
  if (!template_exists(checker, spec.on_exit)) {
    checker.report(checker.spec_path() + ".onExit", "template " + quote(spec.on_exit) + " not found");
  }
}

void check_template_defaults(const Checker& checker) {
  const auto& defaults = checker.doc.spec.template_defaults;
  if (!defaults) return;
  const std::string path = checker.spec_path() + ".templateDefaults";
  if (!defaults->name.empty()) {
    checker.report(path + ".name", "templateDefaults must not set a template name");
  }
  // Defaults are merged into every template, so a template type here would clash with each one.
  auto types = template_types(*defaults);
  types.erase(std::remove(types.begin(), types.end(), "container"), types.end());
  types.erase(std::remove(types.begin(), types.end(), "script"), types.end());
  if (!types.empty()) {
    checker.report(path + "." + types.front(), "templateDefaults must not set template type " + types.front());
  }
  check_template_units(checker, *defaults, path);
}

void check_spec_enums(const Checker& checker) {
  const auto& spec = checker.doc.spec;
  const std::string prefix = checker.spec_path();
  if (!spec.shutdown.empty() && spec.shutdown != "Stop" && spec.shutdown != "Terminate") {
    checker.report(prefix + ".shutdown", "shutdown " + quote(spec.shutdown) + " must be one of Stop, Terminate");
  }
  if (spec.parallelism && *spec.parallelism < 0) {
    checker.report(prefix + ".parallelism", "parallelism must not be negative");
  }
  if (spec.active_deadline_seconds && *spec.active_deadline_seconds < 0) {
    checker.report(prefix + ".activeDeadlineSeconds", "activeDeadlineSeconds must not be negative");
  }
  if (spec.pod_gc) {
    static const char* const kStrategies[] = {"", "OnPodCompletion", "OnPodSuccess", "OnWorkflowCompletion",
                                              "OnWorkflowSuccess"};
    const auto& strategy = spec.pod_gc->strategy;
    if (std::find(std::begin(kStrategies), std::end(kStrategies), strategy) == std::end(kStrategies)) {
      checker.report(prefix + ".podGC.strategy",
                     "podGC strategy " + quote(strategy) +
                         " must be one of OnPodCompletion, OnPodSuccess, OnWorkflowCompletion, "
                         "OnWorkflowSuccess");
    }
  }
  if (spec.synchronization) check_synchronization(checker, *spec.synchronization, prefix + ".synchronization");
  if (spec.retry_strategy) check_retry_strategy(checker, *spec.retry_strategy, prefix + ".retryStrategy");
}

}  // namespace

void check_document_level(const Checker& checker) {
  check_metadata(checker);
  if (checker.doc.kind == Kind::ConfigMap) return;
  check_workflow_template_ref(checker);
  check_entrypoint(checker);
  check_exit_handler(checker);
  check_hooks(checker, checker.doc.spec.hooks, checker.spec_path() + ".hooks");
  check_template_defaults(checker);
  check_spec_enums(checker);
  check_workflow_units(checker);
  check_workflow_arguments(checker);
  if (checker.doc.kind == Kind::CronWorkflow) check_cron(checker);
}

}  // namespace validation

Diagnostics validate(const Document& document, const Library& library) {
  Diagnostics out;
  const validation::Checker checker{document, library, out};
  validation::check_document_level(checker);
  validation::check_names(checker);
  if (document.kind == Kind::ConfigMap) return out;
  validation::check_templates(checker);
  validation::check_expressions(checker);
  validation::check_variables(checker);
  return out;
}

namespace {

std::string location_text(const Document& document) {
  std::string text = document.source.file();
  const SourceLocation where = document.source.find("metadata.name");
  if (where.line > 0) text += ":" + std::to_string(where.line) + ":" + std::to_string(where.column);
  return text;
}

}  // namespace

Diagnostics validate_all(const LoadResult& loaded) {
  Diagnostics out = loaded.errors;
  Library library;
  library.add(loaded.documents);

  // First definition of each (kind, name), to report later ones as duplicates.
  std::map<std::pair<Kind, std::string>, const Document*> first_definition;
  for (const auto& document : loaded.documents) {
    Diagnostics found = validate(document, library);
    out.insert(out.end(), std::make_move_iterator(found.begin()), std::make_move_iterator(found.end()));
    if (document.metadata.name.empty()) continue;
    auto [it, inserted] = first_definition.emplace(std::make_pair(document.kind, document.metadata.name), &document);
    if (!inserted) {
      out.push_back(document.source.diagnose("metadata.name", std::string("duplicate ") + to_string(document.kind) +
                                                                  " " + validation::quote(document.metadata.name) +
                                                                  " (also defined at " + location_text(*it->second) +
                                                                  ")"));
    }
  }
  return out;
}

}  // namespace rampart::spec
