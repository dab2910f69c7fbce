// `rampart policy check FILE...`: test workflows, templates and cron workflows against the
// admission policy offline, with the same checks the server makes at submit.
#include <iostream>
#include <memory>

#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include "cli/app.h"
#include "cli/commands.h"
#include "cli/output_format.h"
#include "cli/policy_report.h"
#include "guard/admission.h"
#include "guard/policy.h"
#include "spec/loader.h"

namespace rampart::cli {

namespace {
struct PolicyCheckOptions {
  std::vector<std::string> files;
  std::string policy_file;
  std::string namespace_ = "argo";
  std::string output = "text";
};
}  // namespace

void print_admission(std::ostream& out, const spec::Document& doc, const guard::Admission& admission) {
  std::string name = doc.metadata.name.empty() ? doc.metadata.generate_name : doc.metadata.name;
  out << (admission.denied() ? "DENIED " : "ok     ") << spec::to_string(doc.kind) << " " << name << "\n";
  for (const auto& d : admission.decisions) {
    out << "  " << guard::to_string(d.action) << " " << d.rule << " at " << d.path << ": " << d.message << "\n";
  }
}

CommandAction add_policy_command(CLI::App& app) {
  CLI::App* cmd = app.add_subcommand("policy", "Admission policy: check workflows against it offline");
  cmd->require_subcommand(1);
  auto o = std::make_shared<PolicyCheckOptions>();
  CLI::App* check =
      cmd->add_subcommand("check", "Check workflows, templates and cron workflows; exit 1 if any is denied");
  check->add_option("files", o->files, "YAML files or folders")->required();
  check->add_option("--policy", o->policy_file, "Policy YAML file (default: the built-in policy)");
  check->add_option("-n,--namespace", o->namespace_, "Namespace whose rules apply")->capture_default_str();
  add_output_option(*check, o->output, "text,json", "text");
  return [o]() -> int {
    guard::Policy policy;
    if (!o->policy_file.empty()) {
      try {
        policy = guard::load_policy_file(o->policy_file);
      } catch (const std::invalid_argument& e) {
        std::cerr << e.what() << "\n";
        return kUsage;
      }
    }
    const guard::PolicyRules& rules = policy.for_namespace(o->namespace_);
    spec::LoadResult loaded = spec::load_paths(o->files);
    for (const auto& e : loaded.errors) std::cerr << e.to_string() << "\n";
    if (!loaded.errors.empty()) return kFailed;
    bool any_denied = false;
    nlohmann::json report = nlohmann::json::array();
    for (const auto& doc : loaded.documents) {
      if (doc.kind == spec::Kind::ConfigMap) continue;
      guard::Admission admission = guard::admit_object(rules, doc.raw);
      any_denied = any_denied || admission.denied();
      std::string name = doc.metadata.name.empty() ? doc.metadata.generate_name : doc.metadata.name;
      if (o->output == "json") {
        nlohmann::json entry = admission.to_json();
        entry["kind"] = spec::to_string(doc.kind);
        entry["name"] = name;
        entry["file"] = doc.source.file();
        report.push_back(entry);
        continue;
      }
      print_admission(std::cout, doc, admission);
    }
    if (o->output == "json") std::cout << report.dump(2) << "\n";
    return any_denied ? kFailed : kOk;
  };
}

}  // namespace rampart::cli
