#include "exec/kubernetes/kube_client.h"

#include <algorithm>
#include <stdexcept>

#include <nlohmann/json.hpp>

namespace rampart::exec::kube {

namespace {

net::Url server_url(const KubeCredentials& credentials) {
  auto url = net::parse_url(credentials.server);
  if (!url || url->scheme != "https") throw std::runtime_error("the cluster's server must be an https:// URL");
  if (url->target == "/") url->target = "";
  return *url;
}

// The server is always verified unless the kubeconfig says otherwise (and that was allowed).
net::HttpClientOptions client_options(const KubeCredentials& credentials) {
  net::HttpClientOptions options;
  options.user_agent = "rampart-kubernetes-executor";
  options.tls.enforce = true;
  options.tls.skip_verify = credentials.insecure_skip_tls_verify;
  if (!credentials.insecure_skip_tls_verify) options.tls.ca_pem = credentials.ca_pem;
  options.tls.client_cert_pem = credentials.client_cert_pem;
  options.tls.client_key_pem = credentials.client_key_pem;
  return options;
}

std::string transport_error(const std::string& request, const net::HttpClientResponse& r) {
  std::string text = request + ": " + r.error_message;
  if (r.error == net::HttpClientError::Tls) text += " (is the cluster CA right?)";
  return text;
}

}  // namespace

std::string KubeResponse::describe() const {
  if (!error.empty()) return error;
  std::string text = std::to_string(status);
  nlohmann::json status_object = nlohmann::json::parse(body, nullptr, false);
  if (status_object.is_object() && status_object.value("message", nlohmann::json()).is_string()) {
    text += ": " + status_object["message"].get<std::string>();
  }
  return text;
}

// The handler says which kubeconfig held what failed (HttpClient's message says which PEM).
// `credentials` is copied, not moved: the handler still needs its source.
KubeClient::KubeClient(KubeCredentials credentials) try
    : credentials_(credentials), server_(server_url(credentials)), http_(client_options(credentials)) {
} catch (const std::runtime_error& e) {
  throw std::runtime_error(std::string(e.what()) + " (" + credentials.source + ")");
}

net::HttpClientRequest KubeClient::make_request(const std::string& method, const std::string& path,
                                                const std::string& body) const {
  net::HttpClientRequest request;
  request.method = method;
  request.url = server_.origin() + server_.target + path;
  request.headers.emplace_back("Accept", "application/json");
  if (!credentials_.token.empty()) request.headers.emplace_back("Authorization", "Bearer " + credentials_.token);
  if (!body.empty()) {
    // PATCH bodies are JSON merge patches: only the fields they name change.
    const char* type = method == "PATCH" ? "application/merge-patch+json" : "application/json";
    request.headers.emplace_back("Content-Type", type);
    request.body = body;
  }
  return request;
}

KubeResponse KubeClient::request(const std::string& method, const std::string& path, const std::string& body,
                                 int64_t timeout_ms, size_t body_limit) {
  net::HttpClientRequest request = make_request(method, path, body);
  request.timeout_ms = timeout_ms;
  request.body_limit = body_limit;
  net::HttpClientResponse r = http_.fetch(std::move(request));
  KubeResponse response;
  if (!r.ok()) {
    response.error = transport_error(method + " " + path, r);
    return response;
  }
  response.status = r.status;
  response.body = std::move(r.body);
  if (r.truncated && response.body.size() >= body_limit) {
    response.error = method + " " + path + ": the response is larger than " + std::to_string(body_limit) + " bytes";
  } else if (r.truncated) {
    response.error = method + " " + path + ": the connection closed before the response ended";
  }
  return response;
}

KubeResponse KubeClient::stream(const std::string& path, const std::function<void(const char*, size_t)>& on_data,
                                const std::function<bool()>& stop, int64_t idle_timeout_ms) {
  net::HttpClientRequest request = make_request("GET", path, "");
  request.timeout_ms = std::min<int64_t>(idle_timeout_ms, 30000);  // connecting, not waiting for events
  request.idle_timeout_ms = idle_timeout_ms;
  request.body_limit = 64 * 1024;  // an error Status; a 2xx body goes to on_data
  request.on_body = on_data;
  request.stop = stop;
  net::HttpClientResponse r = http_.fetch(std::move(request));
  KubeResponse response;
  if (!r.ok()) {
    response.error = transport_error("GET " + path, r);
    return response;
  }
  response.status = r.status;
  response.body = std::move(r.body);
  // Streamed, truncated can only mean that the connection closed before the body's end.
  if (r.truncated && response.status >= 200 && response.status < 300) {
    response.error = "GET " + path + ": the stream ended early";
  }
  return response;
}

}  // namespace rampart::exec::kube
