// `rampart server`: serve the Argo-compatible API over HTTPS. There is deliberately no option
// to turn authentication or TLS off.
#include <pthread.h>
#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <iostream>
#include <memory>
#include <thread>

#include <CLI/CLI.hpp>

#include "cli/app.h"
#include "cli/commands.h"
#include "cli/context.h"
#include "cli/engine_bounds.h"
#include "cli/secret_files.h"
#include "server/server.h"
#include "server/static_assets.h"

namespace rampart::cli {

namespace {

struct ServerCommandOptions {
  StateOptions state;
  std::string listen = "127.0.0.1:2746";
  std::string tls_cert, tls_key;
  ExecutorSettings executor;
  engine::EngineBounds bounds;
  std::vector<std::string> secret_files;
  uint64_t max_secret_bytes = 0;
  int64_t default_deadline = 0;
  int threads = 0;
  int max_running = 8;
  std::string policy;
  std::string ui_dir;
  std::string db;
  int64_t lease_ttl_seconds = 10;
  int64_t archive_ttl_days = 0;
  // Bounds on what one client can make the server hold.
  int64_t max_body_bytes = 1024 * 1024;
  int64_t max_sessions_per_user = 32;
  int64_t max_sessions = 100'000;
  int auth_failure_limit = 10;
  int64_t auth_lockout_seconds = 60;
};

// "process,container" -> {"process", "container"}; each must be an executor rampart knows.
std::vector<std::string> split_executors(const std::string& list) {
  std::vector<std::string> names;
  size_t start = 0;
  while (start <= list.size()) {
    size_t comma = list.find(',', start);
    std::string name = list.substr(start, comma == std::string::npos ? std::string::npos : comma - start);
    if (name.empty()) throw std::invalid_argument("--executor \"" + list + "\": an empty executor name");
    if (std::find(names.begin(), names.end(), name) == names.end()) names.push_back(name);
    if (comma == std::string::npos) break;
    start = comma + 1;
  }
  return names;
}

}  // namespace

CommandAction add_server_command(CLI::App& app) {
  auto o = std::make_shared<ServerCommandOptions>();
  CLI::App* cmd = app.add_subcommand("server", "Serve Argo's REST API over HTTPS (authentication always on)");
  cmd->add_option("--listen", o->listen, "ADDRESS:PORT to listen on; other than loopback only when asked")
      ->capture_default_str();
  cmd->add_option("--tls-cert", o->tls_cert, "PEM certificate (default: a self-signed one in the state dir)");
  cmd->add_option("--tls-key", o->tls_key, "PEM private key for --tls-cert");
  cmd->add_option("--secret", o->secret_files, "Secret YAML file for workflows (repeatable); never stored or shown");
  add_max_secret_bytes_option(*cmd, o->max_secret_bytes);
  add_executor_options(*cmd, o->executor, false);  // never --sandbox none: remote users submit
  add_engine_bound_flags(*cmd, o->bounds);
  cmd->add_option("--db", o->db,
                  "Workflow store: a SQLite file, or postgres://USER:PASSWORD@HOST:PORT/DB to share workflows with "
                  "other servers (default: <state>/rampart.db)");
  cmd->add_option("--lease-ttl", o->lease_ttl_seconds,
                  "Seconds a server's hold on a workflow outlives its last renewal (shared databases)")
      ->check(CLI::Range(2, 600))
      ->capture_default_str();
  cmd->add_option("--archive-ttl", o->archive_ttl_days, "Delete finished workflows after this many days (0: keep)")
      ->check(CLI::Range(0, 36500))
      ->capture_default_str();
  cmd->add_option("--default-deadline", o->default_deadline,
                  "activeDeadlineSeconds for workflows that set none (0: none)");
  cmd->add_option("--policy", o->policy, "Admission policy YAML (default: the built-in policy)");
  cmd->add_option("--threads", o->threads, "HTTP threads (default: one per core)");
  cmd->add_option("--max-running", o->max_running, "Workflows run at once; later ones wait their turn")
      ->check(CLI::Range(1, 10000))
      ->capture_default_str();
  cmd->add_option("--ui-dir", o->ui_dir,
                  "Dashboard files to serve (default: <binary dir>/../share/rampart/ui, else <binary dir>/../ui/dist)");
  cmd->add_option("--max-body-bytes", o->max_body_bytes, "Largest request body accepted (bytes); larger ones get 413")
      ->check(CLI::Range(int64_t{1024}, int64_t{256} << 20))
      ->capture_default_str();
  cmd->add_option("--max-sessions-per-user", o->max_sessions_per_user,
                  "Browser sessions one subject may hold; logging in once more ends its oldest")
      ->check(CLI::Range(int64_t{1}, int64_t{10'000}))
      ->capture_default_str();
  cmd->add_option("--max-sessions", o->max_sessions, "Browser sessions the server holds in all; then logins get 429")
      ->check(CLI::Range(int64_t{1}, int64_t{10'000'000}))
      ->capture_default_str();
  cmd->add_option("--auth-failure-limit", o->auth_failure_limit,
                  "Failed token checks within a minute from one address (or for one token id from one address) "
                  "before it is locked out (429)")
      ->check(CLI::Range(1, 1'000'000))
      ->capture_default_str();
  cmd->add_option("--auth-lockout", o->auth_lockout_seconds, "Seconds a lockout lasts")
      ->check(CLI::Range(int64_t{1}, int64_t{86'400}))
      ->capture_default_str();
  cmd->add_option("--state", o->state.state_dir,
                  "State directory (default: $XDG_STATE_HOME/rampart or ~/.local/state/rampart)");
  return [o]() -> int {
    server::ServerOptions options;
    options.state_dir = resolve_state_dir(o->state);
    options.listen = o->listen;
    options.tls_cert = o->tls_cert;
    options.tls_key = o->tls_key;
    options.threads = o->threads > 0 ? o->threads : std::max(2u, std::thread::hardware_concurrency());
    options.version = RAMPART_VERSION;
    options.runner.image_catalog = o->executor.image_catalog;
    options.db = o->db;
    options.runner.lease_ttl = std::chrono::seconds(o->lease_ttl_seconds);
    options.runner.archive_ttl = std::chrono::hours(24 * o->archive_ttl_days);
    options.max_body_bytes = static_cast<size_t>(o->max_body_bytes);
    options.sessions.max_per_subject = static_cast<size_t>(o->max_sessions_per_user);
    options.sessions.max_total = static_cast<size_t>(o->max_sessions);
    options.auth_failures.max_failures = o->auth_failure_limit;
    options.auth_failures.lockout_ms = o->auth_lockout_seconds * 1000;
    try {
      // The first executor is the default; workflows pick another with rampart.io/executor.
      options.runner.executor_names = split_executors(o->executor.executor);
      for (const auto& name : options.runner.executor_names) {
        ExecutorSettings settings = o->executor;
        settings.executor = name;
        // Fail at start, not at the first workflow, when the host cannot run these steps.
        make_executor(settings, options.state_dir)->shutdown();
      }
    } catch (const std::invalid_argument& e) {
      std::cerr << "rampart server: " << e.what() << "\n";
      return kUsage;
    }
    options.runner.make_executor = [settings = o->executor, state_dir = options.state_dir](const std::string& name) {
      ExecutorSettings chosen = settings;
      chosen.executor = name;
      return make_executor(chosen, state_dir);
    };
    options.runner.default_deadline_seconds = o->default_deadline;
    options.runner.max_running = o->max_running;
    options.runner.bounds = o->bounds;
    options.policy_file = o->policy;
    options.runner.secrets = load_secret_files(o->secret_files, o->max_secret_bytes);
    options.ui_dir = o->ui_dir.empty() ? server::default_ui_dir() : o->ui_dir;

    // Signals go to one waiting thread, which stops the server; no work in a signal handler.
    sigset_t signals;
    sigemptyset(&signals);
    sigaddset(&signals, SIGINT);
    sigaddset(&signals, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &signals, nullptr);
    signal(SIGPIPE, SIG_IGN);

    std::unique_ptr<server::Server> server;
    try {
      server = std::make_unique<server::Server>(options);
    } catch (const std::invalid_argument& e) {
      std::cerr << "rampart server: " << e.what() << "\n";
      return kUsage;
    }
    std::cerr << "rampart server: listening on " << server->url() << "\n"
              << "rampart server: TLS certificate " << server->tls_fingerprint() << "\n"
              << "rampart server: state in " << options.state_dir << "\n"
              << "rampart server: workflows in "
              << (o->db.empty() ? options.state_dir + "/rampart.db" : store::redact_url(o->db)) << "\n"
              << "rampart server: dashboard "
              << (options.ui_dir.empty() ? "not installed (see --ui-dir)" : "from " + options.ui_dir) << "\n";
    if (server->resumed_workflows() > 0) {
      std::cerr << "rampart server: resuming " << server->resumed_workflows() << " unfinished workflow(s)\n";
    }
    if (!server->new_admin_token().empty()) {
      // Shown once; also in admin.token (0600) for the operator.
      std::cout << server->new_admin_token() << std::endl;
      std::cerr << "rampart server: created the admin token above (also in " << options.state_dir
                << "/admin.token); it is not shown again\n";
    }
    std::thread waiter([&server, signals] {
      int received = 0;
      sigwait(&signals, &received);
      std::cerr << "rampart server: stopping (" << (received == SIGINT ? "SIGINT" : "SIGTERM") << ")\n";
      server->stop();
    });
    waiter.detach();
    server->run();
    std::cerr << std::flush;
    std::fflush(nullptr);
    // Running workflows are durable and resume on the next start; their threads are not waited for.
    ::_exit(0);
  };
}

}  // namespace rampart::cli
