// Unauthenticated /api/v1/info, /version and /userinfo; --auth-mode=server; SSO redirects;
// API routes answering 200 with something that is not JSON.
#include "net/url.h"
#include "scan/checks.h"

namespace rampart::scan {

namespace {

std::string string_field(const nlohmann::json& j, const char* key) {
  return j.contains(key) && j[key].is_string() ? j[key].get<std::string>() : std::string();
}

bool insecure_location(const std::string& location) {
  auto starts_http = [](const std::string& s) { return s.rfind("http://", 0) == 0; };
  if (starts_http(location)) {
    auto url = net::parse_url(location);
    return !url || !net::is_loopback_host(url->host);
  }
  // redirect_uri=http%3A%2F%2F... inside an IdP URL
  auto pos = location.find("redirect_uri=");
  if (pos == std::string::npos) return false;
  std::string value = location.substr(pos + 13, 16);
  return value.rfind("http%3A", 0) == 0 || value.rfind("http%3a", 0) == 0 || value.rfind("http:", 0) == 0;
}

}  // namespace

void check_api(const Probe& probe, std::vector<Finding>& out) {
  const auto* info_response = probe.get(kInfoPath);
  auto info = json_object(info_response);
  if (info) {
    nlohmann::json evidence = {{"status", 200}};
    evidence["managedNamespace"] = string_field(*info, "managedNamespace");
    evidence["links"] = (*info).contains("links") && (*info)["links"].is_array() ? (*info)["links"].size() : 0;
    nlohmann::json modals = nlohmann::json::array();
    if (info->contains("modals") && (*info)["modals"].is_object()) {
      for (const auto& [k, v] : (*info)["modals"].items()) modals.push_back(k);
    }
    evidence["modals"] = modals;
    out.push_back(make_finding("argo.api.info.open", probe.url(kInfoPath), evidence));
  }

  if (auto version = json_object(probe.get(kVersionPath))) {
    nlohmann::json evidence = {{"status", 200}};
    for (const char* key : {"version", "buildDate", "gitCommit", "gitTag", "goVersion", "platform"}) {
      std::string v = string_field(*version, key);
      if (!v.empty()) evidence[key] = v.substr(0, 80);
    }
    out.push_back(make_finding("argo.api.version.open", probe.url(kVersionPath), evidence));
  }

  if (auto user = json_object(probe.get(kUserInfoPath))) {
    // Who the server thinks an anonymous caller is; emails are personal data: only whether one is set.
    nlohmann::json evidence = {{"status", 200},
                               {"subject", string_field(*user, "subject")},
                               {"issuer", string_field(*user, "issuer")},
                               {"serviceAccountName", string_field(*user, "serviceAccountName")},
                               {"has_email", !string_field(*user, "email").empty()}};
    out.push_back(make_finding("argo.api.userinfo.open", probe.url(kUserInfoPath), evidence));
    if (info && string_field(*user, "subject").empty() && string_field(*user, "issuer").empty()) {
      out.push_back(make_finding(
          "argo.auth.server-mode", probe.url(kUserInfoPath),
          {{"reason", "/api/v1/info and /api/v1/userinfo answer an anonymous request and no user is attached"}}));
    }
  }

  if (is_redirect(info_response)) {
    std::string location = info_response->header("location");
    if (insecure_location(location)) {
      out.push_back(make_finding("argo.auth.sso-insecure-redirect", probe.url(kInfoPath),
                                 {{"status", info_response->status}, {"location", location.substr(0, 200)}}));
    }
  }

  nlohmann::json malformed = nlohmann::json::array();
  std::vector<std::string> paths = {kInfoPath, kVersionPath, kUserInfoPath};
  for (const char* p : kListPaths) paths.emplace_back(p);
  for (const auto& path : paths) {
    const auto* r = probe.get(path);
    if (is_malformed(r)) {
      malformed.push_back({{"path", path},
                           {"content_type", r->header("content-type").substr(0, 80)},
                           {"bytes", r->body.size()},
                           {"truncated", r->truncated}});
    }
  }
  if (!malformed.empty()) {
    out.push_back(make_finding("argo.api.malformed-response", probe.url(malformed[0]["path"].get<std::string>()),
                               {{"routes", malformed}}));
  }
}

}  // namespace rampart::scan
