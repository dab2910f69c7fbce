// --check-submit (intrusive, off by default): does the server lint a workflow for an anonymous
// caller? Lint never creates anything; a create with serverDryRun is deliberately not sent, since a
// server that ignored the flag would run it.
#include "scan/checks.h"

namespace rampart::scan {

net::HttpClientRequest lint_request(const std::string& base, const std::string& ns, int64_t timeout_ms) {
  nlohmann::json workflow = {
      {"apiVersion", "argoproj.io/v1alpha1"},
      {"kind", "Workflow"},
      {"metadata", {{"generateName", "rampart-scan-lint-"}, {"namespace", ns}}},
      {"spec", {{"entrypoint", "main"}, {"templates", {{{"name", "main"}, {"suspend", nlohmann::json::object()}}}}}}};
  net::HttpClientRequest request;
  request.method = "POST";
  request.url = base + "/api/v1/workflows/" + ns + "/lint";
  request.headers = {{"Content-Type", "application/json"}};
  request.body = nlohmann::json{{"namespace", ns}, {"workflow", workflow}}.dump();
  request.timeout_ms = timeout_ms;
  return request;
}

void check_submit(const Probe& probe, std::vector<Finding>& out) {
  if (!probe.lint || !probe.lint->ok()) return;
  if (probe.lint->status == 200 && json_object(&*probe.lint)) {
    out.push_back(make_finding("argo.api.lint.open", probe.base + "/api/v1/workflows/" + probe.lint_namespace + "/lint",
                               {{"status", 200}, {"namespace", probe.lint_namespace}, {"created", false}}));
  }
}

}  // namespace rampart::scan
