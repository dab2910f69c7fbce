// `rampart alerts`: what the guard's runtime watch found (<state>/alerts.jsonl).
#include <filesystem>
#include <iomanip>
#include <iostream>
#include <memory>

#include <CLI/CLI.hpp>

#include "cli/app.h"
#include "cli/commands.h"
#include "cli/context.h"
#include "cli/output_format.h"
#include "engine/node.h"
#include "guard/alert_log.h"

namespace rampart::cli {

namespace {
struct AlertsOptions {
  StateOptions state;
  std::string output = "text";
  bool all_namespaces = false;
};
}  // namespace

CommandAction add_alerts_command(CLI::App& app) {
  auto o = std::make_shared<AlertsOptions>();
  CLI::App* cmd = app.add_subcommand("alerts", "Show the guard's runtime alerts (miners, time budgets, pinned CPUs)");
  add_state_options(*cmd, o->state);
  cmd->add_flag("-A,--all-namespaces", o->all_namespaces, "Alerts of every namespace");
  add_output_option(*cmd, o->output, "text,json", "text");
  return [o]() -> int {
    guard::AlertLog log((std::filesystem::path(resolve_state_dir(o->state)) / "alerts.jsonl").string());
    nlohmann::json items = nlohmann::json::array();
    for (const auto& a : log.read_all()) {
      if (!o->all_namespaces && a.namespace_ != o->state.namespace_) continue;
      if (o->output == "json") {
        items.push_back(a.to_json());
        continue;
      }
      std::cout << std::left << std::setw(21) << engine::format_time(a.time_ms) << std::setw(9) << a.severity
                << std::setw(22) << a.rule << std::setw(10) << a.action << a.namespace_ << "/" << a.workflow << "\n"
                << "  " << a.evidence.substr(0, 96) << "\n";
    }
    if (o->output == "json") std::cout << items.dump(2) << "\n";
    return kOk;
  };
}

}  // namespace rampart::cli
