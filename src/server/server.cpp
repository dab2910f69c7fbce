#include "server/server.h"
#include "common/clock.h"

#include <sys/file.h>
#include <sys/stat.h>
#include <fcntl.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <iostream>
#include <filesystem>
#include <fstream>
#include <stdexcept>
#include <thread>

#include <nlohmann/json.hpp>

#include "common/secret_masker.h"
#include "engine/engine.h"
#include "guard/alert_log.h"
#include "guard/policy.h"
#include "guard/watch.h"
#include "net/http_server.h"
#include "net/tls_certificate.h"
#include "server/api_routes.h"
#include "server/resource_files.h"
#include "server/static_assets.h"
#include "store/access_store.h"

namespace rampart::server {

namespace fs = std::filesystem;

namespace {

void write_private(const fs::path& path, const std::string& text) {
  fs::path tmp = path.string() + ".tmp";
  {
    std::ofstream out(tmp, std::ios::trunc);
    out << text;
    if (!out) throw std::runtime_error("cannot write " + tmp.string());
  }
  ::chmod(tmp.c_str(), 0600);
  fs::rename(tmp, path);
}

}  // namespace

std::pair<std::string, uint16_t> parse_listen_address(const std::string& text) {
  size_t colon = text.rfind(':');
  if (colon == std::string::npos) throw std::invalid_argument("--listen: expected ADDRESS:PORT, got \"" + text + "\"");
  std::string host = text.substr(0, colon);
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']') host = host.substr(1, host.size() - 2);
  if (host.empty())
    throw std::invalid_argument("--listen: the address is missing in \"" + text + "\" (e.g. 127.0.0.1:2746)");
  std::string port = text.substr(colon + 1);
  if (port.empty() || port.size() > 5 || port.find_first_not_of("0123456789") != std::string::npos ||
      std::stoi(port) > 65535) {
    throw std::invalid_argument("--listen: invalid port in \"" + text + "\"");
  }
  return {host, static_cast<uint16_t>(std::stoi(port))};
}

struct Server::Impl {
  ServerOptions options;
  std::unique_ptr<store::AccessStore> token_db, audit_db;
  std::unique_ptr<TokenService> tokens;
  std::unique_ptr<AuditLog> audit;
  std::unique_ptr<FailureLimiter> limiter;
  std::unique_ptr<ResourceFiles> resources;
  std::unique_ptr<WorkflowRunner> runner;
  guard::Policy policy;
  std::unique_ptr<guard::AlertLog> alerts;
  std::atomic<bool> stopping{false};
  ApiContext api;
  std::unique_ptr<Router> router;
  std::unique_ptr<StaticAssets> assets;
  std::unique_ptr<net::HttpServer> http;
  std::string fingerprint;
  std::string admin_token;
  std::string host;
  int resumed = 0;
  int state_lock = -1;
};

namespace {

// One server per state dir: the dir names the server in workflow leases (below), and two live
// processes answering to one name could both believe they hold a workflow. The kernel drops
// the lock when the process dies, however it dies.
int lock_state_dir(const fs::path& state) {
  int fd = ::open((state / "server.lock").c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
  if (fd < 0) throw std::runtime_error("cannot open " + (state / "server.lock").string());
  if (::flock(fd, LOCK_EX | LOCK_NB) != 0) {
    ::close(fd);
    throw std::invalid_argument("another rampart server is using the state directory " + state.string() +
                                "; give each server its own --state");
  }
  return fd;
}

// Stable across restarts of the server on this state dir, so that a restarted server resumes
// the workflows it held at once instead of waiting for its old leases to lapse.
std::string instance_id_for(const fs::path& state) {
  char host[256] = {};
  ::gethostname(host, sizeof host - 1);
  std::error_code ec;
  fs::path absolute = fs::weakly_canonical(state, ec);
  char hash[17];
  std::snprintf(hash, sizeof hash, "%016zx", std::hash<std::string>{}(absolute.string()));
  return std::string(host) + "-" + hash;
}

}  // namespace

Server::Server(ServerOptions options) : impl_(std::make_unique<Impl>()) {
  auto& s = *impl_;
  s.options = std::move(options);
  const fs::path state = s.options.state_dir;
  fs::create_directories(state);
  ::chmod(state.c_str(), 0700);
  s.state_lock = lock_state_dir(state);
  auto [host, port] = parse_listen_address(s.options.listen);
  s.host = host;

  std::string cert = s.options.tls_cert, key = s.options.tls_key;
  if (cert.empty() != key.empty()) throw std::invalid_argument("--tls-cert and --tls-key go together");
  if (cert.empty()) {
    cert = (state / "tls.crt").string();
    key = (state / "tls.key").string();
    std::vector<std::string> hosts = {"localhost", "127.0.0.1", "::1"};
    if (host != "127.0.0.1" && host != "0.0.0.0" && host != "::" && host != "::1") hosts.push_back(host);
    net::ensure_self_signed(cert, key, hosts);
  }
  s.fingerprint = net::certificate_fingerprint(cert);

  std::string access_path = (state / "access.db").string();
  s.token_db = store::open_sqlite_access(access_path);
  s.audit_db = store::open_sqlite_access(access_path);
  s.tokens = std::make_unique<TokenService>(*s.token_db, (state / "token.key").string());
  s.audit = std::make_unique<AuditLog>(*s.audit_db, (state / "audit.jsonl").string());

  // First start: an admin token, shown once and kept (0600) for the operator.
  if (s.token_db->list_tokens().empty()) {
    auto created = s.tokens->create("admin", 0, "created by the first start of rampart server", now_ms());
    s.token_db->put_binding({"admin", "*", "admin"});
    write_private(state / "admin.token", created.token + "\n");
    s.admin_token = created.token;
  }

  if (!s.options.policy_file.empty()) s.policy = guard::load_policy_file(s.options.policy_file);
  s.resources = std::make_unique<ResourceFiles>((state / "resources").string());
  s.options.runner.state_dir = state.string();
  s.options.runner.db = s.options.db.empty() ? (state / "rampart.db").string() : s.options.db;
  if (s.options.runner.instance_id.empty()) s.options.runner.instance_id = instance_id_for(state);
  s.options.runner.policy = &s.policy;
  // Nothing runs forever: workflows without a deadline get the policy's default.
  if (s.options.runner.default_deadline_seconds <= 0) {
    s.options.runner.default_deadline_seconds = s.policy.defaults.default_deadline_seconds;
  }
  // One masker for the secrets: the engines' writes and every response use the same.
  s.options.runner.masker = SecretMasker::from_secrets(s.options.runner.secrets);
  s.runner = std::make_unique<WorkflowRunner>(s.options.runner);
  s.api.state_dir = state.string();
  s.api.db = s.options.runner.db;
  s.api.runner = s.runner.get();
  s.api.resources = s.resources.get();
  s.api.policy = &s.policy;
  s.alerts = std::make_unique<guard::AlertLog>((state / "alerts.jsonl").string());
  s.api.alerts = s.alerts.get();
  s.api.version = s.options.version;
  s.api.masker = s.options.runner.masker;
  s.limiter = std::make_unique<FailureLimiter>(s.options.auth_failures);
  s.router = std::make_unique<Router>(s.api, *s.tokens, *s.audit, *s.limiter, s.options.sessions);
  add_all_routes(*s.router);

  net::HttpServerOptions http;
  http.address = host;
  http.port = port;
  http.cert_path = cert;
  http.key_path = key;
  http.threads = s.options.threads;
  http.body_limit = s.options.max_body_bytes;
  http.default_headers = {
      {"Strict-Transport-Security", "max-age=31536000; includeSubDomains"},
      {"Content-Security-Policy", kContentSecurityPolicy},
      {"X-Content-Type-Options", "nosniff"},
      {"X-Frame-Options", "DENY"},
      {"Referrer-Policy", "no-referrer"},
  };
  s.assets = std::make_unique<StaticAssets>(s.options.ui_dir);
  Router* router = s.router.get();
  StaticAssets* assets = s.assets.get();
  // The dashboard's files answer GETs outside the API; every other request, whatever its path,
  // goes through the Router and so is authenticated. The Router marks all its answers no-store;
  // the dashboard's hashed assets are cached for a year.
  s.http = std::make_unique<net::HttpServer>(http, [router, assets](net::HttpRequest& request) {
    if (request.method == "GET" && !is_api_path(request.path)) return assets->serve(request);
    return router->handle(request);
  });

  nlohmann::json info = {{"url", url()}, {"tls_fingerprint", s.fingerprint}, {"pid", ::getpid()}};
  write_private(state / "server.json", info.dump(2) + "\n");

  s.resumed = s.runner->resume_unfinished(s.api.store());
  s.runner->start_maintenance();
}

Server::~Server() {
  if (impl_ && impl_->state_lock >= 0) ::close(impl_->state_lock);
}

uint16_t Server::port() const { return impl_->http->port(); }

std::string Server::url() const {
  std::string host = impl_->host;
  if (host == "0.0.0.0") host = "127.0.0.1";
  if (host == "::") host = "::1";
  if (host.find(':') != std::string::npos) host = "[" + host + "]";
  return "https://" + host + ":" + std::to_string(port());
}

const std::string& Server::tls_fingerprint() const { return impl_->fingerprint; }
const std::string& Server::new_admin_token() const { return impl_->admin_token; }
int Server::resumed_workflows() const { return impl_->resumed; }

namespace {

// The guard's watch: once a second, look at what the running steps are doing.
void watch_loop(Server::Impl& s) {
  guard::Watcher watcher(s.policy, ::getpid());
  while (!s.stopping) {
    try {
      auto& store = s.api.store();
      for (auto alert : watcher.poll(store, now_ms())) {
        // A process's command line can carry a secret value (an argument the shell expanded).
        alert.evidence = s.api.masker->mask(alert.evidence);
        s.alerts->append(alert);
        store::EventRecord e;
        e.time_ms = alert.time_ms;
        e.node_id = alert.node_id;
        e.type = "Warning";
        e.reason = "GuardAlert";
        e.message = alert.rule + " (" + alert.severity + "): " + alert.evidence + "; action: " + alert.action;
        store.append_event(alert.namespace_, alert.workflow, e);
        store::AuditRecord audit;
        audit.subject = "guard";
        audit.source = "local";
        audit.method = "guard";
        audit.route = alert.rule;
        audit.object = alert.namespace_ + "/" + alert.workflow;
        audit.decision = alert.action == "terminate" ? "terminated" : "alerted";
        s.audit->append(audit);
        // The step fails with the guard's reason on its node (even if its shell would have
        // gone on to succeed: the watcher froze it), and the workflow is terminated with it.
        if (alert.action == "terminate") {
          engine::Engine::request_step_kill(store, alert.namespace_, alert.workflow, alert.node_id,
                                            alert.kill_reason());
        }
        std::clog << "rampart guard: " << alert.severity << " " << alert.rule << " in " << alert.namespace_ << "/"
                  << alert.workflow << ": " << alert.evidence << " -> " << alert.action << std::endl;
      }
    } catch (const std::exception& e) {
      std::clog << "rampart guard: " << e.what() << std::endl;
    }
    for (int i = 0; i < 10 && !s.stopping; ++i) std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
}

}  // namespace

void Server::run() {
  std::thread watch([this] { watch_loop(*impl_); });
  impl_->http->run();
  impl_->stopping = true;
  watch.join();
}

void Server::stop() { impl_->http->stop(); }

}  // namespace rampart::server
