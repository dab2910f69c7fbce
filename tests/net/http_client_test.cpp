// The HTTP client against rampart's own HTTPS server (in process, loopback), raw sockets, and a
// scripted TLS server (streams, silences, client certificates).
#include "net/http_client.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <future>
#include <sstream>
#include <thread>

#include <gtest/gtest.h>

#include "net/http_server.h"
#include "scripted_server.h"
#include "net/tls_certificate.h"
#include "net/url.h"

namespace rampart::net {
namespace {

namespace fs = std::filesystem;
using testing::ScriptedServer;
using testing::TlsSocket;

std::string read_file(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

class ClientTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("rampart-client-test-" + std::to_string(::getpid()));
    fs::create_directories(dir_);
    ensure_self_signed((dir_ / "c.pem").string(), (dir_ / "k.pem").string(), {"127.0.0.1"});
    HttpServerOptions options;
    options.port = 0;
    options.cert_path = (dir_ / "c.pem").string();
    options.key_path = (dir_ / "k.pem").string();
    server_ = std::make_unique<HttpServer>(options, [](HttpRequest& request) {
      HttpResponse r;
      if (request.path == "/big") {
        r.body.assign(3 * 1024 * 1024, 'x');
      } else if (request.path == "/echo") {
        r.body = request.method + " " + request.target + " " + request.body + " " + request.header("x-probe");
      } else {
        r.status = 401;
        r.body = R"({"code":16,"message":"unauthenticated"})";
      }
      return r;
    });
    thread_ = std::thread([this] { server_->run(); });
    base_ = "https://127.0.0.1:" + std::to_string(server_->port());
    fingerprint_ = certificate_fingerprint((dir_ / "c.pem").string());
  }
  void TearDown() override {
    server_->stop();
    thread_.join();
    fs::remove_all(dir_);
  }
  fs::path dir_;
  std::unique_ptr<HttpServer> server_;
  std::thread thread_;
  std::string base_, fingerprint_;

  // Trusts the test server's certificate (and only that).
  HttpClientOptions trusting_the_server() const {
    HttpClientOptions options;
    options.tls.enforce = true;
    options.tls.ca_pem = read_file(dir_ / "c.pem");
    return options;
  }
  ScriptedServer scripted(std::function<void(TlsSocket&)> script, bool require_client_cert = false) const {
    return ScriptedServer((dir_ / "c.pem").string(), (dir_ / "k.pem").string(), std::move(script), require_client_cert);
  }
};

// A socket that listens but never accepts: the kernel completes the TCP handshake, nobody answers.
struct Hanging {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  int port = 0;
  Hanging() {
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    ::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a);
    ::listen(fd, 16);
    socklen_t n = sizeof a;
    ::getsockname(fd, reinterpret_cast<sockaddr*>(&a), &n);
    port = ntohs(a.sin_port);
  }
  ~Hanging() { ::close(fd); }
};

int closed_port() {
  Hanging h;
  int port = h.port;
  return port;  // closed when h goes
}

TEST_F(ClientTest, TlsIsRecordedButSelfSignedStillConnects) {
  HttpClient client;
  HttpClientRequest request;
  request.url = base_ + "/api/v1/info";
  auto r = client.fetch(request);
  ASSERT_TRUE(r.ok()) << r.error_message;
  EXPECT_EQ(r.status, 401);
  EXPECT_EQ(r.header("server"), "rampart");
  EXPECT_TRUE(r.tls.used);
  EXPECT_EQ(r.tls.protocol, "TLSv1.3");
  EXPECT_FALSE(r.tls.cipher.empty());
  EXPECT_FALSE(r.tls.verified);
  EXPECT_FALSE(r.tls.verify_error.empty());
  EXPECT_EQ(r.tls.fingerprint, fingerprint_);
}

TEST_F(ClientTest, MethodHeadersAndBodyAreSent) {
  HttpClient client;
  HttpClientRequest request;
  request.method = "POST";
  request.url = base_ + "/echo?a=1";
  request.body = "{}";
  request.headers = {{"Content-Type", "application/json"}, {"X-Probe", "yes"}};
  auto r = client.fetch(request);
  ASSERT_TRUE(r.ok()) << r.error_message;
  EXPECT_EQ(r.body, "POST /echo?a=1 {} yes");
}

TEST_F(ClientTest, BodyIsCappedAndMarkedTruncated) {
  HttpClient client;
  HttpClientRequest request;
  request.url = base_ + "/big";
  auto r = client.fetch(request);
  ASSERT_TRUE(r.ok()) << r.error_message;
  EXPECT_TRUE(r.truncated);
  EXPECT_EQ(r.body.size(), 1024u * 1024u);
  request.body_limit = 4 * 1024 * 1024;
  r = client.fetch(request);
  EXPECT_FALSE(r.truncated);
  EXPECT_EQ(r.body.size(), 3u * 1024u * 1024u);
}

TEST_F(ClientTest, LegacyTlsOnlyIsRefusedByAModernServer) {
  HttpClient client;
  HttpClientRequest request;
  request.url = base_ + "/api/v1/info";
  request.legacy_tls_only = true;
  auto r = client.fetch(request);
  EXPECT_EQ(r.error, HttpClientError::Tls) << r.error_message;
  EXPECT_FALSE(r.tls.used);
}

TEST_F(ClientTest, PlainHttpToTlsServerFailsFast) {
  HttpClient client;
  HttpClientRequest request;
  request.url = "http://127.0.0.1:" + std::to_string(server_->port()) + "/api/v1/info";
  request.timeout_ms = 5000;
  auto r = client.fetch(request);
  EXPECT_FALSE(r.ok());
  EXPECT_LT(r.elapsed_ms, 2000);
}

TEST_F(ClientTest, ManyAtOnce) {
  HttpClient client({.threads = 2});
  std::vector<HttpClientRequest> requests(300);
  for (auto& r : requests) r.url = base_ + "/echo";
  auto start = std::chrono::steady_clock::now();
  auto results = client.fetch_all(requests);
  ASSERT_EQ(results.size(), 300u);
  for (const auto& r : results) {
    ASSERT_TRUE(r.ok()) << r.error_message;
    EXPECT_EQ(r.status, 200);
  }
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(30));
}

TEST(Client, HangingServerCostsExactlyTheTimeout) {
  Hanging hanging;
  HttpClient client;
  for (const char* scheme : {"http", "https"}) {
    HttpClientRequest request;
    request.url = std::string(scheme) + "://127.0.0.1:" + std::to_string(hanging.port) + "/";
    request.timeout_ms = 400;
    auto start = std::chrono::steady_clock::now();
    auto r = client.fetch(request);
    auto took = std::chrono::steady_clock::now() - start;
    EXPECT_EQ(r.error, HttpClientError::Timeout) << scheme << ": " << r.error_message;
    EXPECT_GE(took, std::chrono::milliseconds(390));
    EXPECT_LT(took, std::chrono::milliseconds(1500));
  }
}

TEST(Client, RefusedAndInvalid) {
  HttpClient client;
  HttpClientRequest request;
  request.url = "http://127.0.0.1:" + std::to_string(closed_port()) + "/";
  EXPECT_EQ(client.fetch(request).error, HttpClientError::Refused);
  request.url = "gopher://127.0.0.1/";
  EXPECT_EQ(client.fetch(request).error, HttpClientError::InvalidUrl);
}

TEST_F(ClientTest, EnforcedTrustRefusesAServerItsCasDidNotSign) {
  ensure_self_signed((dir_ / "other.pem").string(), (dir_ / "other-key.pem").string(), {"127.0.0.1"});
  HttpClientRequest request;
  request.url = base_ + "/api/v1/info";
  for (const std::string& ca : {read_file(dir_ / "other.pem"), std::string()}) {  // another CA; the system's
    HttpClientOptions options;
    options.tls.enforce = true;
    options.tls.ca_pem = ca;
    HttpClient client(options);
    auto r = client.fetch(request);
    EXPECT_EQ(r.error, HttpClientError::Tls) << r.error_message;
    EXPECT_NE(r.error_message.find("certificate verify failed"), std::string::npos) << r.error_message;
    EXPECT_EQ(r.status, 0);
  }
}

TEST_F(ClientTest, EnforcedTrustAcceptsTheServerWithItsCaAndChecksTheName) {
  HttpClient client(trusting_the_server());
  HttpClientRequest request;
  request.url = base_ + "/api/v1/info";
  auto r = client.fetch(request);
  ASSERT_TRUE(r.ok()) << r.error_message;
  EXPECT_EQ(r.status, 401);
  EXPECT_TRUE(r.tls.verified);
  EXPECT_EQ(r.tls.fingerprint, fingerprint_);

  // The right CA, the wrong name: the certificate is for 127.0.0.1 only.
  request.url = "https://localhost:" + std::to_string(server_->port()) + "/api/v1/info";
  r = client.fetch(request);
  EXPECT_FALSE(r.ok());
  if (r.error == HttpClientError::Tls)
    EXPECT_NE(r.error_message.find("hostname mismatch"), std::string::npos);
  else
    EXPECT_EQ(r.error, HttpClientError::Refused) << r.error_message;  // localhost is ::1 only here

  request.url = base_ + "/api/v1/info";
  request.legacy_tls_only = true;
  EXPECT_EQ(client.fetch(request).error, HttpClientError::Tls);
}

TEST_F(ClientTest, UnreadablePemsThrowWithoutQuotingThem) {
  HttpClientOptions options = trusting_the_server();
  options.tls.ca_pem = "not a certificate";
  EXPECT_THROW(HttpClient{options}, std::runtime_error);

  options = trusting_the_server();
  options.tls.client_cert_pem = read_file(dir_ / "c.pem");
  options.tls.client_key_pem = "-----BEGIN PRIVATE KEY-----\nS3CR3TKEYMATERIAL\n-----END PRIVATE KEY-----\n";
  try {
    HttpClient client(options);
    ADD_FAILURE() << "a broken key was accepted";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find("client_key_pem"), std::string::npos) << e.what();
    EXPECT_EQ(std::string(e.what()).find("S3CR3T"), std::string::npos) << e.what();
  }
}

TEST_F(ClientTest, ClientCertificateIsPresented) {
  ensure_self_signed((dir_ / "client.pem").string(), (dir_ / "client-key.pem").string(), {"client.test"});
  std::promise<std::string> seen;
  auto server = scripted(
      [&](TlsSocket& socket) {
        std::string fingerprint = ScriptedServer::client_fingerprint(socket);
        seen.set_value(fingerprint);
        ScriptedServer::write(socket, "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok");
      },
      true);
  HttpClientOptions options = trusting_the_server();
  options.tls.client_cert_pem = read_file(dir_ / "client.pem");
  options.tls.client_key_pem = read_file(dir_ / "client-key.pem");
  HttpClient client(options);
  HttpClientRequest request;
  request.url = server.url("/whoami");
  auto r = client.fetch(request);
  ASSERT_TRUE(r.ok()) << r.error_message;
  EXPECT_EQ(r.body, "ok");
  EXPECT_EQ(seen.get_future().get(), certificate_fingerprint((dir_ / "client.pem").string()));
}

TEST_F(ClientTest, StreamedBodyArrivesInPiecesOnTheCallersThread) {
  std::promise<void> first_arrived;
  auto server = scripted([&](TlsSocket& socket) {
    ScriptedServer::chunked_header(socket);
    ScriptedServer::chunk(socket, "one\n");
    // The rest only once the client has the first piece: the body is handed over as it comes.
    if (first_arrived.get_future().wait_for(std::chrono::seconds(30)) != std::future_status::ready) return;
    ScriptedServer::chunk(socket, "two\n");
    ScriptedServer::chunk(socket, "");
  });
  HttpClient client(trusting_the_server());
  HttpClientRequest request;
  request.url = server.url("/watch");
  request.body_limit = 2;  // does not apply to a streamed body
  std::vector<std::string> pieces;
  bool on_callers_thread = true;
  request.on_body = [&, caller = std::this_thread::get_id()](const char* data, size_t size) {
    on_callers_thread = on_callers_thread && std::this_thread::get_id() == caller;
    pieces.emplace_back(data, size);
    if (pieces.size() == 1) first_arrived.set_value();
  };
  auto r = client.fetch(request);
  ASSERT_TRUE(r.ok()) << r.error_message;
  EXPECT_EQ(r.status, 200);
  ASSERT_GE(pieces.size(), 2u);
  EXPECT_EQ(pieces[0], "one\n");
  std::string all;
  for (const auto& p : pieces) all += p;
  EXPECT_EQ(all, "one\ntwo\n");
  EXPECT_TRUE(r.body.empty());
  EXPECT_FALSE(r.truncated);
  EXPECT_TRUE(on_callers_thread);
}

TEST_F(ClientTest, StreamedErrorStatusFillsTheBody) {
  auto server = scripted([](TlsSocket& socket) {
    ScriptedServer::write(socket, "HTTP/1.1 403 Forbidden\r\nContent-Length: 21\r\n\r\n{\"message\":\"no way\"}\n");
  });
  HttpClient client(trusting_the_server());
  HttpClientRequest request;
  request.url = server.url("/watch");
  bool called = false;
  request.on_body = [&](const char*, size_t) { called = true; };
  auto r = client.fetch(request);
  ASSERT_TRUE(r.ok()) << r.error_message;
  EXPECT_EQ(r.status, 403);
  EXPECT_EQ(r.body, "{\"message\":\"no way\"}\n");
  EXPECT_FALSE(called);
}

TEST_F(ClientTest, StopEndsAStream) {
  auto server = scripted([](TlsSocket& socket) {
    ScriptedServer::chunked_header(socket);
    ScriptedServer::chunk(socket, "event\n");
    ScriptedServer::wait_for_close(socket);  // and never anything more
  });
  HttpClient client(trusting_the_server());
  HttpClientRequest request;
  request.url = server.url("/watch");
  request.timeout_ms = 60000;
  request.idle_timeout_ms = 60000;
  std::atomic<bool> seen{false};
  request.on_body = [&](const char*, size_t) { seen = true; };
  request.stop = [&] { return seen.load(); };
  auto r = client.fetch(request);
  EXPECT_TRUE(seen);
  EXPECT_EQ(r.error, HttpClientError::Cancelled) << r.error_message;
  EXPECT_NE(r.error_message.find("cancelled"), std::string::npos);
  EXPECT_LT(r.elapsed_ms, 30000);

  // Also from another thread, through the asynchronous form.
  std::atomic<bool> stop{true};
  request.stop = [&] { return stop.load(); };
  std::promise<HttpClientResponse> done;
  client.fetch(request, [&](HttpClientResponse response) { done.set_value(std::move(response)); });
  EXPECT_EQ(done.get_future().get().error, HttpClientError::Cancelled);
}

TEST_F(ClientTest, IdleTimeoutIsRearmedByEachPieceAndEndsASilentStream) {
  constexpr int kPieces = 5;
  auto server = scripted([](TlsSocket& socket) {
    ScriptedServer::chunked_header(socket);
    // Paced slower than the idle timeout in all, faster than it piece by piece.
    for (int i = 0; i < kPieces; ++i) {
      if (i) std::this_thread::sleep_for(std::chrono::milliseconds(500));
      ScriptedServer::chunk(socket, "piece\n");
    }
    ScriptedServer::wait_for_close(socket);
  });
  HttpClient client(trusting_the_server());
  HttpClientRequest request;
  request.url = server.url("/watch");
  request.timeout_ms = 1000;  // bounds connecting only
  request.idle_timeout_ms = 1500;
  std::string body;
  request.on_body = [&](const char* data, size_t size) { body.append(data, size); };
  auto r = client.fetch(request);
  EXPECT_EQ(r.error, HttpClientError::Timeout) << r.error_message;
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(body.size(), kPieces * std::string("piece\n").size());
  EXPECT_LT(r.elapsed_ms, 30000);
}

TEST(Url, Parse) {
  auto u = parse_url("HTTPS://Example.COM:8443/a/b?c=d#frag");
  ASSERT_TRUE(u);
  EXPECT_EQ(u->scheme, "https");
  EXPECT_EQ(u->host, "example.com");
  EXPECT_EQ(u->port, 8443);
  EXPECT_EQ(u->target, "/a/b?c=d");
  auto v6 = parse_url("http://[::1]/x");
  ASSERT_TRUE(v6);
  EXPECT_EQ(v6->host, "::1");
  EXPECT_EQ(v6->port, 80);
  EXPECT_EQ(v6->authority(), "[::1]:80");
  auto q = parse_url("http://h?x=1");
  ASSERT_TRUE(q);
  EXPECT_EQ(q->target, "/?x=1");
  for (const char* bad : {"ftp://h", "http://", "http://u@h", "http://h:0", "http://h:70000", "h:80", "http://::1/"}) {
    EXPECT_FALSE(parse_url(bad)) << bad;
  }
}

TEST(Url, Loopback) {
  EXPECT_TRUE(is_loopback_host("127.0.0.1"));
  EXPECT_TRUE(is_loopback_host("127.8.9.10"));
  EXPECT_TRUE(is_loopback_host("::1"));
  EXPECT_TRUE(is_loopback_host("localhost"));
  EXPECT_FALSE(is_loopback_host("10.0.0.1"));
  EXPECT_FALSE(is_loopback_host("::2"));
  EXPECT_FALSE(is_loopback_host("example.com"));
}

}  // namespace
}  // namespace rampart::net
