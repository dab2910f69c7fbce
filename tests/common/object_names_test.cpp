#include "common/object_names.h"

#include <gtest/gtest.h>

namespace rampart {
namespace {

TEST(ObjectNames, Dns1123LabelAcceptsKubernetesNames) {
  for (const char* ok :
       {"a", "team-a", "0ab", "a-b-c", "x123456789012345678901234567890123456789012345678901234567890ab"}) {
    EXPECT_EQ(check_dns1123_label(ok), "") << ok;
  }
}

TEST(ObjectNames, Dns1123LabelRefusesPathsUpperCaseAndUnicode) {
  for (const char* bad : {"", "..", "../etc", "a/b", "Team", "-a", "a-", "a.b", "a_b", "caf\xc3\xa9", "a b",
                          "x1234567890123456789012345678901234567890123456789012345678901ab"}) {
    EXPECT_NE(check_dns1123_label(bad), "") << bad;
  }
  EXPECT_NE(check_dns1123_label("../x").find("DNS-1123 label"), std::string::npos);
}

TEST(ObjectNames, SubdomainAllowsDotsBetweenLabelsOnly) {
  EXPECT_EQ(check_dns1123_subdomain("hello-world.v1"), "");
  EXPECT_EQ(
      check_dns1123_subdomain(std::string(253, 'a').replace(63, 1, ".").replace(127, 1, ".").replace(191, 1, ".")), "");
  for (const char* bad : {"..", ".", "a..b", ".a", "a.", "/", "/etc", "a/../b", "A.b", "a.-b"}) {
    EXPECT_NE(check_dns1123_subdomain(bad), "") << bad;
  }
  EXPECT_NE(check_dns1123_subdomain(std::string(254, 'a')), "");
}

TEST(ObjectNames, GenerateNameMayEndInADash) {
  EXPECT_EQ(check_generate_name("hello-"), "");
  EXPECT_EQ(check_generate_name("hello.world-"), "");
  EXPECT_NE(check_generate_name("../"), "");
  EXPECT_NE(check_generate_name("Hello-"), "");
}

TEST(ObjectNames, QualifiedNamesAndLabelValues) {
  EXPECT_EQ(check_qualified_name("app"), "");
  EXPECT_EQ(check_qualified_name("workflows.argoproj.io/phase"), "");
  EXPECT_EQ(check_qualified_name("My_Key.1"), "");
  EXPECT_NE(check_qualified_name("a/b/c"), "");
  EXPECT_NE(check_qualified_name("Bad_Prefix/x"), "");
  EXPECT_NE(check_qualified_name("/x"), "");
  EXPECT_EQ(check_label_value(""), "");
  EXPECT_EQ(check_label_value("Running"), "");
  EXPECT_NE(check_label_value("a b"), "");
  EXPECT_NE(check_label_value(std::string(64, 'a')), "");
}

TEST(ObjectNames, ConfigKeysAreSingleFileNames) {
  EXPECT_EQ(check_config_key("config.json"), "");
  EXPECT_EQ(check_config_key(".hidden"), "");
  for (const char* bad : {"", ".", "..", "a/b", "../x", "/etc/passwd", "a b"})
    EXPECT_NE(check_config_key(bad), "") << bad;
}

TEST(ObjectNames, MessagesShortenAndNeutraliseHostileInput) {
  std::string message = check_dns1123_label(std::string(10000, 'A') + "\n");
  EXPECT_LT(message.size(), 200u);
  EXPECT_EQ(message.find('\n'), std::string::npos);
}

}  // namespace
}  // namespace rampart
