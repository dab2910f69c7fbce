// An HTTP/1.1 client over TCP or TLS for probing many servers at once (Beast and Asio stay in
// http_client.cpp). One client owns one event loop thread; every request runs under one
// deadline (resolve + connect + handshake + write + read), so a server that accepts and then
// never answers costs exactly its timeout. Bodies are capped and marked truncated.
// TLS records what was negotiated and whether the certificate verifies, but connects anyway:
// a scanner must see self-signed servers too.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

namespace rampart::net {

struct HttpClientRequest {
  std::string method = "GET";
  std::string url;  // http(s)://host:port/path?query
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
  int64_t timeout_ms = 5000;
  size_t body_limit = 1024 * 1024;
  // Offer at most TLS 1.1 (to find servers that still accept it).
  bool legacy_tls_only = false;
};

enum class HttpClientError {
  None,
  InvalidUrl,
  Resolve,      // name did not resolve
  Refused,      // nothing listens (or the connection was reset before TLS/HTTP started)
  Timeout,      // the deadline passed
  Tls,          // the TLS handshake failed (e.g. the port speaks plain HTTP)
  Closed,       // the connection closed or was reset before a complete response header
  Protocol,     // not HTTP
};

const char* to_string(HttpClientError error);
// Errors worth one more try: the server may answer next time (reset, closed early).
bool is_transient(HttpClientError error);

struct TlsInfo {
  bool used = false;
  std::string protocol;        // "TLSv1.3", ...
  std::string cipher;          // OpenSSL's name
  bool verified = false;       // chain and host name verify against the system's CAs
  std::string verify_error;    // why not, as OpenSSL says it
  std::string fingerprint;     // "sha256:AB:CD:..." of the leaf certificate
  std::string subject;         // leaf certificate subject, one line
};

struct HttpClientResponse {
  HttpClientError error = HttpClientError::None;
  std::string error_message;
  int status = 0;
  std::map<std::string, std::string> headers;  // lower-cased names; repeats joined by ", "
  std::string body;
  bool truncated = false;  // the body was longer than body_limit; the rest was not read
  TlsInfo tls;
  int64_t elapsed_ms = 0;

  bool ok() const { return error == HttpClientError::None; }
  std::string header(const std::string& lower_name) const {
    auto it = headers.find(lower_name);
    return it == headers.end() ? std::string() : it->second;
  }
};

struct HttpClientOptions {
  int threads = 1;            // event loop threads
  std::string user_agent = "rampart-scan";
};

class HttpClient {
 public:
  explicit HttpClient(HttpClientOptions options = {});
  ~HttpClient();  // cancels what is still running and joins the threads
  HttpClient(const HttpClient&) = delete;
  HttpClient& operator=(const HttpClient&) = delete;

  // Starts a request; `done` runs on an event loop thread exactly once. Thread-safe.
  void fetch(HttpClientRequest request, std::function<void(HttpClientResponse)> done);
  // Blocking forms, for any thread but the client's own.
  HttpClientResponse fetch(HttpClientRequest request);
  // All at once; results in the order of the requests.
  std::vector<HttpClientResponse> fetch_all(std::vector<HttpClientRequest> requests);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace rampart::net
