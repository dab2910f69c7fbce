// The one translation unit of the client that includes Beast and Asio. Each request is a C++20
// coroutine on its own strand (or on the caller's own event loop for the blocking fetch):
// resolve -> connect -> (TLS handshake) -> write -> read header -> read body in pieces, under a
// deadline on the tcp_stream; beside it, a timer polls the request's stop predicate.
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

#include <cctype>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <limits>
#include <mutex>
#include <stdexcept>
#include <thread>

#include "net/url.h"

namespace rampart::net {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace ssl = asio::ssl;
using tcp = asio::ip::tcp;
using Clock = std::chrono::steady_clock;
using ErrorCode = boost::system::error_code;

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
    case HttpClientError::Cancelled: return "cancelled";
  }
  return "unknown";
}

bool is_transient(HttpClientError error) { return error == HttpClientError::Closed; }

namespace {

constexpr auto kStopPollInterval = std::chrono::milliseconds(100);

std::string lower(std::string_view s) {
  std::string out(s);
  for (auto& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

bool is_ip_literal(const std::string& host) {
  ErrorCode ec;
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

bool is_timeout(const ErrorCode& ec) { return ec == beast::error::timeout || ec == asio::error::timed_out; }

// A scanner must be able to talk to old servers to say that they are old: every protocol
// version and cipher is allowed, the certificate is verified but only reported, never enforced.
void accept_anything(ssl::context& context) {
  SSL_CTX* native = context.native_handle();
  SSL_CTX_set_security_level(native, 0);
  SSL_CTX_set_cipher_list(native, "ALL:@SECLEVEL=0");
  SSL_CTX_set_min_proto_version(native, TLS1_VERSION);
  context.set_verify_mode(ssl::verify_none);
  ErrorCode ec;
  context.set_default_verify_paths(ec);  // without them, everything reports as unverified
}

// A client that sends secrets: modern TLS only, and the handshake fails unless the server's
// chain verifies against the trusted CAs (host names are checked per connection).
void require_trust(ssl::context& context, const TlsTrust& trust) {
  SSL_CTX_set_min_proto_version(context.native_handle(), TLS1_2_VERSION);
  if (trust.skip_verify) {
    context.set_verify_mode(ssl::verify_none);
    return;
  }
  context.set_verify_mode(ssl::verify_peer);
  ErrorCode ec;
  if (trust.ca_pem.empty()) {
    context.set_default_verify_paths(ec);  // none found: every server fails verification, with its reason
    return;
  }
  context.add_certificate_authority(asio::buffer(trust.ca_pem), ec);
  if (ec) throw std::runtime_error("the trusted CA (ca_pem) is not a PEM certificate");
}

// Messages never quote the PEMs: the key is a secret, and the rest would only be noise.
void present_client_certificate(ssl::context& context, const TlsTrust& trust) {
  if (trust.client_cert_pem.empty() && trust.client_key_pem.empty()) return;
  // An encrypted key must fail here, not prompt on the terminal.
  context.set_password_callback([](size_t, ssl::context::password_purpose) { return std::string(); });
  ErrorCode ec;
  context.use_certificate_chain(asio::buffer(trust.client_cert_pem), ec);
  if (ec) throw std::runtime_error("the client certificate (client_cert_pem) is not a PEM certificate");
  context.use_private_key(asio::buffer(trust.client_key_pem), ssl::context::pem, ec);
  if (ec) throw std::runtime_error("the client key (client_key_pem) is not an unencrypted PEM private key");
  if (SSL_CTX_check_private_key(context.native_handle()) != 1) {
    throw std::runtime_error("the client key (client_key_pem) does not match the client certificate");
  }
}

// A request's stop predicate, polled on the request's own executor, so that it never races the
// request's coroutine. When it turns true, `cancel` aborts what the request waits for (and
// closes the socket, so that nothing after it can succeed either).
struct StopPoll {
  StopPoll(const asio::any_io_executor& executor, std::function<bool()> predicate)
      : timer(executor), stop(std::move(predicate)) {}
  asio::steady_timer timer;
  std::function<bool()> stop;
  std::function<void()> cancel;
  bool fired = false;
  bool finished = false;
};

void poll_stop(const std::shared_ptr<StopPoll>& poll) {
  poll->timer.expires_after(kStopPollInterval);
  poll->timer.async_wait([poll](ErrorCode) {
    if (poll->finished) return;
    if (!poll->stop()) return poll_stop(poll);
    poll->fired = true;
    if (poll->cancel) poll->cancel();
  });
}

// One request in flight: what it asked, what came back so far, and how a failure is told.
struct Call {
  HttpClientRequest request;
  Url url;
  HttpClientResponse response;
  Clock::time_point start = Clock::now();
  Clock::time_point deadline;
  std::shared_ptr<StopPoll> poll;  // null without request.stop

  Call(HttpClientRequest r, Url u) : request(std::move(r)), url(std::move(u)) {
    deadline = start + std::chrono::milliseconds(std::max<int64_t>(1, request.timeout_ms));
  }
  ~Call() {
    if (!poll) return;
    poll->finished = true;
    poll->cancel = nullptr;
    poll->timer.cancel();
  }
  Call(const Call&) = delete;
  Call& operator=(const Call&) = delete;

  bool cancelled() const { return poll && poll->fired; }
  // What a stop must abort from now on; at once when the stop came in between.
  void on_stop(std::function<void()> cancel) {
    if (!poll) return;
    poll->cancel = std::move(cancel);
    if (poll->fired && poll->cancel) poll->cancel();
  }
  // A stop explains any failure after it; a deadline explains its own. `reason` replaces the
  // error code's message when neither did.
  void fail(HttpClientError kind, const std::string& what, const ErrorCode& ec, const std::string& reason = "") {
    response.error = cancelled() ? HttpClientError::Cancelled : is_timeout(ec) ? HttpClientError::Timeout : kind;
    std::string why = response.error == HttpClientError::Cancelled ? "cancelled"
                      : response.error == HttpClientError::Timeout ? "timed out"
                      : reason.empty()                             ? ec.message()
                                                                   : reason;
    response.error_message = what + ": " + why;
  }
  // Before every read: with an idle timeout, each read gets its own; else the deadline holds.
  template <class Stream>
  void arm_read(Stream& stream) {
    if (request.idle_timeout_ms > 0) {
      beast::get_lowest_layer(stream).expires_after(std::chrono::milliseconds(request.idle_timeout_ms));
    }
  }
};

// Why a handshake failed: when verification was enforced, OpenSSL's verification result says
// more than "certificate verify failed" (unenforced, a bad result is never why it failed).
std::string handshake_failure(SSL* handle, const ErrorCode& ec) {
  long verify = SSL_get_verify_result(handle);
  if (!(SSL_get_verify_mode(handle) & SSL_VERIFY_PEER) || verify == X509_V_OK) return ec.message();
  return std::string("certificate verify failed: ") + X509_verify_cert_error_string(verify);
}

HttpClientResponse settle(std::exception_ptr error, HttpClientResponse response) {
  if (!error) return response;
  response = HttpClientResponse{};
  response.error = HttpClientError::Protocol;
  try {
    std::rethrow_exception(error);
  } catch (const std::exception& e) {
    response.error_message = e.what();
  } catch (...) {
    response.error_message = "unknown error";
  }
  return response;
}

}  // namespace

struct HttpClient::Impl {
  HttpClientOptions options;
  ssl::context tls{ssl::context::tls_client};
  ssl::context legacy_tls{ssl::context::tls_client};  // offers TLS <= 1.1 only; never under an enforced trust
  asio::io_context io;
  asio::executor_work_guard<asio::io_context::executor_type> work;
  std::vector<std::thread> threads;

  explicit Impl(HttpClientOptions o)
      : options(std::move(o)), io(std::max(1, options.threads)), work(asio::make_work_guard(io)) {
    if (options.tls.enforce) {
      require_trust(tls, options.tls);
    } else {
      accept_anything(tls);
      accept_anything(legacy_tls);
      SSL_CTX_set_max_proto_version(legacy_tls.native_handle(), TLS1_1_VERSION);
    }
    present_client_certificate(tls, options.tls);
    // Threads last: a constructor that throws must leave none running.
    for (int i = 0; i < std::max(1, options.threads); ++i) threads.emplace_back([this] { io.run(); });
  }

  ~Impl() {
    work.reset();
    io.stop();
    for (auto& t : threads) t.join();
  }

  http::request<http::string_body> make_message(const Call& call) const {
    const Url& url = call.url;
    http::request<http::string_body> message;
    message.method_string(call.request.method);
    message.target(url.target);
    message.version(11);
    bool default_port = (url.scheme == "https" && url.port == 443) || (url.scheme == "http" && url.port == 80);
    std::string host = url.host.find(':') != std::string::npos ? "[" + url.host + "]" : url.host;
    message.set(http::field::host, default_port ? host : host + ":" + std::to_string(url.port));
    message.set(http::field::user_agent, options.user_agent);
    message.set(http::field::accept, "application/json, */*");
    for (const auto& [k, v] : call.request.headers) message.set(k, v);
    message.keep_alive(false);
    message.body() = call.request.body;
    message.prepare_payload();
    return message;
  }

  template <class Stream>
  asio::awaitable<void> exchange(Stream& stream, Call& call) {
    ErrorCode ec;
    auto message = make_message(call);
    co_await http::async_write(stream, message, asio::redirect_error(asio::use_awaitable, ec));
    if (ec) {
      call.fail(HttpClientError::Closed, "sending the request failed", ec);
      co_return;
    }
    beast::flat_buffer buffer;
    http::response_parser<http::buffer_body> parser;
    parser.header_limit(64 * 1024);
    parser.body_limit(std::numeric_limits<std::uint64_t>::max());
    if (call.request.method == "HEAD") parser.skip(true);
    call.arm_read(stream);
    co_await http::async_read_header(stream, buffer, parser, asio::redirect_error(asio::use_awaitable, ec));
    if (ec) {
      bool closed = ec == http::error::end_of_stream || ec == asio::error::eof || ec == asio::error::connection_reset ||
                    ec == ssl::error::stream_truncated || ec == http::error::partial_message;
      call.fail(closed ? HttpClientError::Closed : HttpClientError::Protocol, "no response header", ec);
      co_return;
    }
    auto& header = parser.get();
    call.response.status = static_cast<int>(header.result_int());
    for (const auto& field : header) {
      auto& slot = call.response.headers[lower(field.name_string())];
      if (!slot.empty()) slot += ", ";
      slot += std::string(field.value());
    }
    co_await read_body(stream, buffer, parser, call);
  }

  // Into response.body up to the cap, or, streaming, to on_body piece by piece.
  template <class Stream>
  static asio::awaitable<void> read_body(Stream& stream, beast::flat_buffer& buffer,
                                         http::response_parser<http::buffer_body>& parser, Call& call) {
    auto& response = call.response;
    const bool streaming = call.request.on_body && response.status >= 200 && response.status < 300;
    std::string chunk(64 * 1024, '\0');
    ErrorCode ec;
    while (!parser.is_done()) {
      auto& body = parser.get().body();
      body.data = chunk.data();
      body.size = chunk.size();
      call.arm_read(stream);
      // read_some hands over whatever arrived: a watch event is small and may be the last for minutes.
      co_await http::async_read_some(stream, buffer, parser, asio::redirect_error(asio::use_awaitable, ec));
      if (ec == http::error::need_buffer) ec = {};
      size_t got = chunk.size() - body.size;
      if (streaming) {
        if (got > 0) call.request.on_body(chunk.data(), got);
      } else {
        response.body.append(chunk.data(), got);
        if (response.body.size() > call.request.body_limit) {
          response.body.resize(call.request.body_limit);
          response.truncated = true;
          co_return;  // the rest is never read; the connection is dropped
        }
      }
      if (ec) {
        if (is_timeout(ec) || call.cancelled())
          call.fail(HttpClientError::Timeout, "reading the body", ec);
        else
          response.truncated = true;  // closed mid-body: keep what came
        co_return;
      }
    }
  }

  // The addresses to try: the host itself when it is one, else what it resolves to in time.
  // Empty after a failure (recorded in the call).
  static asio::awaitable<std::vector<tcp::endpoint>> resolve(Call& call) {
    std::vector<tcp::endpoint> endpoints;
    ErrorCode ec;
    auto address = asio::ip::make_address(call.url.host, ec);
    if (!ec) {
      endpoints.emplace_back(address, call.url.port);
      co_return endpoints;
    }
    auto executor = co_await asio::this_coro::executor;
    auto resolver = std::make_shared<tcp::resolver>(executor);
    asio::steady_timer timer(executor);
    timer.expires_at(call.deadline);
    timer.async_wait([resolver](ErrorCode e) {
      if (!e) resolver->cancel();
    });
    call.on_stop([resolver] { resolver->cancel(); });
    auto results = co_await resolver->async_resolve(call.url.host, std::to_string(call.url.port),
                                                    asio::redirect_error(asio::use_awaitable, ec));
    timer.cancel();
    if (!ec && results.empty()) ec = asio::error::host_not_found;
    if (!ec && call.cancelled()) ec = asio::error::operation_aborted;  // resolved just as the stop came
    if (ec) {
      if (Clock::now() >= call.deadline) ec = asio::error::timed_out;  // the timer cancelled it
      call.fail(HttpClientError::Resolve, "cannot resolve " + call.url.host, ec);
      co_return endpoints;
    }
    for (const auto& entry : results) endpoints.push_back(entry.endpoint());
    co_return endpoints;
  }

  // The streams are shared with the stop hook, which may close them until the call ends.
  asio::awaitable<void> perform(Call& call) {
    auto endpoints = co_await resolve(call);
    if (endpoints.empty()) co_return;
    auto stream = std::make_shared<beast::tcp_stream>(co_await asio::this_coro::executor);
    call.on_stop([stream] { stream->close(); });
    stream->expires_at(call.deadline);
    ErrorCode ec;
    co_await stream->async_connect(endpoints, asio::redirect_error(asio::use_awaitable, ec));
    if (ec) {
      call.fail(HttpClientError::Refused, "cannot connect to " + call.url.authority(), ec);
      co_return;
    }
    if (call.url.scheme == "https") {
      co_await secure_exchange(std::move(*stream), call);
    } else {
      co_await exchange(*stream, call);
    }
  }

  asio::awaitable<void> secure_exchange(beast::tcp_stream connected, Call& call) {
    auto stream = std::make_shared<beast::ssl_stream<beast::tcp_stream>>(
        std::move(connected), call.request.legacy_tls_only ? legacy_tls : tls);
    call.on_stop([stream] { beast::get_lowest_layer(*stream).close(); });
    SSL* handle = stream->native_handle();
    // The expected name, checked by OpenSSL during the handshake (enforced) or after it (reported).
    if (is_ip_literal(call.url.host)) {
      X509_VERIFY_PARAM_set1_ip_asc(SSL_get0_param(handle), call.url.host.c_str());
    } else {
      SSL_set_tlsext_host_name(handle, call.url.host.c_str());
      SSL_set1_host(handle, call.url.host.c_str());
    }
    ErrorCode ec;
    co_await stream->async_handshake(ssl::stream_base::client, asio::redirect_error(asio::use_awaitable, ec));
    if (ec) {
      std::string what = "TLS with " + call.url.authority() + " failed";
      call.fail(HttpClientError::Tls, what, ec, handshake_failure(handle, ec));
      co_return;
    }
    record_tls(handle, call.response.tls);
    co_await exchange(*stream, call);
    // No close_notify: the connection is dropped (a hanging server could stall a shutdown).
  }

  asio::awaitable<HttpClientResponse> run(HttpClientRequest request) {
    auto url = parse_url(request.url);
    if (!url) {
      HttpClientResponse response;
      response.error = HttpClientError::InvalidUrl;
      response.error_message = "invalid URL \"" + request.url + "\"";
      co_return response;
    }
    Call call(std::move(request), std::move(*url));
    if (call.request.stop && call.request.stop()) {
      call.response.error = HttpClientError::Cancelled;
      call.response.error_message = "cancelled before it started";
    } else if (call.request.legacy_tls_only && options.tls.enforce) {
      call.response.error = HttpClientError::Tls;
      call.response.error_message = "offering only TLS <= 1.1 is refused under an enforced TLS trust";
    } else {
      if (call.request.stop) {
        call.poll = std::make_shared<StopPoll>(co_await asio::this_coro::executor, call.request.stop);
        poll_stop(call.poll);
      }
      co_await perform(call);
    }
    call.response.elapsed_ms = std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - call.start).count();
    co_return std::move(call.response);
  }
};

HttpClient::HttpClient(HttpClientOptions options) : impl_(std::make_unique<Impl>(std::move(options))) {}

HttpClient::~HttpClient() = default;

void HttpClient::fetch(HttpClientRequest request, std::function<void(HttpClientResponse)> done) {
  asio::co_spawn(asio::make_strand(impl_->io), impl_->run(std::move(request)),
                 [done = std::move(done)](std::exception_ptr error, HttpClientResponse response) {
                   done(settle(error, std::move(response)));
                 });
}

HttpClientResponse HttpClient::fetch(HttpClientRequest request) {
  asio::io_context io(1);
  std::exception_ptr failure;
  HttpClientResponse result;
  asio::co_spawn(io, impl_->run(std::move(request)), [&](std::exception_ptr error, HttpClientResponse response) {
    failure = error;
    result = std::move(response);
  });
  io.run();
  if (failure) std::rethrow_exception(failure);
  return result;
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
