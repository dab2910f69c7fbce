#include "cli/app.h"

#include <iostream>
#include <vector>

#include <CLI/CLI.hpp>

#include "cli/commands.h"

namespace rampart::cli {

int run_app(int argc, char** argv) {
  CLI::App app{"rampart: run Argo Workflows, secure by default", "rampart"};
  app.require_subcommand(1);
  app.set_help_all_flag("--help-all", "Show help for every command");

  std::vector<std::pair<CLI::App*, CommandAction>> commands;
  // get_subcommands() without a filter lists only parsed ones; this lists all, in order.
  auto add = [&](CommandAction action) {
    commands.emplace_back(app.get_subcommands([](CLI::App*) { return true; }).back(), std::move(action));
  };
  add(add_run_command(app));
  add(add_get_command(app));
  add(add_list_command(app));
  add(add_logs_command(app));
  add(add_resume_command(app));
  add(add_stop_command(app));
  add(add_terminate_command(app));
  add(add_delete_command(app));
  add(add_server_command(app));
  add(add_token_command(app));
  add(add_role_command(app));
  add(add_audit_command(app));
  add(add_policy_command(app));
  add(add_alerts_command(app));
  add(add_lint_command(app));
  add(add_version_command(app));
  add(add_scan_command(app));
  add(add_step_exec_command(app));

  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForAllHelp& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    app.exit(e);  // prints the message and a usage hint
    return kUsage;
  }
  for (auto& [sub, action] : commands) {
    if (!sub->parsed()) continue;
    try {
      return action();
    } catch (const std::exception& e) {
      // Store, catalog and sandbox problems: a message, never a crash.
      std::cerr << "rampart " << sub->get_name() << ": " << e.what() << "\n";
      return kFailed;
    }
  }
  return kUsage;
}

}  // namespace rampart::cli
