// The `rampart` command line: one subcommand per file (lint_command.cpp, ...), wired here.
#pragma once

namespace rampart::cli {

// Exit codes shared by every command.
enum ExitCode : int { kOk = 0, kFailed = 1, kUsage = 2 };

int run_app(int argc, char** argv);

}  // namespace rampart::cli
