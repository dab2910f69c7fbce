// A one-connection TLS server on loopback whose replies a test writes by hand, on the server's
// own thread: what is sent, and when, is the test's (streams in pieces, silences, a required
// client certificate), so that streaming is shown by order of events rather than by timing.
#pragma once

#include <sys/socket.h>

#include <utility>  // Boost 1.74's asio headers use std::exchange without including it

#include <boost/asio.hpp>
#include <boost/asio/ssl.hpp>
#include <openssl/ssl.h>
#include <openssl/x509.h>

#include <cstdio>
#include <functional>
#include <string>
#include <thread>

namespace rampart::net::testing {

namespace asio = boost::asio;
using TlsSocket = asio::ssl::stream<asio::ip::tcp::socket>;

class ScriptedServer {
 public:
  // `script` runs after the handshake and the request's header were read. With
  // `require_client_cert`, a client without a certificate fails the handshake (any certificate
  // is accepted: the script looks at it).
  ScriptedServer(const std::string& cert_path, const std::string& key_path, std::function<void(TlsSocket&)> script,
                 bool require_client_cert = false) {
    tls_.use_certificate_chain_file(cert_path);
    tls_.use_private_key_file(key_path, asio::ssl::context::pem);
    if (require_client_cert) {
      tls_.set_verify_mode(asio::ssl::verify_peer | asio::ssl::verify_fail_if_no_peer_cert);
      tls_.set_verify_callback([](bool, asio::ssl::verify_context&) { return true; });
    }
    acceptor_.open(asio::ip::tcp::v4());
    acceptor_.bind({asio::ip::make_address("127.0.0.1"), 0});
    acceptor_.listen();
    thread_ = std::thread([this, script = std::move(script)] { serve(script); });
  }
  ~ScriptedServer() {
    ::shutdown(acceptor_.native_handle(), SHUT_RDWR);  // wakes an accept() nobody connected to
    thread_.join();
  }
  std::string url(const std::string& path) const {
    return "https://127.0.0.1:" + std::to_string(acceptor_.local_endpoint().port()) + path;
  }

  static void write(TlsSocket& socket, const std::string& data) { asio::write(socket, asio::buffer(data)); }
  static void chunked_header(TlsSocket& socket, const std::string& status = "200 OK") {
    write(socket, "HTTP/1.1 " + status + "\r\nTransfer-Encoding: chunked\r\n\r\n");
  }
  static void chunk(TlsSocket& socket, const std::string& data) {
    char size[32];
    std::snprintf(size, sizeof size, "%zx\r\n", data.size());
    write(socket, size + data + "\r\n");
  }
  // Returns when the client has gone (it closed or reset the connection).
  static void wait_for_close(TlsSocket& socket) {
    char byte;
    boost::system::error_code ec;
    while (!ec) socket.read_some(asio::buffer(&byte, 1), ec);
  }
  // "sha256:AB:..." of the client's certificate, as certificate_fingerprint() says it; "" for none.
  static std::string client_fingerprint(TlsSocket& socket) {
    X509* cert = SSL_get1_peer_certificate(socket.native_handle());
    if (!cert) return "";
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned int len = 0;
    X509_digest(cert, EVP_sha256(), md, &len);
    X509_free(cert);
    std::string out = "sha256:";
    char hex[4];
    for (unsigned int i = 0; i < len; ++i) {
      std::snprintf(hex, sizeof hex, "%02X", md[i]);
      out += (i ? ":" : "") + std::string(hex);
    }
    return out;
  }

 private:
  void serve(const std::function<void(TlsSocket&)>& script) {
    boost::system::error_code ec;
    asio::ip::tcp::socket socket(io_);
    acceptor_.accept(socket, ec);
    if (ec) return;
    TlsSocket tls(std::move(socket), tls_);
    tls.handshake(asio::ssl::stream_base::server, ec);
    asio::streambuf request;
    if (!ec) asio::read_until(tls, request, "\r\n\r\n", ec);
    if (ec) return;
    try {
      script(tls);
    } catch (const std::exception&) {
      // The client went away mid-script: what the test asserts is on the client's side.
    }
  }

  asio::io_context io_;
  asio::ssl::context tls_{asio::ssl::context::tls_server};
  asio::ip::tcp::acceptor acceptor_{io_};
  std::thread thread_;
};

}  // namespace rampart::net::testing
