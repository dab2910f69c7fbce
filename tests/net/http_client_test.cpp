// The HTTP client against rampart's own HTTPS server (in process, loopback) and raw sockets.
#include "net/http_client.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <thread>

#include <gtest/gtest.h>

#include "net/http_server.h"
#include "net/tls_certificate.h"
#include "net/url.h"

namespace rampart::net {
namespace {

namespace fs = std::filesystem;

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
