// A small client for the Kubernetes REST API: JSON requests and streamed bodies (watches, logs)
// over HTTPS, verifying the server against the cluster's CA and presenting a bearer token or a
// client certificate. The HTTPS is net::HttpClient's (one connection per request); this layer
// adds the URLs, the credentials and the content types. Every call blocks the calling thread
// (callbacks run on it too), bounded by a timeout and a stop predicate (checked a few times a
// second). Errors name the request and the server's reason, never the credentials.
#pragma once

#include <cstdint>
#include <functional>
#include <string>

#include "exec/kubernetes/kube_config.h"
#include "net/http_client.h"
#include "net/url.h"

namespace rampart::exec::kube {

struct KubeResponse {
  int status = 0;  // 0 when no HTTP response arrived
  std::string body;
  std::string error;  // transport error (connect, TLS, timeout), or empty
  bool ok() const { return error.empty() && status >= 200 && status < 300; }
  // "403 Forbidden: pods is forbidden: User ..." for messages: the Status's message if any.
  std::string describe() const;
};

class KubeClient {
 public:
  // Throws std::runtime_error when the CA, certificate or key cannot be loaded.
  explicit KubeClient(KubeCredentials credentials);
  KubeClient(const KubeClient&) = delete;
  KubeClient& operator=(const KubeClient&) = delete;

  // `path` starts with "/api/..."; `body` is JSON (sent when non-empty).
  KubeResponse request(const std::string& method, const std::string& path, const std::string& body = "",
                       int64_t timeout_ms = 30000, size_t body_limit = 16u << 20);
  // Streams a body to `on_data` as it arrives, until the server ends it, `stop()` is true, or
  // nothing arrives for `idle_timeout_ms`. The response carries the status and, when not 2xx,
  // the body (an error Status).
  KubeResponse stream(const std::string& path, const std::function<void(const char*, size_t)>& on_data,
                      const std::function<bool()>& stop, int64_t idle_timeout_ms);

  const KubeCredentials& credentials() const { return credentials_; }

 private:
  net::HttpClientRequest make_request(const std::string& method, const std::string& path,
                                      const std::string& body) const;

  KubeCredentials credentials_;
  net::Url server_;  // the API server; its path (if any) prefixes every request's
  net::HttpClient http_;
};

}  // namespace rampart::exec::kube
