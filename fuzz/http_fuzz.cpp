// libFuzzer target: any bytes as one raw HTTP request (request line, headers, body), read by the
// server's own parser (net::parse_request: Beast with the server's header and body limits) and
// then answered as the server answers it: GETs outside /api to the dashboard's files, everything
// else through the Router with every route, on a temporary state directory with SQLite.
//
// "$TOKEN" anywhere in the input stands for a real token (subject "fuzz": submitter in "argo",
// viewer in "team-b"), so that inputs derived from the seeds get past authentication and into
// the handlers; tokens and templates cannot be created with it, so the state stays small.
// Must never crash, leak or hang, whatever the input.
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <memory>
#include <string>
#include <string_view>

#include "guard/alert_log.h"
#include "guard/policy.h"
#include "net/http_server.h"
#include "server/api_routes.h"
#include "server/resource_files.h"
#include "server/static_assets.h"
#include "server/workflow_runner.h"
#include "store/access_store.h"

namespace {

using namespace rampart;

// Tokens and bindings in memory; audit records are counted, not kept, so that millions of
// runs neither grow memory nor wait on disk.
class MemoryAccessStore : public store::AccessStore {
 public:
  void put_token(const store::TokenRecord& token) override { tokens_[token.id] = token; }
  std::optional<store::TokenRecord> get_token(const std::string& id) override {
    auto it = tokens_.find(id);
    return it == tokens_.end() ? std::nullopt : std::optional(it->second);
  }
  std::vector<store::TokenRecord> list_tokens() override {
    std::vector<store::TokenRecord> out;
    for (const auto& [id, t] : tokens_) out.push_back(t);
    return out;
  }
  bool revoke_token(const std::string&, int64_t) override { return false; }
  void put_binding(const store::RoleBinding& b) override { bindings_.push_back(b); }
  bool delete_binding(const std::string&, const std::string&) override { return false; }
  std::vector<store::RoleBinding> bindings_of(const std::string& subject) override {
    std::vector<store::RoleBinding> out;
    for (const auto& b : bindings_) {
      if (b.subject == subject) out.push_back(b);
    }
    return out;
  }
  std::vector<store::RoleBinding> list_bindings() override { return bindings_; }
  int64_t append_audit(const store::AuditRecord&) override { return ++audits_; }
  std::vector<store::AuditRecord> audit_since(int64_t, int64_t) override { return {}; }

 private:
  std::map<std::string, store::TokenRecord> tokens_;
  std::vector<store::RoleBinding> bindings_;
  int64_t audits_ = 0;
};

struct NoExecutor : exec::Executor {
  void start(exec::StepRequest, std::function<void(exec::StepResult)>) override {}
  void kill(const std::string&, const std::string&) override {}
  void shutdown() override {}
};

std::string make_state_dir() {
  std::string pattern = (std::filesystem::temp_directory_path() / "rampart-http-fuzz-XXXXXX").string();
  if (::mkdtemp(pattern.data()) == nullptr) std::abort();
  return pattern;
}

// The server as `rampart server` assembles it (server.cpp), minus TLS, sockets and threads.
struct FuzzServer {
  std::string state = make_state_dir();
  MemoryAccessStore access;
  server::TokenService tokens{access, state + "/token.key"};
  server::AuditLog audit{access, "/dev/null"};
  // Generous, so that a run of bad tokens does not lock the real one out for the rest.
  server::FailureLimiter limiter{server::FailureLimits{1 << 30, 60'000, 60'000}};
  server::ResourceFiles resources{state + "/resources"};
  server::WorkflowRunner runner{make_runner_options(state)};
  guard::Policy policy;
  guard::AlertLog alerts{state + "/alerts.jsonl"};
  server::ApiContext api;
  std::unique_ptr<server::Router> router;
  server::StaticAssets assets{""};
  net::HttpServerOptions limits;  // the server's defaults: 16 KiB of headers, 1 MiB of body
  std::string token;

  FuzzServer() {
    api.state_dir = state;
    api.db = state + "/rampart.db";
    api.runner = &runner;
    api.resources = &resources;
    api.policy = &policy;
    api.alerts = &alerts;
    api.version = "fuzz";
    api.masker = std::make_shared<const SecretMasker>(std::vector<std::string>{"S00perS3cretPa55word"});
    router = std::make_unique<server::Router>(api, tokens, audit, limiter);
    server::add_all_routes(*router);
    token = tokens.create("fuzz", 0, "http_fuzz", 0).token;
    access.put_binding({"fuzz", "argo", "submitter"});
    access.put_binding({"fuzz", "team-b", "viewer"});
  }
  ~FuzzServer() {
    std::error_code ignored;
    std::filesystem::remove_all(state, ignored);
  }

  static server::RunnerOptions make_runner_options(const std::string& state) {
    server::RunnerOptions o;
    o.state_dir = state;
    o.make_executor = [](const std::string&) { return std::make_unique<NoExecutor>(); };
    return o;
  }

  net::HttpResponse answer(net::HttpRequest& request) {
    if (request.method == "GET" && !server::is_api_path(request.path)) return assets.serve(request);
    return router->handle(request);
  }
};

std::string with_token(std::string_view input, const std::string& token) {
  std::string out(input);
  static const std::string placeholder = "$TOKEN";
  for (size_t at = out.find(placeholder); at != std::string::npos; at = out.find(placeholder, at + token.size())) {
    out.replace(at, placeholder.size(), token);
  }
  return out;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static FuzzServer server;  // lives for the whole run, like the server; its state dir goes at exit
  std::string bytes = with_token(std::string_view(reinterpret_cast<const char*>(data), size), server.token);
  net::ParsedRequest parsed = net::parse_request(bytes, server.limits, "192.0.2.7");
  if (!parsed.request) return 0;
  net::HttpResponse response = server.answer(*parsed.request);
  if (response.stream) {
    std::string chunk;
    (void)response.stream(chunk);  // one poll, as the transport's first write does
  }
  return response.status == 0 ? 1 : 0;
}
