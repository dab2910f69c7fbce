#include <algorithm>
#include <sstream>

#include "scan/report.h"

namespace rampart::scan {

namespace {

std::string fit(const std::string& s, size_t width) {
  if (s.size() <= width) return s + std::string(width - s.size(), ' ');
  if (width <= 3) return s.substr(0, width);
  return s.substr(0, width - 3) + "...";
}

std::string clip(const std::string& s, size_t width) {
  if (s.size() <= width) return s;
  return width <= 3 ? s.substr(0, width) : s.substr(0, width - 3) + "...";
}

std::string upper(std::string s) {
  for (auto& c : s) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return s;
}

std::string join(const nlohmann::json& list, size_t max) {
  std::string out;
  size_t n = 0;
  for (const auto& v : list) {
    if (n++ == max) {
      out += ", ...";
      break;
    }
    if (!out.empty()) out += ", ";
    out += v.is_string() ? v.get<std::string>() : v.dump();
  }
  return out;
}

}  // namespace

std::string evidence_summary(const Finding& f) {
  const auto& e = f.evidence;
  auto str = [&](const char* k) { return e.contains(k) && e[k].is_string() ? e[k].get<std::string>() : std::string(); };
  if (f.id.find(".list.open") != std::string::npos) {
    std::string s = std::to_string(e.value("items", 0)) + " item(s)";
    if (e.contains("images") && !e["images"].empty()) s += "; images: " + join(e["images"], 3);
    if (e.contains("private_registries") && !e["private_registries"].empty()) {
      s += "; registries: " + join(e["private_registries"], 3);
    }
    if (e.contains("env_names") && !e["env_names"].empty()) s += "; env: " + join(e["env_names"], 4);
    if (e.value("truncated", false)) s += "; truncated";
    return s;
  }
  if (f.id == "argo.api.version.open") return "version " + str("version");
  if (f.id == "argo.api.info.open") return "managedNamespace=\"" + str("managedNamespace") + "\"";
  if (f.id == "argo.leak.secret-env" || f.id == "argo.api.userinfo.open") {
    return e.contains("env_names") ? "env: " + join(e["env_names"], 5) : "subject=\"" + str("subject") + "\"";
  }
  if (f.id.rfind("tls.", 0) == 0) {
    if (!str("verify_error").empty()) return str("verify_error");
    if (!str("protocol").empty()) return str("protocol") + " " + str("cipher");
    if (!str("served").empty()) return "served " + str("served");
    return "scheme http";
  }
  if (f.id.rfind("self.", 0) == 0) return str("path") + " mode " + str("mode");
  if (f.id == "metrics.open") return std::to_string(e.value("metric_families", 0)) + " metric families";
  if (f.id == "argo.auth.sso-insecure-redirect") return "-> " + str("location");
  if (f.id == "argo.api.malformed-response" && e.contains("routes")) {
    return std::to_string(e["routes"].size()) + " route(s)";
  }
  if (f.id == "argo.ui.open") return "title \"" + str("title") + "\"";
  if (f.id == "argo.api.lint.open") return "namespace " + str("namespace") + ", nothing created";
  return str("reason");
}

std::string render_table(const ScanReport& report, size_t width) {
  width = std::max<size_t>(width, 60);
  std::ostringstream out;
  // Endpoints: URL, status, product/version, detail.
  const size_t url_w = 34, status_w = 10, version_w = 14;
  const size_t detail_w = width - url_w - status_w - version_w - 3;
  out << fit("ENDPOINT", url_w) << " " << fit("STATUS", status_w) << " " << fit("VERSION", version_w) << " "
      << "DETAIL\n";
  for (const auto& t : report.targets) {
    for (const auto& e : t.endpoints) {
      std::string version = e.product.empty() ? "" : e.product + (e.version.empty() ? "" : " " + e.version);
      out << fit(e.url, url_w) << " " << fit(to_string(e.status), status_w) << " " << fit(version, version_w) << " "
          << clip(e.detail, detail_w) << "\n";
    }
  }
  auto findings = report.all_findings();
  for (Severity s : {Severity::Critical, Severity::High, Severity::Medium, Severity::Low, Severity::Info}) {
    size_t n = std::count_if(findings.begin(), findings.end(), [&](const Finding& f) { return f.severity == s; });
    if (n == 0) continue;
    out << "\n" << upper(to_string(s)) << " (" << n << ")\n";
    for (const auto& f : findings) {
      if (f.severity != s) continue;
      std::string line = "  " + fit(f.id, 38) + " " + f.url;
      out << clip(line, width) << "\n";
      std::string detail = "      " + f.title;
      std::string evidence = evidence_summary(f);
      if (!evidence.empty()) detail += ": " + evidence;
      out << clip(detail, width) << "\n";
    }
  }
  size_t exposed = 0;
  for (const auto& t : report.targets) {
    exposed += std::any_of(t.endpoints.begin(), t.endpoints.end(),
                           [](const EndpointResult& e) { return e.status == EndpointStatus::Exposed; });
  }
  std::ostringstream summary;
  summary << "\n"
          << report.targets.size() << " target(s), " << exposed
          << " exposed; findings: " << report.count(Severity::Critical) << " critical, " << report.count(Severity::High)
          << " high, " << report.count(Severity::Medium) << " medium, " << report.count(Severity::Low) << " low, "
          << report.count(Severity::Info) << " info; " << report.elapsed_ms << " ms";
  out << clip(summary.str(), width + 1) << "\n";
  return out.str();
}

}  // namespace rampart::scan
