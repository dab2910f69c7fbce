// Unauthenticated list routes, and what they give away (names only: see leaks.h).
#include <string>

#include "scan/checks.h"
#include "scan/leaks.h"

namespace rampart::scan {

namespace {

// "/api/v1/workflow-templates/" -> "argo.api.workflow-templates.list.open"
std::string list_check_id(std::string path) {
  path = path.substr(std::string("/api/v1/").size());
  while (!path.empty() && path.back() == '/') path.pop_back();
  return "argo.api." + path + ".list.open";
}

bool list_open(const net::HttpClientResponse* r) {
  if (json_object(r)) return true;
  // A list too large to read whole is still a list.
  return r && r->ok() && r->status == 200 && r->truncated && !r->body.empty() && r->body[0] == '{';
}

}  // namespace

void check_listing(const Probe& probe, std::vector<Finding>& out) {
  std::set<std::string> secret_like;
  std::string secret_url;
  for (const char* path : kListPaths) {
    const auto* r = probe.get(path);
    if (!list_open(r)) continue;
    Leaks leaks = extract_leaks(r->body);
    nlohmann::json evidence = leaks.to_json();
    evidence["status"] = r->status;
    evidence["bytes_read"] = r->body.size();
    evidence["truncated"] = r->truncated;
    out.push_back(make_finding(list_check_id(path), probe.url(path), evidence));
    if (!leaks.secret_like_env.empty() && secret_url.empty()) secret_url = probe.url(path);
    secret_like.insert(leaks.secret_like_env.begin(), leaks.secret_like_env.end());
  }
  if (!secret_like.empty()) {
    nlohmann::json names = nlohmann::json::array();
    for (const auto& n : secret_like) {
      if (names.size() < 20) names.push_back(n);
    }
    out.push_back(make_finding("argo.leak.secret-env", secret_url,
                               {{"env_names", names}, {"count", secret_like.size()}, {"values", "[not read]"}}));
  }
}

}  // namespace rampart::scan
