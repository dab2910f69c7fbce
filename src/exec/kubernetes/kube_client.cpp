#include <utility>  // Boost 1.74's asio headers use std::exchange without including it

#include "exec/kubernetes/kube_client.h"

#include <boost/asio.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast.hpp>
#include <boost/beast/ssl.hpp>
#include <openssl/ssl.h>

#include <chrono>
#include <stdexcept>

#include <nlohmann/json.hpp>

#include "net/url.h"

namespace rampart::exec::kube {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace ssl = asio::ssl;
using tcp = asio::ip::tcp;
using Clock = std::chrono::steady_clock;

std::string KubeResponse::describe() const {
  if (!error.empty()) return error;
  std::string text = std::to_string(status);
  nlohmann::json status_object = nlohmann::json::parse(body, nullptr, false);
  if (status_object.is_object() && status_object.value("message", nlohmann::json()).is_string()) {
    text += ": " + status_object["message"].get<std::string>();
  }
  return text;
}

struct KubeClient::Impl {
  ssl::context tls{ssl::context::tls_client};
  net::Url server;
};

KubeClient::KubeClient(KubeCredentials credentials) : credentials_(std::move(credentials)), impl_(std::make_unique<Impl>()) {
  auto url = net::parse_url(credentials_.server);
  if (!url || url->scheme != "https") throw std::runtime_error("the cluster's server must be an https:// URL");
  impl_->server = *url;
  if (impl_->server.target == "/") impl_->server.target = "";
  auto& tls = impl_->tls;
  tls.set_options(ssl::context::default_workarounds | ssl::context::no_sslv2 | ssl::context::no_sslv3 |
                  ssl::context::no_tlsv1 | ssl::context::no_tlsv1_1);
  boost::system::error_code ec;
  if (credentials_.insecure_skip_tls_verify) {
    tls.set_verify_mode(ssl::verify_none);
  } else {
    tls.set_verify_mode(ssl::verify_peer);
    if (!credentials_.ca_pem.empty()) {
      tls.add_certificate_authority(asio::buffer(credentials_.ca_pem), ec);
      if (ec) throw std::runtime_error("the cluster's certificate authority is not a PEM certificate (" + credentials_.source + ")");
    } else {
      tls.set_default_verify_paths();
    }
  }
  if (!credentials_.client_cert_pem.empty()) {
    tls.use_certificate_chain(asio::buffer(credentials_.client_cert_pem), ec);
    if (ec) throw std::runtime_error("the client certificate is not a PEM certificate (" + credentials_.source + ")");
    tls.use_private_key(asio::buffer(credentials_.client_key_pem), ssl::context::pem, ec);
    if (ec) throw std::runtime_error("the client key is not a PEM private key matching the certificate (" + credentials_.source + ")");
  }
}

KubeClient::~KubeClient() = default;

namespace {

using Stream = beast::ssl_stream<beast::tcp_stream>;

// Runs the io_context until `done`, cancelling the socket when `stop()` turns true. Deadlines
// themselves are the tcp_stream's (expires_after), which fail the pending operation.
void run_until(asio::io_context& ioc, const bool& done, Stream& stream, const std::function<bool()>& stop) {
  ioc.restart();
  while (!done) {
    ioc.run_for(std::chrono::milliseconds(200));
    if (!done && stop && stop()) beast::get_lowest_layer(stream).cancel();
  }
}

std::string transport_error(const std::string& what, const boost::system::error_code& ec) {
  if (ec == beast::error::timeout) return what + ": timed out";
  if (ec == asio::error::operation_aborted) return what + ": cancelled";
  return what + ": " + ec.message();
}

}  // namespace

namespace {

struct Exchange {
  asio::io_context ioc;
  Stream stream;
  std::string error;
  Exchange(ssl::context& tls) : stream(ioc, tls) {}

  bool open(const net::Url& server, int64_t timeout_ms, const std::function<bool()>& stop, bool verify_host) {
    tcp::resolver resolver(ioc);
    boost::system::error_code ec;
    bool done = false;
    tcp::resolver::results_type endpoints;
    resolver.async_resolve(server.host, std::to_string(server.port), [&](auto e, auto results) {
      ec = e;
      endpoints = results;
      done = true;
    });
    run_until(ioc, done, stream, stop);
    if (ec) return fail(transport_error("cannot resolve " + server.host, ec));
    beast::get_lowest_layer(stream).expires_after(std::chrono::milliseconds(timeout_ms));
    done = false;
    beast::get_lowest_layer(stream).async_connect(endpoints, [&](auto e, auto) {
      ec = e;
      done = true;
    });
    run_until(ioc, done, stream, stop);
    if (ec) return fail(transport_error("cannot connect to " + server.authority(), ec));
    SSL* handle = stream.native_handle();
    SSL_set_tlsext_host_name(handle, server.host.c_str());
    if (verify_host) stream.set_verify_callback(ssl::host_name_verification(server.host));
    done = false;
    stream.async_handshake(ssl::stream_base::client, [&](auto e) {
      ec = e;
      done = true;
    });
    run_until(ioc, done, stream, stop);
    if (ec) return fail(transport_error("TLS with " + server.authority() + " failed (is the cluster CA right?)", ec));
    return true;
  }

  bool send(http::request<http::string_body>& req, const std::function<bool()>& stop) {
    bool done = false;
    boost::system::error_code ec;
    http::async_write(stream, req, [&](auto e, auto) {
      ec = e;
      done = true;
    });
    run_until(ioc, done, stream, stop);
    if (ec) return fail(transport_error("sending the request failed", ec));
    return true;
  }

  bool fail(std::string why) {
    error = std::move(why);
    return false;
  }
};

}  // namespace

namespace {

http::request<http::string_body> make_request(const KubeCredentials& c, const net::Url& server, const std::string& method,
                                              const std::string& path, const std::string& body) {
  http::request<http::string_body> req{http::string_to_verb(method), server.target + path, 11};
  req.set(http::field::host, server.authority());
  req.set(http::field::user_agent, "rampart-kubernetes-executor");
  req.set(http::field::accept, "application/json");
  if (!c.token.empty()) req.set(http::field::authorization, "Bearer " + c.token);
  if (!body.empty()) {
    // PATCH bodies are JSON merge patches: only the fields they name change.
    req.set(http::field::content_type, method == "PATCH" ? "application/merge-patch+json" : "application/json");
    req.body() = body;
  }
  req.prepare_payload();
  return req;
}

}  // namespace

KubeResponse KubeClient::request(const std::string& method, const std::string& path, const std::string& body,
                                 int64_t timeout_ms, size_t body_limit) {
  KubeResponse response;
  Exchange x(impl_->tls);
  if (!x.open(impl_->server, timeout_ms, nullptr, !credentials_.insecure_skip_tls_verify)) {
    response.error = method + " " + path + ": " + x.error;
    return response;
  }
  auto req = make_request(credentials_, impl_->server, method, path, body);
  if (!x.send(req, nullptr)) {
    response.error = method + " " + path + ": " + x.error;
    return response;
  }
  beast::flat_buffer buffer;
  http::response_parser<http::string_body> parser;
  parser.body_limit(body_limit);
  bool done = false;
  boost::system::error_code ec;
  http::async_read(x.stream, buffer, parser, [&](auto e, auto) {
    ec = e;
    done = true;
  });
  run_until(x.ioc, done, x.stream, nullptr);
  if (ec) {
    response.error = method + " " + path + ": " + transport_error("reading the response failed", ec);
    return response;
  }
  response.status = static_cast<int>(parser.get().result_int());
  response.body = std::move(parser.get().body());
  return response;
}

KubeResponse KubeClient::stream(const std::string& path, const std::function<void(const char*, size_t)>& on_data,
                                const std::function<bool()>& stop, int64_t idle_timeout_ms) {
  KubeResponse response;
  Exchange x(impl_->tls);
  if (!x.open(impl_->server, std::min<int64_t>(idle_timeout_ms, 30000), stop, !credentials_.insecure_skip_tls_verify)) {
    response.error = "GET " + path + ": " + x.error;
    return response;
  }
  auto req = make_request(credentials_, impl_->server, "GET", path, "");
  if (!x.send(req, stop)) {
    response.error = "GET " + path + ": " + x.error;
    return response;
  }
  beast::flat_buffer buffer;
  http::response_parser<http::buffer_body> parser;
  parser.body_limit(boost::none);  // a watch has no end; what arrives is consumed as it comes
  boost::system::error_code ec;
  bool done = false;
  beast::get_lowest_layer(x.stream).expires_after(std::chrono::milliseconds(idle_timeout_ms));
  http::async_read_header(x.stream, buffer, parser, [&](auto e, auto) {
    ec = e;
    done = true;
  });
  run_until(x.ioc, done, x.stream, stop);
  if (ec) {
    response.error = "GET " + path + ": " + transport_error("no response header", ec);
    return response;
  }
  response.status = static_cast<int>(parser.get().result_int());
  bool success = response.status >= 200 && response.status < 300;
  char chunk[16384];
  while (!parser.is_done()) {
    parser.get().body().data = chunk;
    parser.get().body().size = sizeof chunk;
    beast::get_lowest_layer(x.stream).expires_after(std::chrono::milliseconds(idle_timeout_ms));
    done = false;
    // read_some: hand over whatever arrived (a watch event is small and may be the last for
    // minutes); read would wait until the buffer is full.
    http::async_read_some(x.stream, buffer, parser, [&](auto e, auto) {
      ec = e;
      done = true;
    });
    run_until(x.ioc, done, x.stream, stop);
    if (ec == http::error::need_buffer) ec = {};
    size_t got = sizeof chunk - parser.get().body().size;
    if (got > 0) {
      if (success) on_data(chunk, got);
      else if (response.body.size() < 65536) response.body.append(chunk, got);
    }
    if (ec) {
      if (ec != http::error::end_of_stream) response.error = "GET " + path + ": " + transport_error("the stream ended", ec);
      break;
    }
  }
  return response;
}

}  // namespace rampart::exec::kube
