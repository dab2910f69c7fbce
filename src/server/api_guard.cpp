// The guard's view through the API: alerts (GET /api/v1/alerts, filtered to the namespaces the
// caller can see) and Prometheus metrics (GET /metrics). Metrics need a token like everything
// else: workflow names and counts are information an attacker wants.
#include <map>
#include <sstream>

#include "guard/alert_log.h"
#include "server/api_routes.h"
#include "server/workflow_runner.h"

namespace rampart::server {

namespace {

std::string label_value(const std::string& v) {
  std::string out;
  for (char c : v) {
    if (c == '\\' || c == '"') out += '\\';
    if (c == '\n') {
      out += "\\n";
      continue;
    }
    out += c;
  }
  return out;
}

HttpResponse alerts(Call& call) {
  std::string ns = call.request.query_value("namespace");
  Json items = Json::array();
  for (const auto& a : call.api.alerts->read_all()) {
    if (call.subject.role_in(a.namespace_) == Role::None) continue;
    if (!ns.empty() && a.namespace_ != ns) continue;
    items.push_back(a.to_json());
  }
  return json_response({{"items", items}});
}

HttpResponse metrics(Call& call) {
  std::ostringstream out;
  std::map<std::pair<std::string, std::string>, int> by_rule;
  for (const auto& a : call.api.alerts->read_all()) {
    if (call.subject.role_in(a.namespace_) == Role::None) continue;
    ++by_rule[{a.rule, a.severity}];
  }
  out << "# HELP rampart_guard_alerts_total Runtime alerts raised by the guard.\n"
      << "# TYPE rampart_guard_alerts_total counter\n";
  for (const auto& [key, count] : by_rule) {
    out << "rampart_guard_alerts_total{rule=\"" << label_value(key.first) << "\",severity=\"" << label_value(key.second)
        << "\"} " << count << "\n";
  }
  std::map<std::pair<std::string, std::string>, int> by_phase;
  for (const auto& wf : call.api.store().list_workflows({})) {
    if (call.subject.role_in(wf.namespace_) == Role::None) continue;
    ++by_phase[{wf.namespace_, wf.phase.empty() ? "Pending" : wf.phase}];
  }
  out << "# HELP rampart_workflows Stored workflows by namespace and phase.\n"
      << "# TYPE rampart_workflows gauge\n";
  for (const auto& [key, count] : by_phase) {
    out << "rampart_workflows{namespace=\"" << label_value(key.first) << "\",phase=\"" << label_value(key.second)
        << "\"} " << count << "\n";
  }
  out << "# HELP rampart_engines_running Workflows this server is running now.\n"
      << "# TYPE rampart_engines_running gauge\n"
      << "rampart_engines_running " << call.api.runner->running_count() << "\n";
  HttpResponse r;
  r.content_type = "text/plain; version=0.0.4";
  r.body = out.str();
  return r;
}

}  // namespace

void add_guard_routes(Router& router) {
  router.add({"GET", "/api/v1/alerts", Role::Viewer, Scope::Any, alerts});
  router.add({"GET", "/metrics", Role::Viewer, Scope::Any, metrics});
}

}  // namespace rampart::server
