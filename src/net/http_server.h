// An HTTPS/1.1 server (Boost.Beast over OpenSSL): keep-alive, TLS only, bounded everything.
// It knows nothing of routes or users: every request goes to one handler.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "net/http_message.h"

namespace rampart::net {

struct HttpServerOptions {
  std::string address = "127.0.0.1";
  uint16_t port = 2746;   // 0 = any free port (see HttpServer::port())
  std::string cert_path;  // PEM certificate chain
  std::string key_path;   // PEM private key
  int threads = 2;
  // Limits that keep one client from exhausting the server.
  size_t header_limit = 16 * 1024;  // bytes of request line + headers (1,000 headers won't fit): 431
  size_t body_limit = 1024 * 1024;  // larger bodies get 413 (rampart server --max-body-bytes)
  int64_t handshake_timeout_ms = 10'000;
  int64_t header_timeout_ms = 10'000;  // whole header, however slowly it trickles (slowloris)
  int64_t body_timeout_ms = 30'000;
  int64_t idle_timeout_ms = 60'000;  // keep-alive connection waiting for its next request
  int64_t write_timeout_ms = 30'000;
  int max_connections = 2048;
  // Added to every response (security headers).
  std::vector<std::pair<std::string, std::string>> default_headers;
};

using HttpHandler = std::function<HttpResponse(HttpRequest&)>;

// One request read from raw bytes exactly as a connection reads it: the same Beast parser, the
// same header and body limits, the same answers to bad input. For fuzzing and tests; the server
// itself parses incrementally from its socket with the same helpers.
// Exactly one of `request` and `rejection` is set, or neither when the bytes end before the
// request does (a connection is then closed without an answer).
struct ParsedRequest {
  std::optional<HttpRequest> request;     // a complete request within the limits
  std::optional<HttpResponse> rejection;  // what the server answers instead: 400, 413 or 431
  bool keep_alive = false;
};
// Never throws for any input; allocates at most header_limit + body_limit (plus the request).
ParsedRequest parse_request(std::string_view bytes, const HttpServerOptions& options, const std::string& client);

class HttpServer {
 public:
  // Binds and listens; throws std::runtime_error with the address on failure.
  HttpServer(HttpServerOptions options, HttpHandler handler);
  ~HttpServer();
  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;

  uint16_t port() const;
  // Serves on options.threads threads until stop(); returns when they have finished.
  void run();
  // Thread-safe (not async-signal-safe: call it from a signal-waiting thread).
  void stop();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace rampart::net
