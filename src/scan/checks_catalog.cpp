#include <algorithm>

#include "common/bounded_json.h"
#include "scan/checks.h"

namespace rampart::scan {

const std::vector<CheckInfo>& check_catalog() {
  static const std::vector<CheckInfo> catalog = {
      {"argo.api.info.open", Severity::Critical, "/api/v1/info answers without credentials",
       "The Argo API accepts anonymous requests: anyone who reaches it can read and run workflows "
       "(run the server with --auth-mode=client or sso)."},
      {"argo.auth.server-mode", Severity::Critical, "server runs with --auth-mode=server",
       "Anonymous requests are served with the server's own service account and no user is attached "
       "(/api/v1/userinfo is empty): every caller has the server's Kubernetes rights."},
      {"argo.api.workflows.list.open", Severity::Critical, "workflows listed without credentials",
       "Workflow names, images and env var names are readable by anyone."},
      {"argo.api.workflow-templates.list.open", Severity::Critical, "workflow templates listed without credentials",
       "Templates are readable by anyone, and an open server lets anyone submit from them."},
      {"argo.api.cron-workflows.list.open", Severity::Critical, "cron workflows listed without credentials",
       "Scheduled workflows are readable by anyone."},
      {"argo.api.archived-workflows.list.open", Severity::High, "archived workflows listed without credentials",
       "The workflow archive is readable by anyone."},
      {"argo.leak.secret-env", Severity::High, "credential-like env vars set as plain values",
       "Workflows readable without credentials set env vars named like credentials with literal values "
       "(use secretKeyRef). Only the names are reported."},
      {"argo.api.lint.open", Severity::Critical, "unauthenticated lint accepted (intrusive check)",
       "POST .../lint was accepted without credentials, so submitting workflows almost certainly is too. "
       "Only sent with --check-submit; nothing is created.",
       true},
      {"argo.ui.open", Severity::High, "dashboard usable without a login",
       "The Argo UI is served at / and its API answers without credentials."},
      {"argo.api.version.open", Severity::Medium, "/api/v1/version answers without credentials",
       "The exact server version is disclosed to anyone, which helps picking exploits."},
      {"argo.api.userinfo.open", Severity::Medium, "/api/v1/userinfo answers without credentials",
       "The server answers identity queries for anonymous callers."},
      {"argo.auth.sso-insecure-redirect", Severity::Medium, "login redirect over plain HTTP",
       "The SSO login redirect (or its redirect_uri) uses http://: codes and cookies travel in clear."},
      {"argo.api.malformed-response", Severity::Medium, "API route answers 200 without credentials, not as JSON",
       "An API route answered 200 to an anonymous request with a body that is not Argo's JSON; check by hand "
       "(a proxy or another application may answer there)."},
      {"metrics.open", Severity::Medium, "/metrics open",
       "Prometheus metrics are readable without credentials (workflow names, namespaces, load)."},
      {"tls.missing", Severity::Medium, "API served over plain HTTP",
       "Tokens and workflow data travel unencrypted; serve the API over HTTPS only."},
      {"tls.weak-protocol", Severity::High, "TLS older than 1.2 negotiated",
       "The server chose TLS 1.1 or older; allow TLS 1.2 and 1.3 only."},
      {"tls.weak-cipher", Severity::High, "weak TLS cipher negotiated",
       "The server chose an RC4, DES/3DES, NULL, EXPORT, MD5 or anonymous cipher."},
      {"tls.legacy-protocol-accepted", Severity::Medium, "TLS 1.0/1.1 still accepted",
       "A client offering only TLS 1.1 or older could connect; disable them."},
      {"tls.fingerprint-mismatch", Severity::Critical, "certificate differs from the pinned one",
       "The certificate served is not the one the local server recorded in server.json: something else "
       "answers on its address."},
      {"tls.certificate-unverified", Severity::Low, "certificate does not verify",
       "The certificate does not chain to a trusted CA or does not name the host (self-signed is fine "
       "when clients pin its fingerprint)."},
      {"self.state-dir.mode", Severity::High, "state directory readable by others",
       "The rampart state directory must be mode 0700."},
      {"self.file.mode", Severity::High, "secret file readable by others",
       "admin.token, tls.key, token.key and access.db must be mode 0600."},
      {"self.listen.non-loopback", Severity::Low, "server listens beyond loopback",
       "The local server listens on a non-loopback address; make sure that is intended."},
  };
  return catalog;
}

const CheckInfo* find_check(const std::string& id) {
  const auto& c = check_catalog();
  auto it = std::find_if(c.begin(), c.end(), [&](const CheckInfo& i) { return i.id == id; });
  return it == c.end() ? nullptr : &*it;
}

Finding make_finding(const std::string& id, const std::string& url, nlohmann::json evidence) {
  Finding f;
  f.id = id;
  f.url = url;
  f.evidence = std::move(evidence);
  if (const CheckInfo* info = find_check(id)) {
    f.severity = info->severity;
    f.title = info->title;
    f.intrusive = info->intrusive;
  }
  return f;
}

std::optional<nlohmann::json> json_object(const net::HttpClientResponse* response) {
  if (!response || !response->ok() || response->status != 200) return std::nullopt;
  auto json = parse_untrusted_json_or_discarded(response->body);
  if (json.is_discarded() || !json.is_object()) return std::nullopt;
  return json;
}

bool is_auth_required(const net::HttpClientResponse* r) {
  return r && r->ok() && (r->status == 401 || r->status == 403);
}

bool is_redirect(const net::HttpClientResponse* r) {
  return r && r->ok() && r->status >= 300 && r->status < 400 && !r->header("location").empty();
}

bool is_malformed(const net::HttpClientResponse* r) {
  return r && r->ok() && r->status == 200 && !json_object(r) &&
         !(r->truncated && r->body.size() > 0 && r->body[0] == '{');
}

bool api_open(const Probe& probe) {
  if (json_object(probe.get(kInfoPath))) return true;
  for (const char* path : kListPaths) {
    const auto* r = probe.get(path);
    if (json_object(r) || (r && r->ok() && r->status == 200 && r->truncated && !r->body.empty() && r->body[0] == '{')) {
      return true;
    }
  }
  return false;
}

}  // namespace rampart::scan
