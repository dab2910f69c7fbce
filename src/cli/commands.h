// Each subcommand registers itself on the root CLI11 app and returns the code to exit with.
#pragma once

#include <functional>
#include <memory>

namespace CLI {
class App;
}

namespace rampart::cli {

// Registers a subcommand; the returned action runs it after parsing and yields the exit code.
using CommandAction = std::function<int()>;

CommandAction add_lint_command(CLI::App& app);
CommandAction add_version_command(CLI::App& app);
CommandAction add_scan_command(CLI::App& app);
CommandAction add_run_command(CLI::App& app);
CommandAction add_get_command(CLI::App& app);
CommandAction add_list_command(CLI::App& app);
CommandAction add_logs_command(CLI::App& app);
CommandAction add_resume_command(CLI::App& app);
CommandAction add_stop_command(CLI::App& app);
CommandAction add_terminate_command(CLI::App& app);
CommandAction add_delete_command(CLI::App& app);
CommandAction add_server_command(CLI::App& app);
CommandAction add_token_command(CLI::App& app);
CommandAction add_role_command(CLI::App& app);
CommandAction add_audit_command(CLI::App& app);
CommandAction add_policy_command(CLI::App& app);
CommandAction add_alerts_command(CLI::App& app);
CommandAction add_step_exec_command(CLI::App& app);  // hidden: runs a step on a Slurm node

}  // namespace rampart::cli
