// The one translation unit that includes Beast and Asio for serving (they cost ~10 s of compile
// time each). Each connection is a C++20 coroutine on its own strand: handshake, then a
// keep-alive loop of read header -> read body -> handle -> write, every step under a deadline.
// GCC 12 wrongly reports Asio's coroutine frame allocator as mismatched new/delete.
#pragma GCC diagnostic ignored "-Wmismatched-new-delete"
#include <utility>  // Boost 1.74's awaitable.hpp uses std::exchange without including it

#include "net/http_server.h"

#include <boost/asio.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast.hpp>
#include <boost/beast/ssl.hpp>

#include <algorithm>
#include <cctype>
#include <chrono>
#include <stdexcept>
#include <thread>
#include <vector>

namespace rampart::net {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace ssl = asio::ssl;
using tcp = asio::ip::tcp;
using Stream = beast::ssl_stream<beast::tcp_stream>;

namespace {

std::chrono::milliseconds ms(int64_t v) { return std::chrono::milliseconds(v); }

std::string lower(std::string_view s) {
  std::string out(s);
  for (auto& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

// A response the transport makes itself (parse errors, limits): Argo's error shape.
HttpResponse transport_error(int status, const std::string& message) {
  HttpResponse r;
  r.status = status;
  std::string escaped;
  for (char c : message) {
    if (c == '"' || c == '\\') escaped += '\\';
    escaped += c;
  }
  r.body = "{\"code\":" +
           std::to_string(status == 413   ? 8
                          : status == 431 ? 8
                                          : 3) +
           ",\"message\":\"" + escaped + "\"}";
  return r;
}

using RequestParser = http::request_parser<http::string_body>;

// Bodies up to this size that are over the limit are still read (and dropped) before the 413,
// so that a client still sending sees the answer instead of a reset connection.
constexpr uint64_t kDrainLimit = 64ull * 1024 * 1024;

// Limits as set before the header is read. Beast refuses an oversized Content-Length while
// parsing the header; allow it there so that the check after the header can answer 413, and
// apply the real limit (apply_body_limit) before the body is read.
void limit_header(RequestParser& parser, const HttpServerOptions& options) {
  parser.header_limit(static_cast<std::uint32_t>(options.header_limit));
  parser.body_limit(std::max<uint64_t>(options.body_limit, kDrainLimit + 1));
}

void apply_body_limit(RequestParser& parser, const HttpServerOptions& options) {
  parser.body_limit(options.body_limit);
}

bool declared_too_large(const RequestParser& parser, const HttpServerOptions& options) {
  auto length = parser.content_length();
  return length && *length > options.body_limit;
}

HttpResponse body_too_large(const HttpServerOptions& options) {
  return transport_error(413, "request body larger than the limit of " + std::to_string(options.body_limit) +
                                  " bytes (rampart server --max-body-bytes)");
}

HttpResponse header_rejection(const beast::error_code& ec, const HttpServerOptions& options) {
  // A Content-Length beyond what is drained: Beast refuses it while still in the header.
  if (ec == http::error::body_limit) return body_too_large(options);
  if (ec == http::error::header_limit) {
    return transport_error(
        431, "request line and headers larger than the limit of " + std::to_string(options.header_limit) + " bytes");
  }
  return transport_error(400, "malformed HTTP request");
}

HttpRequest to_request(http::request<http::string_body>& message, const std::string& client) {
  HttpRequest request;
  request.method = std::string(message.method_string());
  request.target = std::string(message.target());
  std::string raw_path = request.target.substr(0, request.target.find('?'));
  if (!percent_decode(raw_path, request.path, false)) request.path = raw_path;
  auto q = request.target.find('?');
  if (q != std::string::npos) request.query = parse_query(request.target.substr(q + 1));
  for (const auto& field : message) {
    std::string name = lower(field.name_string());
    auto& slot = request.headers[name];
    if (!slot.empty()) slot += ", ";
    slot += std::string(field.value());
  }
  request.body = std::move(message.body());
  request.client_address = client;
  return request;
}

}  // namespace

ParsedRequest parse_request(std::string_view bytes, const HttpServerOptions& options, const std::string& client) {
  ParsedRequest out;
  RequestParser parser;
  limit_header(parser, options);
  beast::error_code ec;
  while (!parser.is_header_done()) {
    size_t used = parser.put(asio::buffer(bytes.data(), bytes.size()), ec);
    bytes.remove_prefix(used);
    if (ec == http::error::need_more) return out;  // the client stopped sending: no answer
    if (ec) {
      out.rejection = header_rejection(ec, options);
      return out;
    }
    if (used == 0) return out;  // no progress (cannot happen with Beast; never loop on it)
  }
  if (declared_too_large(parser, options)) {
    out.rejection = body_too_large(options);
    return out;
  }
  apply_body_limit(parser, options);
  parser.eager(true);
  while (!parser.is_done()) {
    size_t used = parser.put(asio::buffer(bytes.data(), bytes.size()), ec);
    bytes.remove_prefix(used);
    // All there is was given: needing more means the client stopped sending.
    if (ec == http::error::need_more) {
      parser.put_eof(ec);
      if (!ec && !parser.is_done()) return out;
    }
    if (ec == http::error::body_limit) {
      out.rejection = body_too_large(options);
      return out;
    }
    if (!ec && used == 0 && !parser.is_done()) return out;  // no progress: never loop on it
    if (ec == http::error::partial_message) return out;     // the client stopped sending
    if (ec) {
      out.rejection = transport_error(400, "malformed HTTP request body");
      return out;
    }
  }
  out.keep_alive = parser.get().keep_alive();
  auto message = parser.release();
  out.request = to_request(message, client);
  return out;
}

struct HttpServer::Impl {
  HttpServerOptions options;
  HttpHandler handler;
  asio::io_context io;
  ssl::context tls{ssl::context::tls_server};
  tcp::acceptor acceptor{io};
  std::atomic<int> connections{0};
  std::atomic<bool> stopped{false};

  Impl(HttpServerOptions o, HttpHandler h) : options(std::move(o)), handler(std::move(h)), io(options.threads) {
    // TLS 1.2+ only, server cipher order, no compression or renegotiation.
    tls.set_options(ssl::context::default_workarounds | ssl::context::no_sslv2 | ssl::context::no_sslv3 |
                    ssl::context::no_tlsv1 | ssl::context::no_tlsv1_1 | ssl::context::no_compression |
                    ssl::context::single_dh_use);
    SSL_CTX_set_min_proto_version(tls.native_handle(), TLS1_2_VERSION);
    SSL_CTX_set_options(tls.native_handle(), SSL_OP_CIPHER_SERVER_PREFERENCE | SSL_OP_NO_RENEGOTIATION);
    boost::system::error_code ec;
    tls.use_certificate_chain_file(options.cert_path, ec);
    if (ec) throw std::runtime_error("cannot load TLS certificate " + options.cert_path + ": " + ec.message());
    tls.use_private_key_file(options.key_path, ssl::context::pem, ec);
    if (ec) throw std::runtime_error("cannot load TLS key " + options.key_path + ": " + ec.message());

    auto address = asio::ip::make_address(options.address, ec);
    if (ec) throw std::runtime_error("invalid listen address \"" + options.address + "\"");
    tcp::endpoint endpoint(address, options.port);
    acceptor.open(endpoint.protocol(), ec);
    if (!ec) acceptor.set_option(asio::socket_base::reuse_address(true), ec);
    if (!ec) acceptor.bind(endpoint, ec);
    if (!ec) acceptor.listen(asio::socket_base::max_listen_connections, ec);
    if (ec) {
      throw std::runtime_error("cannot listen on " + options.address + ":" + std::to_string(options.port) + ": " +
                               ec.message());
    }
  }

  asio::awaitable<void> accept_loop() {
    for (;;) {
      boost::system::error_code ec;
      tcp::socket socket =
          co_await acceptor.async_accept(asio::make_strand(io), asio::redirect_error(asio::use_awaitable, ec));
      if (ec) {
        if (stopped) co_return;
        continue;  // e.g. EMFILE: keep accepting others
      }
      if (connections.load() >= options.max_connections) {
        socket.close(ec);
        continue;
      }
      auto executor = socket.get_executor();
      asio::co_spawn(executor, session(std::move(socket)), asio::detached);
    }
  }

  void apply_headers(auto& message, const HttpResponse& response) {
    message.set(http::field::server, "rampart");
    for (const auto& [k, v] : options.default_headers) message.set(k, v);
    message.set(http::field::content_type, response.content_type);
    // A handler's own value of a default header replaces it (an artifact's sandboxing CSP);
    // headers a handler sends several times (Set-Cookie) are all kept.
    for (const auto& [k, v] : response.headers) {
      for (const auto& [dk, dv] : options.default_headers) {
        if (beast::iequals(k, dk)) message.erase(dk);
      }
    }
    for (const auto& [k, v] : response.headers) message.insert(k, v);
    // Nothing is cacheable unless its handler says so (the dashboard's hashed files): answers
    // carry user data, and errors from here come before anyone was authenticated.
    if (message.find(http::field::cache_control) == message.end()) {
      message.set(http::field::cache_control, "no-store");
      message.set(http::field::pragma, "no-cache");
    }
  }

  asio::awaitable<bool> write_response(Stream& stream, HttpResponse response, bool keep_alive) {
    boost::system::error_code ec;
    if (!response.stream) {
      http::response<http::string_body> message{static_cast<http::status>(response.status), 11};
      apply_headers(message, response);
      message.keep_alive(keep_alive);
      message.body() = std::move(response.body);
      message.prepare_payload();
      beast::get_lowest_layer(stream).expires_after(ms(options.write_timeout_ms));
      co_await http::async_write(stream, message, asio::redirect_error(asio::use_awaitable, ec));
      co_return !ec && keep_alive;
    }
    http::response<http::empty_body> message{static_cast<http::status>(response.status), 11};
    apply_headers(message, response);
    message.keep_alive(false);
    message.chunked(true);
    http::response_serializer<http::empty_body> serializer{message};
    beast::get_lowest_layer(stream).expires_after(ms(options.write_timeout_ms));
    co_await http::async_write_header(stream, serializer, asio::redirect_error(asio::use_awaitable, ec));
    if (ec) co_return false;
    asio::steady_timer timer(co_await asio::this_coro::executor);
    for (;;) {
      std::string chunk;
      bool more = false;
      try {
        more = response.stream(chunk);
      } catch (const std::exception&) {
        more = false;
      }
      if (!chunk.empty()) {
        beast::get_lowest_layer(stream).expires_after(ms(options.write_timeout_ms));
        co_await asio::async_write(stream, http::make_chunk(asio::buffer(chunk)),
                                   asio::redirect_error(asio::use_awaitable, ec));
        if (ec) co_return false;
      }
      if (!more || stopped) break;
      timer.expires_after(ms(response.stream_interval_ms));
      co_await timer.async_wait(asio::redirect_error(asio::use_awaitable, ec));
    }
    beast::get_lowest_layer(stream).expires_after(ms(options.write_timeout_ms));
    co_await asio::async_write(stream, http::make_chunk_last(), asio::redirect_error(asio::use_awaitable, ec));
    co_return false;
  }

  asio::awaitable<void> session(tcp::socket socket) {
    struct Count {
      std::atomic<int>& n;
      explicit Count(std::atomic<int>& c) : n(c) { ++n; }
      ~Count() { --n; }
    } count(connections);
    boost::system::error_code ec;
    std::string client = socket.remote_endpoint(ec).address().to_string();
    Stream stream(beast::tcp_stream(std::move(socket)), tls);
    beast::get_lowest_layer(stream).expires_after(ms(options.handshake_timeout_ms));
    co_await stream.async_handshake(ssl::stream_base::server, asio::redirect_error(asio::use_awaitable, ec));
    if (ec) co_return;

    beast::flat_buffer buffer;
    bool first = true;
    for (;;) {
      RequestParser parser;
      limit_header(parser, options);
      // The idle wait for the next request and the header itself share one deadline on the
      // first request; later ones get the idle time to start.
      beast::get_lowest_layer(stream).expires_after(ms(first ? options.header_timeout_ms : options.idle_timeout_ms));
      first = false;
      co_await http::async_read_header(stream, buffer, parser, asio::redirect_error(asio::use_awaitable, ec));
      if (ec == http::error::end_of_stream || ec == beast::error::timeout || ec == asio::error::eof ||
          ec == asio::ssl::error::stream_truncated || ec == asio::error::connection_reset) {
        break;
      }
      if (ec) {
        co_await write_response(stream, header_rejection(ec, options), false);
        break;
      }
      auto& header = parser.get();
      if (declared_too_large(parser, options)) {
        auto length = parser.content_length();
        if (*length <= kDrainLimit) {
          uint64_t remaining = *length - std::min<uint64_t>(*length, buffer.size());
          buffer.consume(buffer.size());
          std::vector<char> scratch(64 * 1024);
          beast::get_lowest_layer(stream).expires_after(ms(options.body_timeout_ms));
          while (remaining > 0) {
            size_t n = co_await stream.async_read_some(
                asio::buffer(scratch.data(), static_cast<size_t>(std::min<uint64_t>(remaining, scratch.size()))),
                asio::redirect_error(asio::use_awaitable, ec));
            if (ec) break;
            remaining -= n;
          }
        }
        co_await write_response(stream, body_too_large(options), false);
        break;
      }
      apply_body_limit(parser, options);
      if (!parser.is_done()) {
        beast::get_lowest_layer(stream).expires_after(ms(options.body_timeout_ms));
        co_await http::async_read(stream, buffer, parser, asio::redirect_error(asio::use_awaitable, ec));
        if (ec == http::error::body_limit) {
          co_await write_response(stream, body_too_large(options), false);
          break;
        }
        if (ec) {
          if (ec != beast::error::timeout && ec != asio::error::eof && ec != http::error::end_of_stream) {
            co_await write_response(stream, transport_error(400, "malformed HTTP request body"), false);
          }
          break;
        }
      }
      bool keep_alive = header.keep_alive();
      auto message = parser.release();
      HttpRequest request = to_request(message, client);
      HttpResponse response;
      try {
        response = handler(request);
      } catch (const std::exception&) {
        // Handlers turn expected failures into 4xx themselves; never leak internals.
        response = transport_error(500, "internal error");
      }
      if (!co_await write_response(stream, std::move(response), keep_alive)) break;
      if (stopped) break;
    }
    beast::get_lowest_layer(stream).expires_after(ms(2000));
    co_await stream.async_shutdown(asio::redirect_error(asio::use_awaitable, ec));
  }
};

HttpServer::HttpServer(HttpServerOptions options, HttpHandler handler)
    : impl_(std::make_unique<Impl>(std::move(options), std::move(handler))) {}

HttpServer::~HttpServer() { stop(); }

uint16_t HttpServer::port() const { return impl_->acceptor.local_endpoint().port(); }

void HttpServer::run() {
  asio::co_spawn(impl_->io, impl_->accept_loop(), asio::detached);
  std::vector<std::thread> threads;
  for (int i = 1; i < std::max(1, impl_->options.threads); ++i) threads.emplace_back([this] { impl_->io.run(); });
  impl_->io.run();
  for (auto& t : threads) t.join();
}

void HttpServer::stop() {
  if (impl_->stopped.exchange(true)) return;
  impl_->io.stop();
}

}  // namespace rampart::net
