// `rampart server`: serve the Argo-compatible API over HTTPS. There is deliberately no option
// to turn authentication or TLS off.
#include <pthread.h>
#include <signal.h>
#include <unistd.h>

#include <cstdio>
#include <iostream>
#include <memory>
#include <thread>

#include <CLI/CLI.hpp>

#include "cli/app.h"
#include "cli/commands.h"
#include "cli/context.h"
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
  std::vector<std::string> secret_files;
  int64_t default_deadline = 0;
  int threads = 0;
  int max_running = 8;
  std::string policy;
  std::string ui_dir;
};

}  // namespace

CommandAction add_server_command(CLI::App& app) {
  auto o = std::make_shared<ServerCommandOptions>();
  CLI::App* cmd = app.add_subcommand("server", "Serve Argo's REST API over HTTPS (authentication always on)");
  cmd->add_option("--listen", o->listen, "ADDRESS:PORT to listen on; other than loopback only when asked")
      ->capture_default_str();
  cmd->add_option("--tls-cert", o->tls_cert, "PEM certificate (default: a self-signed one in the state dir)");
  cmd->add_option("--tls-key", o->tls_key, "PEM private key for --tls-cert");
  cmd->add_option("--secret", o->secret_files, "Secret YAML file for workflows (repeatable); never stored or shown");
  add_executor_options(*cmd, o->executor, false);  // never --sandbox none: remote users submit
  cmd->add_option("--default-deadline", o->default_deadline, "activeDeadlineSeconds for workflows that set none (0: none)");
  cmd->add_option("--policy", o->policy, "Admission policy YAML (default: the built-in policy)");
  cmd->add_option("--threads", o->threads, "HTTP threads (default: one per core)");
  cmd->add_option("--max-running", o->max_running, "Workflows run at once; later ones wait their turn")
      ->check(CLI::Range(1, 10000))->capture_default_str();
  cmd->add_option("--ui-dir", o->ui_dir,
                  "Dashboard files to serve (default: <binary dir>/../share/rampart/ui, else <binary dir>/../ui/dist)");
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
    if (o->executor.executor != "process") {
      // Fail at start, not at the first workflow, when the host cannot run containers.
      make_executor(o->executor, options.state_dir)->shutdown();
      options.runner.make_executor = [settings = o->executor, state_dir = options.state_dir] {
        return make_executor(settings, state_dir);
      };
    }
    options.runner.default_deadline_seconds = o->default_deadline;
    options.runner.max_running = o->max_running;
    options.policy_file = o->policy;
    options.runner.secrets = load_secret_files(o->secret_files);
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
              << "rampart server: dashboard " << (options.ui_dir.empty() ? "not installed (see --ui-dir)" : "from " + options.ui_dir)
              << "\n";
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
