// The dashboard at / (a problem only when its API is open) and Prometheus /metrics.
#include <algorithm>
#include <cctype>

#include "scan/checks.h"

namespace rampart::scan {

namespace {

std::string lower(std::string s) {
  for (auto& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

std::string title_of(const std::string& html) {
  std::string l = lower(html.substr(0, 64 * 1024));
  auto start = l.find("<title>");
  if (start == std::string::npos) return {};
  auto end = l.find("</title>", start);
  if (end == std::string::npos) return {};
  return html.substr(start + 7, std::min<size_t>(end - start - 7, 80));
}

}  // namespace

void check_dashboard(const Probe& probe, std::vector<Finding>& out) {
  const auto* root = probe.get(kDashboardPath);
  if (root && root->ok() && root->status == 200 && api_open(probe)) {
    std::string type = lower(root->header("content-type"));
    std::string body = lower(root->body.substr(0, 64 * 1024));
    if (type.find("html") != std::string::npos && body.find("argo") != std::string::npos) {
      out.push_back(make_finding("argo.ui.open", probe.url(kDashboardPath),
                                 {{"status", 200}, {"title", title_of(root->body)}, {"login_required", false}}));
    }
  }
  const auto* metrics = probe.get(kMetricsPath);
  if (metrics && metrics->ok() && metrics->status == 200 &&
      (metrics->body.find("# TYPE ") != std::string::npos || metrics->body.find("# HELP ") != std::string::npos)) {
    size_t families = 0;
    for (size_t pos = 0; (pos = metrics->body.find("# TYPE ", pos)) != std::string::npos; pos += 7) ++families;
    out.push_back(make_finding("metrics.open", probe.url(kMetricsPath),
                               {{"status", 200},
                                {"metric_families", families},
                                {"argo_metrics", metrics->body.find("argo_") != std::string::npos}}));
  }
}

}  // namespace rampart::scan
