// A small client for the Kubernetes REST API: JSON requests and streamed bodies (watches, logs)
// over HTTPS, verifying the server against the cluster's CA and presenting a bearer token or a
// client certificate. One connection per request; every call blocks the calling thread, bounded
// by a timeout and a stop predicate (checked a few times a second). Beast and Asio stay in
// kube_client.cpp. Errors name the request and the server's reason, never the credentials.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "exec/kubernetes/kube_config.h"

namespace rampart::exec::kube {

struct KubeResponse {
  int status = 0;          // 0 when no HTTP response arrived
  std::string body;
  std::string error;       // transport error (connect, TLS, timeout), or empty
  bool ok() const { return error.empty() && status >= 200 && status < 300; }
  // "403 Forbidden: pods is forbidden: User ..." for messages: the Status's message if any.
  std::string describe() const;
};

class KubeClient {
 public:
  // Throws std::runtime_error when the CA, certificate or key cannot be loaded.
  explicit KubeClient(KubeCredentials credentials);
  ~KubeClient();
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
  struct Impl;
  KubeCredentials credentials_;
  std::unique_ptr<Impl> impl_;
};

}  // namespace rampart::exec::kube
