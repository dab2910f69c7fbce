// Shared by the validate_*.cpp files only: one checker per document and the helpers every
// concern (references, DAGs, parameters, expressions, units) needs. Not part of the public API.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "spec/validate.h"

namespace rampart::spec::validation {

// The checks of one document: what it is, what references resolve against, where to report.
struct Checker {
  const Document& doc;
  const Library& library;
  Diagnostics& out;

  void report(std::string path, std::string message) const;
  // Like report, but the column points `offset` bytes into the scalar at `path` when that
  // scalar is written plain on one line (so a person sees the exact character).
  void report_at(std::string path, size_t offset, std::string message) const;

  std::string spec_path() const { return doc.spec_path(); }
  // True for WorkflowTemplate / ClusterWorkflowTemplate: entrypoint and arguments may come from
  // the Workflow that uses them.
  bool is_library_document() const;
  // Arguments and templates can come from a referenced WorkflowTemplate.
  bool uses_workflow_template_ref() const { return doc.spec.workflow_template_ref.has_value(); }
};

// A step or DAG task seen through what both have in common.
struct Invocation {
  std::string path;  // e.g. spec.templates[1].steps[0][2]
  std::string name;
  const std::string* template_name = nullptr;
  const std::optional<TemplateRef>* template_ref = nullptr;
  const std::shared_ptr<Template>* inline_template = nullptr;
  const Arguments* arguments = nullptr;
  bool has_loop = false;  // withItems, withParam or withSequence
};

Invocation invocation_of(const WorkflowStep& step, std::string path);
Invocation invocation_of(const DagTask& task, std::string path);

// A template found by name, templateRef or inline, with the document that defines it.
struct ResolvedTemplate {
  const Template* tmpl = nullptr;
  const Document* owner = nullptr;
};

// Looks `name` up among the templates of `doc`.
const Template* find_local_template(const Document& doc, std::string_view name);

// Resolves a templateRef against the library; on failure returns nullopt and sets `error`.
std::optional<ResolvedTemplate> resolve_template_ref(const Library& library, const TemplateRef& ref,
                                                     std::string* error);

// The template an invocation runs, or nullopt when it does not resolve (reported elsewhere).
std::optional<ResolvedTemplate> resolve_invocation(const Checker& checker, const Invocation& call);

// Template types that are set on `tmpl`, by their YAML field names, in Argo's order.
std::vector<std::string> template_types(const Template& tmpl);

// Checks, one concern per file.
void check_document_level(const Checker& checker);  // validate.cpp
void check_names(const Checker& checker);           // validate_names.cpp
void check_templates(const Checker& checker);       // validate_templates.cpp
void check_template(const Checker& checker, const Template& tmpl, const std::string& path);
void check_steps(const Checker& checker, const Template& tmpl, const std::string& path);  // validate_steps.cpp
void check_dag(const Checker& checker, const Template& tmpl, const std::string& path);    // validate_dag.cpp
void check_invocation(const Checker& checker, const Invocation& call);                    // validate_references.cpp
void check_hooks(const Checker& checker, const std::vector<LifecycleHook>& hooks, const std::string& path);
void check_parameters(const Checker& checker, const Template& tmpl,
                      const std::string& path);  // validate_parameters.cpp
void check_arguments_supply(const Checker& checker, const Invocation& call);
void check_workflow_arguments(const Checker& checker);
void check_expressions(const Checker& checker);  // validate_expressions.cpp
void check_variables(const Checker& checker);    // validate_variables.cpp
void check_template_units(const Checker& checker, const Template& tmpl, const std::string& path);  // validate_units.cpp
void check_retry_strategy(const Checker& checker, const RetryStrategy& retry, const std::string& path);
void check_workflow_units(const Checker& checker);
void check_cron(const Checker& checker);  // validate_cron.cpp
void check_synchronization(const Checker& checker, const Synchronization& sync, const std::string& path);

// Task names a DAG task waits for: `dependencies` plus the names in `depends` (when it parses).
std::vector<std::string> task_dependencies(const DagTask& task);

// Whether a string still holds a {{...}} placeholder, so its final value is known only at run time.
inline bool is_templated(std::string_view text) { return text.find("{{") != std::string_view::npos; }

std::string quote(std::string_view text);

// Argo's names of templates, steps and tasks: a letter or digit, then letters, digits and '-'.
bool is_valid_field_name(std::string_view name);

// Steps and tasks share how loops are written: at most one of withItems/withParam/withSequence.
void check_loop(const Checker& checker, bool has_items, const std::string& with_param,
                const std::optional<Sequence>& with_sequence, const std::string& path);

// `when` conditions: tags are placeholders, the rest must parse as govaluate.
void check_when_text(const Checker& checker, const std::string& text, const std::string& path);

// A whole expr-lang expression that may also hold {{...}} tags (CronWorkflow `when`, ...).
void check_expression_text(const Checker& checker, const std::string& text, const std::string& path);

}  // namespace rampart::spec::validation
