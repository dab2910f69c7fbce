// The one translation unit of the client that includes Beast and Asio. Each request is a C++20
// coroutine on its own strand: resolve -> connect -> (TLS handshake) -> write -> read header ->
// read body in chunks up to the cap, all under one deadline on the tcp_stream.
// GCC 12 wrongly reports Asio's coroutine frame allocator as mismatched new/delete.
#pragma GCC diagnostic ignored "-Wmismatched-new-delete"
#include <utility>  // Boost 1.74's awaitable.hpp uses std::exchange without including it

#include "net/http_client.h"

#include <boost/asio.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast.hpp>
#include <boost/beast/ssl.hpp>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <atomic>
#include <cctype>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <future>
#include <limits>
#include <mutex>
#include <thread>

#include "net/url.h"

namespace rampart::net {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace ssl = asio::ssl;
using tcp = asio::ip::tcp;
using Clock = std::chrono::steady_clock;

const char* to_string(HttpClientError error) {
  switch (error) {
    case HttpClientError::None: return "none";
    case HttpClientError::InvalidUrl: return "invalid-url";
    case HttpClientError::Resolve: return "resolve";
    case HttpClientError::Refused: return "refused";
    case HttpClientError::Timeout: return "timeout";
    case HttpClientError::Tls: return "tls";
    case HttpClientError::Closed: return "closed";
    case HttpClientError::Protocol: return "protocol";
  }
  return "unknown";
}

bool is_transient(HttpClientError error) { return error == HttpClientError::Closed; }

namespace {

std::string lower(std::string_view s) {
  std::string out(s);
  for (auto& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

bool is_ip_literal(const std::string& host) {
  boost::system::error_code ec;
  asio::ip::make_address(host, ec);
  return !ec;
}

std::string fingerprint_of(X509* cert) {
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  if (X509_digest(cert, EVP_sha256(), md, &len) != 1) return {};
  std::string out = "sha256:";
  char hex[4];
  for (unsigned int i = 0; i < len; ++i) {
    std::snprintf(hex, sizeof hex, "%02X", md[i]);
    if (i) out += ':';
    out += hex;
  }
  return out;
}

void record_tls(SSL* handle, TlsInfo& info) {
  info.used = true;
  info.protocol = SSL_get_version(handle);
  const char* cipher = SSL_get_cipher_name(handle);
  info.cipher = cipher ? cipher : "";
  long verify = SSL_get_verify_result(handle);
  X509* cert = SSL_get1_peer_certificate(handle);
  if (!cert) {
    info.verified = false;
    info.verify_error = "no certificate";
    return;
  }
  info.verified = verify == X509_V_OK;
  if (!info.verified) info.verify_error = X509_verify_cert_error_string(verify);
  info.fingerprint = fingerprint_of(cert);
  if (char* subject = X509_NAME_oneline(X509_get_subject_name(cert), nullptr, 0)) {
    info.subject = subject;
    OPENSSL_free(subject);
  }
  X509_free(cert);
}

bool is_timeout(const boost::system::error_code& ec) {
  return ec == beast::error::timeout || ec == asio::error::timed_out;
}

}  // namespace

struct HttpClient::Impl {
  HttpClientOptions options;
  asio::io_context io;
  asio::executor_work_guard<asio::io_context::executor_type> work;
  ssl::context tls{ssl::context::tls_client};
  ssl::context legacy_tls{ssl::context::tls_client};
  std::vector<std::thread> threads;

  explicit Impl(HttpClientOptions o)
      : options(std::move(o)), io(std::max(1, options.threads)), work(asio::make_work_guard(io)) {
    // A scanner must be able to talk to old servers to say that they are old: every protocol
    // version and cipher is allowed here, and what was negotiated is reported.
    for (ssl::context* context : {&tls, &legacy_tls}) {
      SSL_CTX* native = context->native_handle();
      SSL_CTX_set_security_level(native, 0);
      SSL_CTX_set_cipher_list(native, "ALL:@SECLEVEL=0");
      SSL_CTX_set_min_proto_version(native, TLS1_VERSION);
      context->set_verify_mode(ssl::verify_none);  // verified below, reported, never enforced
      boost::system::error_code ec;
      context->set_default_verify_paths(ec);
    }
    SSL_CTX_set_max_proto_version(legacy_tls.native_handle(), TLS1_1_VERSION);
    for (int i = 0; i < std::max(1, options.threads); ++i) threads.emplace_back([this] { io.run(); });
  }

  ~Impl() {
    work.reset();
    io.stop();
    for (auto& t : threads) t.join();
  }

  template <class Stream>
  asio::awaitable<void> exchange(Stream& stream, const Url& url, const HttpClientRequest& request,
                                 HttpClientResponse& response) {
    boost::system::error_code ec;
    http::request<http::string_body> message;
    message.method_string(request.method);
    message.target(url.target);
    message.version(11);
    bool default_port = (url.scheme == "https" && url.port == 443) || (url.scheme == "http" && url.port == 80);
    std::string host = url.host.find(':') != std::string::npos ? "[" + url.host + "]" : url.host;
    message.set(http::field::host, default_port ? host : host + ":" + std::to_string(url.port));
    message.set(http::field::user_agent, options.user_agent);
    message.set(http::field::accept, "application/json, */*");
    for (const auto& [k, v] : request.headers) message.set(k, v);
    message.keep_alive(false);
    message.body() = request.body;
    message.prepare_payload();
    co_await http::async_write(stream, message, asio::redirect_error(asio::use_awaitable, ec));
    if (ec) {
      response.error = is_timeout(ec) ? HttpClientError::Timeout : HttpClientError::Closed;
      response.error_message = "write: " + ec.message();
      co_return;
    }

    beast::flat_buffer buffer;
    http::response_parser<http::buffer_body> parser;
    parser.header_limit(64 * 1024);
    parser.body_limit(std::numeric_limits<std::uint64_t>::max());
    if (request.method == "HEAD") parser.skip(true);
    co_await http::async_read_header(stream, buffer, parser, asio::redirect_error(asio::use_awaitable, ec));
    if (ec) {
      if (is_timeout(ec)) {
        response.error = HttpClientError::Timeout;
      } else if (ec == http::error::end_of_stream || ec == asio::error::eof || ec == asio::error::connection_reset ||
                 ec == ssl::error::stream_truncated || ec == http::error::partial_message) {
        response.error = HttpClientError::Closed;
      } else {
        response.error = HttpClientError::Protocol;
      }
      response.error_message = "read: " + ec.message();
      co_return;
    }
    auto& header = parser.get();
    response.status = static_cast<int>(header.result_int());
    for (const auto& field : header) {
      auto& slot = response.headers[lower(field.name_string())];
      if (!slot.empty()) slot += ", ";
      slot += std::string(field.value());
    }
    std::string chunk(64 * 1024, '\0');
    while (!parser.is_done()) {
      header.body().data = chunk.data();
      header.body().size = chunk.size();
      co_await http::async_read(stream, buffer, parser, asio::redirect_error(asio::use_awaitable, ec));
      if (ec == http::error::need_buffer) ec = {};
      response.body.append(chunk.data(), chunk.size() - header.body().size);
      if (response.body.size() > request.body_limit) {
        response.body.resize(request.body_limit);
        response.truncated = true;
        co_return;  // the rest is never read; the connection is dropped
      }
      if (ec) {
        if (is_timeout(ec)) {
          response.error = HttpClientError::Timeout;
          response.error_message = "body: " + ec.message();
        } else {
          response.truncated = true;  // closed mid-body: keep what came
        }
        co_return;
      }
    }
  }

  asio::awaitable<HttpClientResponse> run(HttpClientRequest request) {
    HttpClientResponse response;
    auto start = Clock::now();
    auto finish = [&] {
      response.elapsed_ms =
          std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - start).count();
    };
    auto url = parse_url(request.url);
    if (!url) {
      response.error = HttpClientError::InvalidUrl;
      response.error_message = "invalid URL \"" + request.url + "\"";
      co_return response;
    }
    auto deadline = start + std::chrono::milliseconds(std::max<int64_t>(1, request.timeout_ms));
    auto executor = co_await asio::this_coro::executor;
    boost::system::error_code ec;

    std::vector<tcp::endpoint> endpoints;
    auto address = asio::ip::make_address(url->host, ec);
    if (!ec) {
      endpoints.emplace_back(address, url->port);
    } else {
      auto resolver = std::make_shared<tcp::resolver>(executor);
      asio::steady_timer timer(executor);
      timer.expires_at(deadline);
      timer.async_wait([resolver](boost::system::error_code e) {
        if (!e) resolver->cancel();
      });
      auto results = co_await resolver->async_resolve(url->host, std::to_string(url->port),
                                                     asio::redirect_error(asio::use_awaitable, ec));
      timer.cancel();
      if (ec || results.empty()) {
        response.error = Clock::now() >= deadline ? HttpClientError::Timeout : HttpClientError::Resolve;
        response.error_message = "resolve " + url->host + ": " + ec.message();
        finish();
        co_return response;
      }
      for (const auto& entry : results) endpoints.push_back(entry.endpoint());
    }

    beast::tcp_stream stream(executor);
    stream.expires_at(deadline);
    co_await stream.async_connect(endpoints, asio::redirect_error(asio::use_awaitable, ec));
    if (ec) {
      response.error = is_timeout(ec) ? HttpClientError::Timeout : HttpClientError::Refused;
      response.error_message = "connect: " + ec.message();
      finish();
      co_return response;
    }

    if (url->scheme == "https") {
      beast::ssl_stream<beast::tcp_stream> tls_stream(std::move(stream),
                                                      request.legacy_tls_only ? legacy_tls : tls);
      SSL* handle = tls_stream.native_handle();
      if (is_ip_literal(url->host)) {
        X509_VERIFY_PARAM_set1_ip_asc(SSL_get0_param(handle), url->host.c_str());
      } else {
        SSL_set_tlsext_host_name(handle, url->host.c_str());
        SSL_set1_host(handle, url->host.c_str());
      }
      co_await tls_stream.async_handshake(ssl::stream_base::client, asio::redirect_error(asio::use_awaitable, ec));
      if (ec) {
        response.error = is_timeout(ec) ? HttpClientError::Timeout : HttpClientError::Tls;
        response.error_message = "TLS handshake: " + ec.message();
        finish();
        co_return response;
      }
      record_tls(handle, response.tls);
      co_await exchange(tls_stream, *url, request, response);
      // No close_notify: the connection is dropped (a hanging server could stall a shutdown).
    } else {
      co_await exchange(stream, *url, request, response);
    }
    finish();
    co_return response;
  }
};

HttpClient::HttpClient(HttpClientOptions options) : impl_(std::make_unique<Impl>(std::move(options))) {}

HttpClient::~HttpClient() = default;

void HttpClient::fetch(HttpClientRequest request, std::function<void(HttpClientResponse)> done) {
  asio::co_spawn(asio::make_strand(impl_->io), impl_->run(std::move(request)),
                 [done = std::move(done)](std::exception_ptr error, HttpClientResponse response) {
                   if (error) {
                     response = HttpClientResponse{};
                     response.error = HttpClientError::Protocol;
                     try {
                       std::rethrow_exception(error);
                     } catch (const std::exception& e) {
                       response.error_message = e.what();
                     } catch (...) {
                       response.error_message = "unknown error";
                     }
                   }
                   done(std::move(response));
                 });
}

HttpClientResponse HttpClient::fetch(HttpClientRequest request) {
  auto promise = std::make_shared<std::promise<HttpClientResponse>>();
  auto future = promise->get_future();
  fetch(std::move(request), [promise](HttpClientResponse r) { promise->set_value(std::move(r)); });
  return future.get();
}

std::vector<HttpClientResponse> HttpClient::fetch_all(std::vector<HttpClientRequest> requests) {
  struct State {
    std::vector<HttpClientResponse> results;
    std::mutex mutex;
    std::condition_variable cv;
    size_t remaining = 0;
  };
  auto state = std::make_shared<State>();
  state->results.resize(requests.size());
  state->remaining = requests.size();
  for (size_t i = 0; i < requests.size(); ++i) {
    fetch(std::move(requests[i]), [state, i](HttpClientResponse r) {
      std::lock_guard lock(state->mutex);
      state->results[i] = std::move(r);
      if (--state->remaining == 0) state->cv.notify_all();
    });
  }
  std::unique_lock lock(state->mutex);
  state->cv.wait(lock, [&] { return state->remaining == 0; });
  return std::move(state->results);
}

}  // namespace rampart::net
