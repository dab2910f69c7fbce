// SARIF 2.1.0 (OASIS): one run, one rule per check in the catalog, one result per finding. The
// "location" of a network finding is the URL that was requested.
#include "scan/checks.h"
#include "scan/report.h"

namespace rampart::scan {

namespace {

const char* level_of(Severity s) {
  switch (s) {
    case Severity::Critical:
    case Severity::High: return "error";
    case Severity::Medium: return "warning";
    default: return "note";
  }
}

// GitHub code scanning reads a CVSS-like score from properties.security-severity.
const char* score_of(Severity s) {
  switch (s) {
    case Severity::Critical: return "9.5";
    case Severity::High: return "8.0";
    case Severity::Medium: return "5.5";
    case Severity::Low: return "3.0";
    default: return "0.0";
  }
}

}  // namespace

nlohmann::json render_sarif(const ScanReport& report, const std::string& tool_version) {
  nlohmann::json rules = nlohmann::json::array();
  const auto& catalog = check_catalog();
  for (const auto& check : catalog) {
    rules.push_back({{"id", check.id},
                     {"name", check.id},
                     {"shortDescription", {{"text", check.title}}},
                     {"fullDescription", {{"text", check.help}}},
                     {"help", {{"text", check.help}}},
                     {"defaultConfiguration", {{"level", level_of(check.severity)}}},
                     {"properties",
                      {{"security-severity", score_of(check.severity)},
                       {"severity", to_string(check.severity)},
                       {"intrusive", check.intrusive},
                       {"tags", {"security"}}}}});
  }
  nlohmann::json results = nlohmann::json::array();
  for (const auto& f : report.all_findings()) {
    int index = -1;
    for (size_t i = 0; i < catalog.size(); ++i) {
      if (catalog[i].id == f.id) index = static_cast<int>(i);
    }
    nlohmann::json result = {{"ruleId", f.id},
                             {"level", level_of(f.severity)},
                             {"message", {{"text", f.title + " (" + f.url + ")"}}},
                             {"locations", {{{"physicalLocation", {{"artifactLocation", {{"uri", f.url}}}}}}}},
                             {"properties", {{"severity", to_string(f.severity)}, {"evidence", f.evidence}}}};
    if (index >= 0) result["ruleIndex"] = index;
    results.push_back(std::move(result));
  }
  return {{"$schema", "https://json.schemastore.org/sarif-2.1.0.json"},
          {"version", "2.1.0"},
          {"runs",
           {{{"tool",
              {{"driver",
                {{"name", "rampart-scan"},
                 {"version", tool_version},
                 {"informationUri", "https://argo-workflows.readthedocs.io/en/latest/security/"},
                 {"rules", rules}}}}},
             {"invocations", {{{"executionSuccessful", true}}}},
             {"results", results}}}}};
}

}  // namespace rampart::scan
