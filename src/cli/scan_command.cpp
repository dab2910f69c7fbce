// `rampart scan TARGET...`: find Argo (and rampart) servers that answer without credentials.
// Exit codes: 0 nothing at --fail-on severity or above, 3 something exposed, 2 usage, 1 failure.
#include <sys/resource.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <iostream>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include "cli/app.h"
#include "cli/commands.h"
#include "cli/context.h"
#include "cli/output_format.h"
#include "scan/report.h"
#include "scan/scanner.h"
#include "scan/target.h"

namespace rampart::cli {

namespace {

constexpr int kExposed = 3;

struct ScanCommandOptions {
  std::vector<std::string> targets;
  std::vector<std::string> files;
  int concurrency = 64;
  std::string timeout = "5s";
  int retries = 2;
  std::string output;
  std::string fail_on = "high";
  bool check_submit = false;
  bool self = false;
  bool no_progress = false;
  StateOptions state;
};

// "5s", "500ms", "2m", "1.5" (seconds) -> milliseconds; -1 when invalid.
int64_t parse_duration_ms(const std::string& text) {
  size_t used = 0;
  double value = 0;
  try {
    value = std::stod(text, &used);
  } catch (const std::exception&) {
    return -1;
  }
  std::string unit = text.substr(used);
  double factor = unit.empty() || unit == "s" ? 1000 : unit == "ms" ? 1 : unit == "m" ? 60000 : -1;
  if (factor < 0 || value <= 0) return -1;
  return static_cast<int64_t>(value * factor);
}

class ProgressBar {
 public:
  explicit ProgressBar(bool enabled) : enabled_(enabled) {}
  void update(size_t done, size_t total, size_t exposed) {
    if (!enabled_) return;
    auto now = std::chrono::steady_clock::now();
    if (done != total && now - last_ < std::chrono::milliseconds(100)) return;
    last_ = now;
    const size_t width = 30;
    size_t filled = total ? done * width / total : width;
    std::fprintf(stderr, "\r[%s%s] %zu/%zu endpoints, %zu exposed", std::string(filled, '#').c_str(),
                 std::string(width - filled, '.').c_str(), done, total, exposed);
    std::fflush(stderr);
    shown_ = true;
  }
  void finish() {
    if (shown_) std::fprintf(stderr, "\r%*s\r", 70, "");
  }

 private:
  bool enabled_;
  bool shown_ = false;
  std::chrono::steady_clock::time_point last_{};
};

int scan(const ScanCommandOptions& o) {
  auto usage = [](const std::string& message) {
    std::cerr << "rampart scan: " << message << "\n";
    return kUsage;
  };
  int64_t timeout_ms = parse_duration_ms(o.timeout);
  if (timeout_ms <= 0) return usage("invalid --timeout \"" + o.timeout + "\" (e.g. 5s, 500ms, 1m)");
  auto fail_on = scan::parse_severity(o.fail_on);
  if (!fail_on) return usage("invalid --fail-on \"" + o.fail_on + "\" (info, low, medium, high, critical)");

  std::vector<std::string> targets = o.targets;
  try {
    for (const auto& f : o.files) {
      auto more = scan::read_targets_file(f);
      targets.insert(targets.end(), more.begin(), more.end());
    }
  } catch (const std::exception& e) {
    return usage(e.what());
  }
  if (o.self && !targets.empty()) return usage("--self scans the local server only; give no targets with it");
  if (!o.self && targets.empty()) return usage("no targets (give TARGET... or -f FILE, or --self)");
  for (const auto& t : targets) {
    std::string error;
    if (!scan::expand_target(t, &error)) return usage(error);
  }

  // Each endpoint in flight may hold ten sockets: lift the soft descriptor limit to the hard one.
  rlimit files{};
  if (::getrlimit(RLIMIT_NOFILE, &files) == 0 && files.rlim_cur < files.rlim_max) {
    files.rlim_cur = files.rlim_max;
    ::setrlimit(RLIMIT_NOFILE, &files);
  }

  ProgressBar bar(!o.no_progress && ::isatty(STDERR_FILENO));
  scan::ScanOptions options;
  options.concurrency = o.concurrency;
  options.timeout_ms = timeout_ms;
  options.retries = o.retries;
  options.check_submit = o.check_submit;
  options.progress = [&bar](size_t done, size_t total, size_t exposed) { bar.update(done, total, exposed); };

  scan::ScanReport report;
  if (o.self) {
    std::string state_dir = resolve_state_dir(o.state);
    try {
      report = scan::run_self_scan(state_dir, options);
    } catch (const scan::SelfConfigError& e) {
      return usage(e.what());
    }
  } else {
    report = scan::run_scan(targets, options);
  }
  bar.finish();

  if (o.output == "json") {
    nlohmann::json out = scan::to_json(report);
    out["scanner"] = {{"name", "rampart scan"}, {"version", RAMPART_VERSION}};
    std::cout << out.dump(2) << "\n";
  } else if (o.output == "sarif") {
    std::cout << scan::render_sarif(report, RAMPART_VERSION).dump(2) << "\n";
  } else {
    std::cout << scan::render_table(report);
  }

  auto worst = report.worst();
  if (worst && *worst >= *fail_on) return kExposed;
  if (o.self) {
    for (const auto& t : report.targets) {
      for (const auto& e : t.endpoints) {
        if (e.status == scan::EndpointStatus::Closed || e.status == scan::EndpointStatus::Timeout ||
            e.status == scan::EndpointStatus::Error) {
          std::cerr << "rampart scan: the local server at " << e.url << " does not answer (" << e.detail << ")\n";
          return kFailed;
        }
      }
    }
  }
  return kOk;
}

}  // namespace

CommandAction add_scan_command(CLI::App& app) {
  auto o = std::make_shared<ScanCommandOptions>();
  CLI::App* cmd = app.add_subcommand(
      "scan", "Find Argo and rampart servers that answer without credentials (exit 3 when one does)");
  cmd->add_option("targets", o->targets, "URL, host:port or host (ports 2746 and 443; http and https)");
  cmd->add_option("-f,--file", o->files, "File with one target per line ('#' comments)");
  cmd->add_option("--concurrency", o->concurrency, "Endpoints scanned at once")
      ->check(CLI::Range(1, 4096))
      ->capture_default_str();
  cmd->add_option("--timeout", o->timeout, "Per-request timeout (5s, 500ms, 1m)")->capture_default_str();
  cmd->add_option("--retries", o->retries, "Retries on transient errors (reset, 502/503/504)")
      ->check(CLI::Range(0, 10))
      ->capture_default_str();
  cmd->add_option("--fail-on", o->fail_on, "Exit 3 when a finding is at least this severe")->capture_default_str();
  cmd->add_flag("--check-submit", o->check_submit,
                "INTRUSIVE: also POST a lint request without credentials (nothing is created)");
  cmd->add_flag("--self", o->self, "Scan the local rampart server (from <state>/server.json) and its files");
  cmd->add_option("--state", o->state.state_dir, "State directory for --self");
  cmd->add_flag("--no-progress", o->no_progress, "No progress bar (it is shown only when stderr is a terminal)");
  add_output_option(*cmd, o->output, "table,json,sarif", "table");
  return [o] { return scan(*o); };
}

}  // namespace rampart::cli
