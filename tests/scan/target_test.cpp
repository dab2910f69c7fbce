#include "scan/target.h"

#include <gtest/gtest.h>

namespace rampart::scan {
namespace {

TEST(Target, UrlKeepsItsSchemePortAndBasePath) {
  std::string error;
  auto c = expand_target("https://127.0.0.1:8443/argo/", &error);
  ASSERT_TRUE(c) << error;
  ASSERT_EQ(c->size(), 1u);
  EXPECT_EQ((*c)[0].scheme, "https");
  EXPECT_EQ((*c)[0].port, 8443);
  EXPECT_EQ((*c)[0].base_path, "/argo");
  auto plain = expand_target("http://localhost", &error);
  ASSERT_TRUE(plain);
  EXPECT_EQ((*plain)[0].port, 80);
  EXPECT_EQ((*plain)[0].base_path, "");
}

TEST(Target, HostPortTriesBothSchemes) {
  auto c = expand_target("127.0.0.1:2746", nullptr);
  ASSERT_TRUE(c);
  ASSERT_EQ(c->size(), 1u);
  EXPECT_EQ((*c)[0].scheme, "");
  EXPECT_EQ((*c)[0].host, "127.0.0.1");
  auto v6 = expand_target("[::1]:9000", nullptr);
  ASSERT_TRUE(v6);
  EXPECT_EQ((*v6)[0].host, "::1");
  EXPECT_EQ((*v6)[0].port, 9000);
}

TEST(Target, HostAloneUsesDefaultPorts) {
  auto c = expand_target("Argo.Example.COM", nullptr);
  ASSERT_TRUE(c);
  ASSERT_EQ(c->size(), 2u);
  EXPECT_EQ((*c)[0].host, "argo.example.com");
  EXPECT_EQ((*c)[0].port, 2746);
  EXPECT_EQ((*c)[1].port, 443);
  auto v6 = expand_target("::1", nullptr);
  ASSERT_TRUE(v6);
  EXPECT_EQ(v6->size(), 2u);
}

TEST(Target, RejectsWhatIsNotATarget) {
  for (const char* bad : {"", "ftp://host", "http://", "host:0", "host:65536", "host:abc", "host/path",
                          "http://user@host", "-host", "ho st", "[::1"}) {
    std::string error;
    EXPECT_FALSE(expand_target(bad, &error)) << bad;
    EXPECT_FALSE(error.empty()) << bad;
  }
}

}  // namespace
}  // namespace rampart::scan
