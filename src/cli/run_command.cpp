// `rampart run FILE`: validate, submit and run a workflow in this process, persisting every
// step; exits 0 only when the workflow Succeeded.
#include <csignal>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <set>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <yaml-cpp/yaml.h>

#include "cli/app.h"
#include "cli/commands.h"
#include "cli/context.h"
#include "cli/engine_bounds.h"
#include "cli/json_output.h"
#include "cli/output_format.h"
#include "cli/policy_flags.h"
#include "cli/policy_report.h"
#include "cli/secret_files.h"
#include "cli/stored_tree.h"
#include "cli/tree_view.h"
#include "cli/watch_observer.h"
#include "engine/engine.h"
#include "guard/admission.h"
#include "guard/signatures.h"
#include "spec/loader.h"
#include "spec/validate.h"

namespace rampart::cli {
namespace {

struct RunOptions {
  StateOptions state;
  RunSettings settings;
  std::string file;
  std::vector<std::string> parameters;
  std::string parameter_file;
  std::string entrypoint;
  std::vector<std::string> template_dirs;
  std::vector<std::string> config_maps;
  bool wait = false;
  std::string name;
  PolicyFlags policy;
};

const char* g_interrupted_name = nullptr;

void on_interrupt(int) {
  // Only async-signal-safe calls here.
  const char msg[] = "\ninterrupted; the workflow's state is saved: continue it with `rampart resume ";
  (void)!write(STDERR_FILENO, msg, sizeof msg - 1);
  if (g_interrupted_name) (void)!write(STDERR_FILENO, g_interrupted_name, strlen(g_interrupted_name));
  (void)!write(STDERR_FILENO, "`\n", 2);
  _exit(130);
}

// The names of the WorkflowTemplates a document refers to (templateRef, workflowTemplateRef).
void referenced_templates(const nlohmann::json& j, std::set<std::pair<std::string, bool>>& out) {
  if (j.is_object()) {
    for (const char* key : {"templateRef", "workflowTemplateRef"}) {
      if (j.contains(key) && j[key].is_object())
        out.emplace(j[key].value("name", ""), j[key].value("clusterScope", false));
    }
    for (const auto& [k, v] : j.items()) referenced_templates(v, out);
  } else if (j.is_array()) {
    for (const auto& v : j) referenced_templates(v, out);
  }
}

// The server's admission, offline: the workflow and the templates it uses, under the policy's
// rules for the namespace. Prints the refusal as `rampart policy check` does; false if denied.
bool admitted(const guard::Policy& policy, const std::string& ns, const spec::Document& workflow,
              const engine::References& references,
              const std::vector<std::pair<std::string, std::string>>& parameters) {
  const guard::PolicyRules& rules = policy.for_namespace(ns);
  bool ok = true;
  auto check = [&](const spec::Document& doc, guard::Admission admission) {
    if (!admission.denied()) return;
    print_admission(std::cerr, doc, admission);
    ok = false;
  };
  check(workflow, guard::admit_object(rules, workflow.raw));
  // Parameters given on the command line, as the server checks submitted ones (an image name
  // among them too); each step is checked again with them substituted.
  if (!parameters.empty()) {
    nlohmann::json probe = {{"spec", {{"arguments", {{"parameters", nlohmann::json::array()}}}}}};
    for (const auto& [pname, value] : parameters)
      probe["spec"]["arguments"]["parameters"].push_back({{"name", pname}, {"value", value}});
    guard::Admission admission = guard::admit_object(rules, probe);
    for (const auto& [pname, value] : parameters) {
      std::string matched;
      if (rules.builtin_miner_list && guard::is_known_miner_image(value, &matched)) {
        admission.decisions.push_back(
            {"image.miner", guard::Action::Deny, "-p " + pname,
             "\"" + value.substr(0, 80) + "\" names a known cryptocurrency miner (" + matched + ")"});
      }
    }
    check(workflow, admission);
  }
  std::set<std::pair<std::string, bool>> refs;
  referenced_templates(workflow.raw, refs);
  for (const auto& d : references.documents) {
    if (refs.count({d.metadata.name, d.kind == spec::Kind::ClusterWorkflowTemplate}))
      check(d, guard::admit_object(rules, d.raw));
  }
  return ok;
}

// Reads `--parameter-file F` (a YAML or JSON map of names to values) into `out`; on failure, why
// (naming the file, and the line and parameter at fault).
std::string read_parameter_file(const std::string& file, std::vector<std::pair<std::string, std::string>>& out) {
  std::error_code ec;
  if (!std::filesystem::is_regular_file(file, ec)) {
    return file + ": " + (std::filesystem::exists(file, ec) ? "not a file" : "no such file");
  }
  YAML::Node params;
  try {
    params = YAML::LoadFile(file);
  } catch (const YAML::Exception& e) {
    return file + ":" + std::to_string(e.mark.line + 1) + ":" + std::to_string(e.mark.column + 1) + ": " + e.msg;
  }
  if (!params.IsMap()) return file + ": expected a map of parameter names to values, like `message: hello`";
  for (const auto& kv : params) {
    const std::string where = file + ":" + std::to_string(kv.first.Mark().line + 1);
    if (!kv.first.IsScalar()) return where + ": a parameter name must be a string";
    if (!kv.second.IsScalar()) {
      return where + ": " + kv.first.Scalar() + ": expected a string or a number, got a " +
             (kv.second.IsSequence() ? "list"
              : kv.second.IsMap()    ? "map"
                                     : "null") +
             " (write it as a string, e.g. a JSON text in quotes)";
    }
    out.emplace_back(kv.first.Scalar(), kv.second.Scalar());
  }
  return "";
}

// Why FILE cannot be run (it must hold exactly one Workflow), saying what it holds and what to
// do instead; empty when it holds one.
std::string not_one_workflow(const std::string& file, const spec::LoadResult& loaded) {
  std::error_code ec;
  if (std::filesystem::is_directory(file, ec)) {
    return file + ": a folder; rampart run takes one Workflow file (rampart lint checks a whole folder)";
  }
  std::vector<std::string> workflows, others;
  for (const auto& d : loaded.documents) {
    const std::string name = d.metadata.name.empty() ? d.metadata.generate_name + "..." : d.metadata.name;
    (d.kind == spec::Kind::Workflow ? workflows : others)
        .push_back(std::string(spec::to_string(d.kind)) + " \"" + name + "\"");
  }
  if (workflows.size() == 1) return "";
  if (workflows.size() > 1) {
    std::string list;
    for (const auto& w : workflows) list += (list.empty() ? "" : ", ") + w;
    return file + ": holds " + std::to_string(workflows.size()) + " Workflows (" + list +
           "); rampart run runs one: put each in a file of its own";
  }
  if (loaded.documents.empty() && loaded.skipped.empty()) {
    return file +
           ": no YAML document in it; rampart run needs a Workflow (apiVersion: argoproj.io/v1alpha1, "
           "kind: Workflow)";
  }
  std::string held;
  for (const auto& other : others) held += (held.empty() ? "" : ", ") + other;
  for (const auto& s : loaded.skipped)
    held += (held.empty() ? "" : ", ") + s.kind + (s.name.empty() ? "" : " \"" + s.name + "\"");
  std::string hint = "rampart run needs a Workflow";
  for (const auto& d : loaded.documents) {
    if (d.kind == spec::Kind::WorkflowTemplate || d.kind == spec::Kind::ClusterWorkflowTemplate) {
      hint = "run a Workflow whose spec.workflowTemplateRef names it, with --templates " + file;
    } else if (d.kind == spec::Kind::CronWorkflow) {
      hint =
          "rampart server runs a CronWorkflow on its schedule; to run it once here, put its spec.workflowSpec "
          "in a Workflow";
    }
  }
  return file + ": holds " + held + " and no Workflow; " + hint;
}

// Why `--entrypoint` names no template of the workflow; empty when it does (or when the
// templates come from a workflowTemplateRef, which the engine resolves).
std::string unknown_entrypoint(const std::string& file, const spec::Document& workflow, const std::string& entrypoint) {
  if (entrypoint.empty()) return "";
  const nlohmann::json& spec = workflow.raw.value("spec", nlohmann::json::object());
  if (spec.contains("workflowTemplateRef")) return "";
  std::string names;
  for (const auto& t : spec.value("templates", nlohmann::json::array())) {
    const std::string name = t.value("name", "");
    if (name == entrypoint) return "";
    names += (names.empty() ? "" : ", ") + name;
  }
  return "--entrypoint " + entrypoint + ": " + file + " has no template of that name (its templates: " + names + ")";
}

bool print_problems(const Diagnostics& problems) {
  for (const auto& d : problems) std::cerr << d.to_string() << "\n";
  return problems.empty();
}

}  // namespace

// Shared with `resume`: runs a stored workflow in this process with a progress display.
int run_stored_workflow(const StateOptions& state_options, const std::string& name, const RunSettings& settings) {
  const std::string& output = settings.output;
  std::string state_dir = resolve_state_dir(state_options);
  auto store = open_store(state_dir);
  RunLock lock(state_dir, state_options.namespace_, name);
  if (!lock.try_lock()) {
    std::cerr << "workflow \"" << name << "\" is already being run by another rampart process\n";
    return kFailed;
  }
  auto executor = make_executor(settings.executor, state_dir);
  engine::EngineOptions options;
  options.state_dir = state_dir;
  options.default_deadline_seconds = settings.default_deadline;
  options.bounds = settings.bounds;
  options.secrets = load_secret_files(settings.secret_files, settings.max_secret_bytes);
  // The masker the engine writes through also masks what this command prints.
  options.masker = SecretMasker::from_secrets(options.secrets);
  const SecretMasker& masker = *options.masker;
  auto masked_object = [&] {
    nlohmann::json object = engine::Engine::workflow_object(*store, state_options.namespace_, name);
    masker.mask_json(object);
    return object;
  };
  if (std::shared_ptr<const guard::Policy> policy = settings.policy) {
    // As in the server: each step is checked again once its parameters are substituted.
    options.admit_step = [policy](const std::string& step_ns, const exec::StepRequest& step) {
      guard::Admission admission = guard::admit_step(policy->for_namespace(step_ns), step);
      return admission.denied() ? admission.denial_message() : std::string();
    };
  }
  engine::Engine engine(*store, *executor, options);
  auto record = store->get_workflow(state_options.namespace_, name);
  if (!record) {
    std::cerr << "workflow \"" << name << "\" not found in namespace \"" << state_options.namespace_ << "\"\n";
    return kFailed;
  }
  static std::string interrupted_name;
  interrupted_name = name;
  g_interrupted_name = interrupted_name.c_str();
  std::signal(SIGINT, on_interrupt);
  std::signal(SIGTERM, on_interrupt);

  WatchObserver::Mode mode = output == "text" || output == "wide"
                                 ? (settings.watch ? WatchObserver::Mode::Tree : WatchObserver::Mode::Lines)
                                 : WatchObserver::Mode::Quiet;
  // The observer needs the workflow without its nodes (a resumed run may have 100,000 of them).
  nlohmann::json without_nodes = engine::Engine::workflow_object(*record, {});
  masker.mask_json(without_nodes);
  WatchObserver observer(mode, std::move(without_nodes));
  const std::string log_dir = workflow_log_dir(state_dir, state_options.namespace_, name);
  if (settings.log && mode == WatchObserver::Mode::Lines) observer.print_logs_from(log_dir);
  store::WorkflowRecord final_record = engine.run(state_options.namespace_, name, &observer);
  executor->shutdown();
  observer.finish();
  if (output == "text" || output == "wide") {
    // The result goes to stdout (`rampart run wf.yaml > out.txt` keeps it); progress went to stderr.
    std::cout << render_stored_workflow(*store, state_options.namespace_, name, terminal_columns(STDOUT_FILENO),
                                        settings.all || output == "wide", &masker)
                     .value_or("")
              << std::flush;
    std::error_code ignored;
    if (!settings.log && !std::filesystem::is_empty(log_dir, ignored) && !ignored) {
      std::cerr << "The steps' output: rampart logs " << name << " (or run with --log)\n";
    }
  } else if (output == "name") {
    std::cout << name << "\n";
  } else if (output == "json" || output == "yaml") {
    print_object(masked_object(), output);
  }
  return final_record.phase == "Succeeded" ? kOk : kFailed;
}

CommandAction add_run_command(CLI::App& app) {
  auto o = std::make_shared<RunOptions>();
  CLI::App* cmd = app.add_subcommand("run", "Run a workflow locally and wait for it; exit 0 only if it Succeeded");
  cmd->add_option("file", o->file, "Workflow YAML file")->required();
  cmd->add_option("-p,--parameter", o->parameters, "Workflow parameter NAME=VALUE (repeatable)");
  cmd->add_option("--parameter-file", o->parameter_file, "YAML or JSON file of parameter names to values");
  cmd->add_option("--entrypoint", o->entrypoint, "Template to start from instead of spec.entrypoint");
  cmd->add_option("--templates", o->template_dirs,
                  "Folder of WorkflowTemplates / ClusterWorkflowTemplates (repeatable)");
  cmd->add_option("--configmap", o->config_maps, "ConfigMap YAML file (repeatable)");
  cmd->add_option("--secret", o->settings.secret_files, "Secret YAML file (repeatable); values are never stored");
  add_max_secret_bytes_option(*cmd, o->settings.max_secret_bytes);
  cmd->add_option("--name", o->name, "Workflow name (instead of metadata.name / generateName)");
  cmd->add_flag("--watch", o->settings.watch, "Draw the live node tree");
  cmd->add_flag("--wait", o->wait, "Wait for completion (always the case for a local run)");
  add_executor_options(*cmd, o->settings.executor, true);
  add_engine_bound_flags(*cmd, o->settings.bounds);
  cmd->add_option("--default-deadline", o->settings.default_deadline,
                  "activeDeadlineSeconds for workflows that set none (0: none)");
  add_policy_flags(*cmd, o->policy);
  add_state_options(*cmd, o->state);
  add_output_option(*cmd, o->settings.output, "text,wide,name,json,yaml", "text");
  cmd->add_flag("--all", o->settings.all,
                "Show every node in the final tree (large loops and DAGs are summed up otherwise)");
  cmd->add_flag("--log", o->settings.log, "Print each step's log as it ends, each line prefixed with its pod's name")
      ->excludes("--watch");

  return [o]() -> int {
    auto policy = resolve_policy(o->policy);
    if (!policy) return kUsage;
    o->settings.policy = *policy;
    // What the workflow can reference: templates folders and config maps.
    spec::LoadResult loaded = spec::load_paths({o->file});
    engine::References references;
    spec::LoadResult extra;
    if (!o->template_dirs.empty()) extra.append(spec::load_paths(o->template_dirs));
    if (!o->config_maps.empty()) extra.append(spec::load_paths(o->config_maps));
    if (!print_problems(loaded.errors)) return kFailed;
    for (const auto& e : extra.errors) {
      // Documents of other kinds in a templates folder are ignored; real errors are not.
      std::cerr << e.to_string() << "\n";
    }
    if (!extra.errors.empty()) return kFailed;
    for (const auto& d : extra.documents) {
      if (d.kind != spec::Kind::Workflow && d.kind != spec::Kind::CronWorkflow) references.documents.push_back(d);
    }
    const spec::Document* workflow = nullptr;
    for (const auto& d : loaded.documents) {
      if (d.kind == spec::Kind::Workflow && !workflow)
        workflow = &d;
      else if (d.kind != spec::Kind::Workflow && d.kind != spec::Kind::CronWorkflow)
        references.documents.push_back(d);
    }
    if (std::string why = not_one_workflow(o->file, loaded); !why.empty()) {
      std::cerr << why << "\n";
      return kFailed;
    }
    if (std::string why = unknown_entrypoint(o->file, *workflow, o->entrypoint); !why.empty()) {
      std::cerr << why << "\n";
      return kUsage;
    }
    spec::Library library;
    library.add(references.documents);
    if (!print_problems(spec::validate(*workflow, library))) return kFailed;

    engine::SubmitOptions submit;
    submit.namespace_ = o->state.namespace_;
    submit.entrypoint = o->entrypoint;
    submit.name = o->name;
    if (!o->parameter_file.empty()) {
      if (std::string why = read_parameter_file(o->parameter_file, submit.parameters); !why.empty()) {
        std::cerr << "--parameter-file " << why << "\n";
        return kUsage;
      }
    }
    for (const auto& p : o->parameters) {
      auto eq = p.find('=');
      if (eq == std::string::npos || eq == 0) {
        std::cerr << "-p " << p << ": expected NAME=VALUE\n";
        return kUsage;
      }
      submit.parameters.emplace_back(p.substr(0, eq), p.substr(eq + 1));
    }
    if (o->settings.policy &&
        !admitted(*o->settings.policy, o->state.namespace_, *workflow, references, submit.parameters)) {
      return kFailed;
    }
    std::string name;
    try {
      std::string state_dir = resolve_state_dir(o->state);
      auto store = open_store(state_dir);
      // Submission needs no executor: nothing runs until run_stored_workflow.
      name = engine::Engine::submit(*store, *workflow, references, submit);
    } catch (const std::exception& e) {
      std::cerr << o->file << ": " << e.what() << "\n";
      return kFailed;
    }
    if (o->settings.output == "text" || o->settings.output == "wide")
      std::cerr << "workflow " << name << " submitted\n";
    return run_stored_workflow(o->state, name, o->settings);
  };
}

}  // namespace rampart::cli
