// net::parse_request reads one request from bytes with the server's own parser and limits (the
// fuzzer's entry point); these pin the answers a connection gets for each kind of input.
#include <gtest/gtest.h>

#include <string>

#include "net/http_server.h"

namespace rampart::net {
namespace {

HttpServerOptions limits() {
  HttpServerOptions o;
  o.header_limit = 1024;
  o.body_limit = 100;
  return o;
}

TEST(ParseRequestTest, ACompleteRequestComesOutDecoded) {
  auto parsed = parse_request(
      "POST /api/v1/workflows/a%2Fb/lint?x=1&y=a+b HTTP/1.1\r\nHost: h\r\nX-A: 1\r\nx-a: 2\r\n"
      "Content-Length: 2\r\n\r\n{}",
      limits(), "192.0.2.1");
  ASSERT_TRUE(parsed.request);
  EXPECT_FALSE(parsed.rejection);
  EXPECT_EQ(parsed.request->method, "POST");
  EXPECT_EQ(parsed.request->path, "/api/v1/workflows/a/b/lint");
  EXPECT_EQ(parsed.request->query_value("y"), "a b");
  EXPECT_EQ(parsed.request->header("x-a"), "1, 2");
  EXPECT_EQ(parsed.request->body, "{}");
  EXPECT_EQ(parsed.request->client_address, "192.0.2.1");
  EXPECT_TRUE(parsed.keep_alive);
}

TEST(ParseRequestTest, LimitsAnswer431And413NamingTheLimit) {
  auto headers = parse_request("GET / HTTP/1.1\r\nX: " + std::string(2000, 'v') + "\r\n\r\n", limits(), "c");
  ASSERT_TRUE(headers.rejection);
  EXPECT_EQ(headers.rejection->status, 431);
  EXPECT_NE(headers.rejection->body.find("1024 bytes"), std::string::npos) << headers.rejection->body;

  auto declared = parse_request("POST / HTTP/1.1\r\nContent-Length: 99999999999\r\n\r\n{}", limits(), "c");
  ASSERT_TRUE(declared.rejection);
  EXPECT_EQ(declared.rejection->status, 413);
  EXPECT_NE(declared.rejection->body.find("limit of 100 bytes"), std::string::npos);

  std::string chunk(80, 'x');
  auto chunked = parse_request(
      "POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n50\r\n" + chunk + "\r\n50\r\n" + chunk + "\r\n0\r\n\r\n",
      limits(), "c");
  ASSERT_TRUE(chunked.rejection);
  EXPECT_EQ(chunked.rejection->status, 413);
}

TEST(ParseRequestTest, GarbageIs400AndATruncatedRequestGetsNoAnswer) {
  for (std::string bad : {std::string("\x16\x03\x01\x00\xff garbage\r\n\r\n"), std::string("GET / HTTP/9\r\n\r\n"),
                          std::string("POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n")}) {
    auto parsed = parse_request(bad, limits(), "c");
    ASSERT_TRUE(parsed.rejection) << bad;
    EXPECT_EQ(parsed.rejection->status, 400);
    EXPECT_FALSE(parsed.request);
  }
  for (std::string cut : {std::string(""), std::string("GET /api/v1/info HTTP/1.1\r\nHost:"),
                          std::string("POST / HTTP/1.1\r\nContent-Length: 10\r\n\r\n{}")}) {
    auto parsed = parse_request(cut, limits(), "c");
    EXPECT_FALSE(parsed.request) << cut;
    EXPECT_FALSE(parsed.rejection) << cut;
  }
}

}  // namespace
}  // namespace rampart::net
