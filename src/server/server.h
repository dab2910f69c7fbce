// `rampart server`: the Argo-compatible HTTPS API and the engine for submitted workflows, in
// one process. Authentication cannot be turned off: there is no option for it here, and every
// route is registered through the Router, which authenticates first.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "server/failure_limiter.h"
#include "server/session_store.h"
#include "server/workflow_runner.h"

namespace rampart::server {

struct ServerOptions {
  std::string state_dir;
  // The workflow store: a SQLite path or a postgres:// URL; empty: <state_dir>/rampart.db.
  // Servers sharing one PostgreSQL database share its workflows (see WorkflowRunner).
  std::string db;
  std::string listen = "127.0.0.1:2746";  // Argo's port, loopback unless asked otherwise
  std::string tls_cert;                   // both empty: a self-signed pair in the state dir
  std::string tls_key;
  int threads = 2;
  std::string version;
  std::string policy_file;  // empty: the built-in policy
  std::string ui_dir;       // the dashboard's built files; empty: none (see static_assets.h)
  // What one client can make the server hold (docs/server.md, "Limits and hardening").
  size_t max_body_bytes = 1024 * 1024;  // larger request bodies get 413
  SessionLimits sessions;               // browser sessions per subject and in all
  FailureLimits auth_failures;          // failed token checks before a lockout (429)
  RunnerOptions runner;                 // runner.state_dir is filled from state_dir
};

class Server {
 public:
  // Prepares the state dir (TLS identity, access database, first admin token), binds the
  // listening socket and resumes unfinished workflows. Throws std::runtime_error on failure.
  explicit Server(ServerOptions options);
  ~Server();

  uint16_t port() const;
  std::string url() const;
  const std::string& tls_fingerprint() const;
  // The admin token made on the first start (empty on later starts): shown once.
  const std::string& new_admin_token() const;
  int resumed_workflows() const;

  void run();   // serves until stop(); the guard's watch runs alongside
  void stop();  // thread-safe

  struct Impl;

 private:
  std::unique_ptr<Impl> impl_;
};

// "127.0.0.1:2746", "[::1]:8443", "0.0.0.0:2746"; throws std::invalid_argument.
std::pair<std::string, uint16_t> parse_listen_address(const std::string& text);

}  // namespace rampart::server
