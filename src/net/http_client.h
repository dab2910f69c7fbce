// The one HTTP/1.1 client over TCP or TLS (Beast and Asio stay in http_client.cpp): the scanner
// probes many servers at once with it, the Kubernetes executor talks to its API server through
// it. One connection per request. A request runs under one deadline (resolve + connect +
// handshake + write + read), so a server that accepts and then never answers costs exactly its
// timeout; or, for bodies that never end (watches, logs), under an idle timeout re-armed by
// every piece that arrives. Bodies are capped and marked truncated, or handed over in pieces.
// TLS trust is the client's: by default it records what was negotiated and whether the
// certificate verifies, but connects anyway (a scanner must see self-signed servers too).
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

namespace rampart::net {

// What a client trusts over TLS. By default a scanner's view: every protocol version and
// certificate is accepted, and what was found is reported in TlsInfo. `enforce` is the view of
// a client that sends secrets (an API server's token): TLS >= 1.2, and the chain and host name
// must verify, else the request fails with HttpClientError::Tls and nothing is sent.
struct TlsTrust {
  bool enforce = false;
  // With enforce: no verification (kubeconfig's insecure-skip-tls-verify), TLS >= 1.2 still.
  bool skip_verify = false;
  std::string ca_pem;           // with enforce: the CAs to trust; empty: the system's
  std::string client_cert_pem;  // presented when set (leaf first, then intermediates) ...
  std::string client_key_pem;   // ... with its key (a secret: never in a message)
};

struct HttpClientRequest {
  std::string method = "GET";
  std::string url;  // http(s)://host:port/path?query
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
  int64_t timeout_ms = 5000;
  size_t body_limit = 1024 * 1024;
  // Offer at most TLS 1.1 (to find servers that still accept it). Refused under an enforced trust.
  bool legacy_tls_only = false;
  // Streaming. When set, a 2xx body goes here in pieces as they arrive (body_limit does not
  // apply; response.body stays empty); any other status still fills response.body up to
  // body_limit. Runs where the request runs: the caller's thread for the blocking fetch.
  std::function<void(const char*, size_t)> on_body;
  // > 0: timeout_ms bounds resolve, connect, handshake and write only, and then each read (the
  // header, every piece of the body) must come within this. For bodies that have no end.
  int64_t idle_timeout_ms = 0;
  // Polled at least every 200 ms while the request runs (where it runs, like on_body); once
  // true, the request ends with HttpClientError::Cancelled. Must not throw.
  std::function<bool()> stop;
};

enum class HttpClientError {
  None,
  InvalidUrl,
  Resolve,    // name did not resolve
  Refused,    // nothing listens (or the connection was reset before TLS/HTTP started)
  Timeout,    // the deadline passed
  Tls,        // the TLS handshake failed (e.g. the port speaks plain HTTP)
  Closed,     // the connection closed or was reset before a complete response header
  Protocol,   // not HTTP
  Cancelled,  // request.stop turned true
};

const char* to_string(HttpClientError error);
// Errors worth one more try: the server may answer next time (reset, closed early).
bool is_transient(HttpClientError error);

struct TlsInfo {
  bool used = false;
  std::string protocol;      // "TLSv1.3", ...
  std::string cipher;        // OpenSSL's name
  bool verified = false;     // chain and host name verify (the system's CAs, or TlsTrust's)
  std::string verify_error;  // why not, as OpenSSL says it
  std::string fingerprint;   // "sha256:AB:CD:..." of the leaf certificate
  std::string subject;       // leaf certificate subject, one line
};

struct HttpClientResponse {
  HttpClientError error = HttpClientError::None;
  std::string error_message;
  int status = 0;
  std::map<std::string, std::string> headers;  // lower-cased names; repeats joined by ", "
  std::string body;
  // The body was longer than body_limit (the rest was not read), or the connection closed
  // mid-body (streamed: only that).
  bool truncated = false;
  TlsInfo tls;
  int64_t elapsed_ms = 0;

  bool ok() const { return error == HttpClientError::None; }
  std::string header(const std::string& lower_name) const {
    auto it = headers.find(lower_name);
    return it == headers.end() ? std::string() : it->second;
  }
};

struct HttpClientOptions {
  int threads = 1;  // event loop threads
  std::string user_agent = "rampart-scan";
  TlsTrust tls;
};

class HttpClient {
 public:
  // Throws std::runtime_error when a PEM of options.tls cannot be loaded (the message names
  // which one, never its contents).
  explicit HttpClient(HttpClientOptions options = {});
  ~HttpClient();  // cancels what is still running and joins the threads
  HttpClient(const HttpClient&) = delete;
  HttpClient& operator=(const HttpClient&) = delete;

  // Starts a request; `done` runs on an event loop thread exactly once. Thread-safe.
  void fetch(HttpClientRequest request, std::function<void(HttpClientResponse)> done);
  // Blocking: runs on the calling thread (its own event loop), so on_body and stop run there and
  // the client's threads are neither blocked nor needed. An exception from on_body propagates
  // (the asynchronous form reports it as a Protocol error).
  HttpClientResponse fetch(HttpClientRequest request);
  // All at once, on the client's threads; results in the order of the requests. Not from a
  // client thread.
  std::vector<HttpClientResponse> fetch_all(std::vector<HttpClientRequest> requests);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace rampart::net
