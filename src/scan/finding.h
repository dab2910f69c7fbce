// What a scan finds: findings (id, severity, evidence) per endpoint, endpoints per target.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace rampart::scan {

enum class Severity { Info = 0, Low = 1, Medium = 2, High = 3, Critical = 4 };

const char* to_string(Severity severity);
std::optional<Severity> parse_severity(const std::string& text);

struct Finding {
  std::string id;  // stable check id, e.g. "argo.api.info.open"
  Severity severity = Severity::Info;
  std::string title;                                   // one line
  std::string url;                                     // what was requested
  nlohmann::json evidence = nlohmann::json::object();  // names and counts only, never secret values
  bool intrusive = false;                              // came from a --check-submit probe
};

// What one endpoint (scheme://host:port) turned out to be.
enum class EndpointStatus {
  Exposed,    // at least one finding at high severity or above
  Protected,  // the API asks for credentials (401/403) or sends to a login page
  Unknown,    // answers, but not in Argo's shape (e.g. 200 with a body that is not JSON)
  NotArgo,    // answers HTTP, but no Argo API there (404, ...)
  Timeout,    // accepted or not, but no answer within the timeout
  Closed,     // nothing listens
  Error,      // TLS or protocol failure, name that does not resolve
};

const char* to_string(EndpointStatus status);

struct EndpointResult {
  std::string target;  // as given by the user
  std::string url;     // scheme://host:port[/base]
  EndpointStatus status = EndpointStatus::Closed;
  std::string detail;   // why, in a few words ("401 on /api/v1/info", "connect: refused", ...)
  std::string product;  // "argo", "rampart" or ""
  std::string version;  // from /api/v1/version when it answered
  nlohmann::json tls;   // {"protocol","cipher","verified","fingerprint",...} when TLS was used
  int64_t elapsed_ms = 0;
  std::vector<Finding> findings;
};

struct TargetResult {
  std::string target;
  std::vector<EndpointResult> endpoints;
};

struct ScanReport {
  std::vector<TargetResult> targets;
  std::vector<Finding> local_findings;  // --self: files in the state directory
  int64_t elapsed_ms = 0;
  int64_t timeout_ms = 0;
  int concurrency = 0;
  bool check_submit = false;

  // Every finding, highest severity first (stable within a severity).
  std::vector<Finding> all_findings() const;
  std::optional<Severity> worst() const;
  size_t count(Severity severity) const;
};

nlohmann::json to_json(const Finding& finding);
nlohmann::json to_json(const ScanReport& report);

}  // namespace rampart::scan
