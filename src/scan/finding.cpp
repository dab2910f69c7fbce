#include "scan/finding.h"

#include <algorithm>

namespace rampart::scan {

const char* to_string(Severity severity) {
  switch (severity) {
    case Severity::Info: return "info";
    case Severity::Low: return "low";
    case Severity::Medium: return "medium";
    case Severity::High: return "high";
    case Severity::Critical: return "critical";
  }
  return "info";
}

std::optional<Severity> parse_severity(const std::string& text) {
  for (Severity s : {Severity::Info, Severity::Low, Severity::Medium, Severity::High, Severity::Critical}) {
    if (text == to_string(s)) return s;
  }
  return std::nullopt;
}

const char* to_string(EndpointStatus status) {
  switch (status) {
    case EndpointStatus::Exposed: return "exposed";
    case EndpointStatus::Protected: return "protected";
    case EndpointStatus::Unknown: return "unknown";
    case EndpointStatus::NotArgo: return "not-argo";
    case EndpointStatus::Timeout: return "timeout";
    case EndpointStatus::Closed: return "closed";
    case EndpointStatus::Error: return "error";
  }
  return "error";
}

std::vector<Finding> ScanReport::all_findings() const {
  std::vector<Finding> out = local_findings;
  for (const auto& t : targets) {
    for (const auto& e : t.endpoints) out.insert(out.end(), e.findings.begin(), e.findings.end());
  }
  std::stable_sort(out.begin(), out.end(), [](const Finding& a, const Finding& b) { return a.severity > b.severity; });
  return out;
}

std::optional<Severity> ScanReport::worst() const {
  std::optional<Severity> worst;
  for (const auto& f : all_findings()) {
    if (!worst || f.severity > *worst) worst = f.severity;
  }
  return worst;
}

size_t ScanReport::count(Severity severity) const {
  size_t n = 0;
  for (const auto& f : all_findings()) n += f.severity == severity;
  return n;
}

nlohmann::json to_json(const Finding& finding) {
  return {{"id", finding.id},
          {"severity", to_string(finding.severity)},
          {"title", finding.title},
          {"url", finding.url},
          {"evidence", finding.evidence},
          {"intrusive", finding.intrusive}};
}

nlohmann::json to_json(const ScanReport& report) {
  nlohmann::json targets = nlohmann::json::array();
  size_t exposed = 0;
  for (const auto& t : report.targets) {
    nlohmann::json endpoints = nlohmann::json::array();
    bool target_exposed = false;
    for (const auto& e : t.endpoints) {
      nlohmann::json findings = nlohmann::json::array();
      for (const auto& f : e.findings) findings.push_back(to_json(f));
      nlohmann::json endpoint = {{"url", e.url},         {"status", to_string(e.status)}, {"detail", e.detail},
                                 {"product", e.product}, {"version", e.version},          {"elapsed_ms", e.elapsed_ms},
                                 {"findings", findings}};
      if (!e.tls.is_null()) endpoint["tls"] = e.tls;
      endpoints.push_back(std::move(endpoint));
      target_exposed |= e.status == EndpointStatus::Exposed;
    }
    exposed += target_exposed;
    targets.push_back({{"target", t.target}, {"exposed", target_exposed}, {"endpoints", endpoints}});
  }
  std::vector<Finding> all = report.all_findings();
  nlohmann::json counts = nlohmann::json::object();
  for (Severity s : {Severity::Critical, Severity::High, Severity::Medium, Severity::Low, Severity::Info}) {
    counts[to_string(s)] = std::count_if(all.begin(), all.end(), [s](const Finding& f) { return f.severity == s; });
  }
  nlohmann::json findings = nlohmann::json::array();
  for (const auto& f : all) findings.push_back(to_json(f));
  nlohmann::json local = nlohmann::json::array();
  for (const auto& f : report.local_findings) local.push_back(to_json(f));
  std::optional<Severity> worst;
  if (!all.empty()) worst = all.front().severity;  // sorted, highest first
  return {{"summary",
           {{"targets", report.targets.size()},
            {"exposed_targets", exposed},
            {"findings", counts},
            {"worst", worst ? to_string(*worst) : "none"},
            {"elapsed_ms", report.elapsed_ms},
            {"timeout_ms", report.timeout_ms},
            {"concurrency", report.concurrency},
            {"check_submit", report.check_submit}}},
          {"targets", targets},
          {"local_findings", local},
          {"findings", findings}};
}

}  // namespace rampart::scan
