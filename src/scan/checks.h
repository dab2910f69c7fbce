// The checks: each reads what one endpoint answered (a Probe) and adds findings. Every check id,
// its severity and its description live in one catalog (checks_catalog.cpp), which the SARIF
// report and docs/scan.md follow.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "net/http_client.h"
#include "scan/finding.h"

namespace rampart::scan {

struct CheckInfo {
  std::string id;
  Severity severity;
  std::string title;
  std::string help;
  bool intrusive = false;
};

const std::vector<CheckInfo>& check_catalog();
const CheckInfo* find_check(const std::string& id);
// A finding with the catalog's severity and title.
Finding make_finding(const std::string& id, const std::string& url, nlohmann::json evidence);

// Routes read without credentials (relative to the endpoint's base path).
inline const char* const kInfoPath = "/api/v1/info";
inline const char* const kVersionPath = "/api/v1/version";
inline const char* const kUserInfoPath = "/api/v1/userinfo";
inline const char* const kListPaths[] = {"/api/v1/workflows/", "/api/v1/workflow-templates/", "/api/v1/cron-workflows/",
                                         "/api/v1/archived-workflows"};
inline const char* const kDashboardPath = "/";
inline const char* const kMetricsPath = "/metrics";

// Everything one endpoint answered.
struct Probe {
  std::string base;                                          // scheme://host:port[/base]
  std::string scheme;                                        // "http" or "https"
  bool scheme_guessed = false;                               // the target gave no scheme: plain HTTP was tried first
  std::map<std::string, net::HttpClientResponse> responses;  // by path
  std::optional<net::HttpClientResponse> legacy_tls;         // handshake offering TLS <= 1.1 only
  std::optional<net::HttpClientResponse> lint;               // --check-submit
  std::string lint_namespace;
  std::string pinned_fingerprint;  // --self: the certificate the server says it has

  const net::HttpClientResponse* get(const std::string& path) const {
    auto it = responses.find(path);
    return it == responses.end() ? nullptr : &it->second;
  }
  std::string url(const std::string& path) const { return base + path; }
};

// A 200 whose body is a JSON object.
std::optional<nlohmann::json> json_object(const net::HttpClientResponse* response);
bool is_auth_required(const net::HttpClientResponse* response);  // 401 or 403
bool is_redirect(const net::HttpClientResponse* response);
bool is_malformed(const net::HttpClientResponse* response);  // 200 but not a JSON object
// True when the API gave anything away without credentials.
bool api_open(const Probe& probe);

void check_api(const Probe& probe, std::vector<Finding>& out);        // checks_api.cpp
void check_listing(const Probe& probe, std::vector<Finding>& out);    // checks_listing.cpp
void check_tls(const Probe& probe, std::vector<Finding>& out);        // checks_tls.cpp
void check_dashboard(const Probe& probe, std::vector<Finding>& out);  // checks_dashboard.cpp
void check_submit(const Probe& probe, std::vector<Finding>& out);     // checks_submit.cpp

// The harmless request --check-submit sends: lint (never create) of a one-step suspend workflow.
net::HttpClientRequest lint_request(const std::string& base, const std::string& ns, int64_t timeout_ms);

// --self: modes of the state directory and its secrets (0700 / 0600).
void check_state_files(const std::string& state_dir, std::vector<Finding>& out);  // checks_local.cpp

}  // namespace rampart::scan
