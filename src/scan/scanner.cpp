#include "scan/scanner.h"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <map>
#include <mutex>
#include <set>
#include <stdexcept>
#include <thread>

#include "net/http_client.h"
#include "scan/checks.h"

namespace rampart::scan {

namespace {

using net::HttpClientError;
using net::HttpClientRequest;
using net::HttpClientResponse;

bool retryable(const HttpClientResponse& r) {
  return net::is_transient(r.error) || (r.ok() && (r.status == 502 || r.status == 503 || r.status == 504));
}

class Prober {
 public:
  Prober(net::HttpClient& client, const ScanOptions& options) : client_(client), options_(options) {}

  // Runs the requests at once; retries the transient failures (with a short backoff).
  std::vector<HttpClientResponse> fetch(std::vector<HttpClientRequest> requests, int retries) {
    auto results = client_.fetch_all(requests);
    for (int attempt = 1; attempt <= retries; ++attempt) {
      std::vector<size_t> again;
      for (size_t i = 0; i < results.size(); ++i) {
        if (retryable(results[i])) again.push_back(i);
      }
      if (again.empty()) break;
      std::this_thread::sleep_for(std::chrono::milliseconds(100 * attempt));
      std::vector<HttpClientRequest> retry;
      for (size_t i : again) retry.push_back(requests[i]);
      auto retried = client_.fetch_all(retry);
      for (size_t k = 0; k < again.size(); ++k) results[again[k]] = std::move(retried[k]);
    }
    return results;
  }

  HttpClientRequest get(const std::string& url) const {
    HttpClientRequest r;
    r.url = url;
    r.timeout_ms = options_.timeout_ms;
    return r;
  }

  EndpointResult scan(const Candidate& candidate) {
    auto start = std::chrono::steady_clock::now();
    EndpointResult result;
    result.target = candidate.target;
    Probe probe;
    probe.pinned_fingerprint = options_.pinned_fingerprint;
    probe.scheme_guessed = candidate.scheme.empty();
    std::string host = candidate.host.find(':') != std::string::npos ? "[" + candidate.host + "]" : candidate.host;
    std::string authority = host + ":" + std::to_string(candidate.port);

    // 1. /api/v1/info decides the scheme. Plain HTTP goes first when there is a choice: a TLS
    // server rejects it at once, whereas a plain server may wait for more of a ClientHello.
    std::vector<std::string> schemes = candidate.scheme.empty() ? std::vector<std::string>{"http", "https"}
                                                                : std::vector<std::string>{candidate.scheme};
    std::optional<HttpClientResponse> info;
    for (const auto& scheme : schemes) {
      std::string base = scheme + "://" + authority + candidate.base_path;
      result.url = base;
      bool guessing_http = probe.scheme_guessed && scheme == "http";
      auto r = fetch({get(base + kInfoPath)}, guessing_http ? 0 : options_.retries)[0];
      if (r.error == HttpClientError::Refused || r.error == HttpClientError::Timeout ||
          r.error == HttpClientError::Resolve || r.error == HttpClientError::InvalidUrl) {
        result.status = r.error == HttpClientError::Refused   ? EndpointStatus::Closed
                        : r.error == HttpClientError::Timeout ? EndpointStatus::Timeout
                                                              : EndpointStatus::Error;
        result.detail = r.error_message;
        info.reset();
        break;
      }
      bool plain_to_tls = r.ok() && r.status == 400 && r.body.find("HTTPS server") != std::string::npos;
      if (r.ok() && !plain_to_tls) {
        probe.base = base;
        probe.scheme = scheme;
        info = std::move(r);
        break;
      }
      result.status = EndpointStatus::Error;
      result.detail = r.ok() ? "plain HTTP sent to an HTTPS server" : r.error_message;
    }

    if (info) {
      probe.responses[kInfoPath] = std::move(*info);
      // 2. Everything else at once.
      std::vector<std::string> paths = {kVersionPath, kUserInfoPath};
      for (const char* p : kListPaths) paths.emplace_back(p);
      paths.emplace_back(kDashboardPath);
      paths.emplace_back(kMetricsPath);
      std::vector<HttpClientRequest> requests;
      for (const auto& p : paths) requests.push_back(get(probe.base + p));
      bool https = probe.scheme == "https";
      if (https) {
        auto legacy = get(probe.base + kVersionPath);
        legacy.legacy_tls_only = true;
        requests.push_back(legacy);
      }
      auto responses = fetch(requests, options_.retries);
      for (size_t i = 0; i < paths.size(); ++i) probe.responses[paths[i]] = std::move(responses[i]);
      if (https) probe.legacy_tls = std::move(responses.back());

      // 3. Intrusive, only when asked.
      if (options_.check_submit) {
        std::string ns = "argo";
        if (auto info_json = json_object(probe.get(kInfoPath))) {
          if (info_json->contains("managedNamespace") && (*info_json)["managedNamespace"].is_string() &&
              !(*info_json)["managedNamespace"].get<std::string>().empty()) {
            ns = (*info_json)["managedNamespace"].get<std::string>();
          }
        }
        probe.lint_namespace = ns;
        probe.lint = fetch({lint_request(probe.base, ns, options_.timeout_ms)}, options_.retries)[0];
      }

      check_api(probe, result.findings);
      check_listing(probe, result.findings);
      check_dashboard(probe, result.findings);
      check_tls(probe, result.findings);
      check_submit(probe, result.findings);
      classify(probe, result);
    }
    result.elapsed_ms =
        std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - start).count();
    return result;
  }

 private:
  static void classify(const Probe& probe, EndpointResult& result) {
    const auto* info = probe.get(kInfoPath);
    if (info->tls.used) {
      result.tls = {{"protocol", info->tls.protocol},
                    {"cipher", info->tls.cipher},
                    {"verified", info->tls.verified},
                    {"verify_error", info->tls.verify_error},
                    {"fingerprint", info->tls.fingerprint}};
    }
    if (info->header("server").find("rampart") != std::string::npos) result.product = "rampart";
    if (auto version = json_object(probe.get(kVersionPath))) {
      if (version->contains("version") && (*version)["version"].is_string()) {
        result.version = (*version)["version"].get<std::string>().substr(0, 40);
      }
      if (result.product.empty()) result.product = "argo";
    }
    if (result.product.empty() && json_object(info)) result.product = "argo";

    bool exposed = std::any_of(result.findings.begin(), result.findings.end(),
                               [](const Finding& f) { return f.severity >= Severity::High; });
    std::string status_text = "HTTP " + std::to_string(info->status) + " on " + kInfoPath;
    if (exposed) {
      result.status = EndpointStatus::Exposed;
      result.detail = api_open(probe) ? "API answers without credentials" : "high-severity findings";
    } else if (is_auth_required(info)) {
      result.status = EndpointStatus::Protected;
      result.detail = status_text;
    } else if (is_redirect(info)) {
      result.status = EndpointStatus::Protected;
      result.detail = status_text + ", redirects to " + info->header("location").substr(0, 80);
    } else if (is_malformed(info)) {
      result.status = EndpointStatus::Unknown;
      result.detail = status_text + ", body is not JSON";
    } else {
      result.status = EndpointStatus::NotArgo;
      result.detail = status_text;
    }
    for (const auto& [path, r] : probe.responses) {
      if (r.error == HttpClientError::Timeout) {
        result.detail += "; " + path + " timed out";
        break;
      }
    }
  }

  net::HttpClient& client_;
  const ScanOptions& options_;
};

}  // namespace

ScanReport run_scan(const std::vector<std::string>& targets, const ScanOptions& options) {
  auto start = std::chrono::steady_clock::now();
  ScanReport report;
  report.timeout_ms = options.timeout_ms;
  report.concurrency = options.concurrency;
  report.check_submit = options.check_submit;

  // Expand and de-duplicate; remember which endpoints belong to which target.
  std::vector<Candidate> candidates;
  std::map<std::string, size_t> seen;
  std::vector<std::vector<size_t>> owned(targets.size());
  std::set<std::string> given;
  for (size_t t = 0; t < targets.size(); ++t) {
    if (!given.insert(targets[t]).second) continue;  // the same target twice is scanned once
    std::string error;
    auto expanded = expand_target(targets[t], &error);
    if (!expanded) throw std::invalid_argument(error);
    for (auto& c : *expanded) {
      std::string key = c.scheme + "|" + c.host + "|" + std::to_string(c.port) + "|" + c.base_path;
      auto [it, inserted] = seen.emplace(key, candidates.size());
      if (inserted) candidates.push_back(c);
      owned[t].push_back(it->second);
    }
  }

  std::vector<EndpointResult> results(candidates.size());
  {
    net::HttpClient client({.threads = 2});
    std::atomic<size_t> next{0};
    std::mutex progress_mutex;
    size_t done = 0, exposed = 0;
    auto worker = [&] {
      Prober prober(client, options);
      for (size_t i; (i = next++) < candidates.size();) {
        results[i] = prober.scan(candidates[i]);
        std::lock_guard lock(progress_mutex);
        ++done;
        exposed += results[i].status == EndpointStatus::Exposed;
        if (options.progress) options.progress(done, candidates.size(), exposed);
      }
    };
    size_t n = std::min<size_t>(std::max(1, options.concurrency), candidates.size());
    std::vector<std::thread> workers;
    for (size_t i = 0; i < n; ++i) workers.emplace_back(worker);
    for (auto& w : workers) w.join();
  }

  for (size_t t = 0; t < targets.size(); ++t) {
    if (owned[t].empty()) continue;
    TargetResult target{targets[t], {}};
    for (size_t i : owned[t]) {
      EndpointResult e = results[i];
      e.target = targets[t];
      target.endpoints.push_back(std::move(e));
    }
    report.targets.push_back(std::move(target));
  }
  report.elapsed_ms =
      std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - start).count();
  return report;
}

}  // namespace rampart::scan
