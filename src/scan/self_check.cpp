// `rampart scan --self`: the local server as a client sees it, pinned to the certificate it
// recorded, plus the modes of its state files.
#include <filesystem>
#include <fstream>
#include <sstream>

#include "net/url.h"
#include "scan/checks.h"
#include "scan/scanner.h"

namespace rampart::scan {

ScanReport run_self_scan(const std::string& state_dir, ScanOptions options) {
  std::string path = (std::filesystem::path(state_dir) / "server.json").string();
  std::ifstream in(path);
  if (!in) {
    throw SelfConfigError("no " + path + ": start `rampart server --state " + state_dir +
                          "` first (it writes its URL there)");
  }
  std::stringstream text;
  text << in.rdbuf();
  auto json = nlohmann::json::parse(text.str(), nullptr, false);
  if (json.is_discarded() || !json.is_object() || !json.contains("url") || !json["url"].is_string()) {
    throw SelfConfigError(path + " is not a rampart server.json (needs \"url\")");
  }
  std::string url = json["url"].get<std::string>();
  auto parsed = net::parse_url(url);
  if (!parsed) throw SelfConfigError(path + ": invalid url \"" + url + "\"");
  if (json.contains("tls_fingerprint") && json["tls_fingerprint"].is_string()) {
    options.pinned_fingerprint = json["tls_fingerprint"].get<std::string>();
  }
  ScanReport report = run_scan({url}, options);
  check_state_files(state_dir, report.local_findings);
  if (!net::is_loopback_host(parsed->host)) {
    report.local_findings.push_back(make_finding("self.listen.non-loopback", url, {{"host", parsed->host}}));
  }
  return report;
}

}  // namespace rampart::scan
