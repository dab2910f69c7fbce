#include "scan/leaks.h"

#include <gtest/gtest.h>

namespace rampart::scan {
namespace {

const char* kList = R"json({"metadata":{"resourceVersion":"1"},"items":[
  {"metadata":{"name":"build-1","namespace":"ci"},
   "spec":{"serviceAccountName":"builder","templates":[
     {"name":"a","container":{"image":"harbor.corp.local/team/app:2","env":[
        {"name":"GITHUB_TOKEN","value":"ghp_realvalue"},{"name":"MODE","value":"fast"},
        {"name":"DB_PASS","valueFrom":{"secretKeyRef":{"name":"db","key":"p"}}}]}},
     {"name":"b","script":{"image":"python:3.12","source":"print(1)"}}]}}]})json";

TEST(Leaks, NamesImagesRegistriesAndEnvNamesNeverValues) {
  Leaks leaks = extract_leaks(kList);
  EXPECT_TRUE(leaks.parsed);
  EXPECT_EQ(leaks.items, 1u);
  EXPECT_EQ(leaks.names, std::set<std::string>{"build-1"});
  EXPECT_EQ(leaks.namespaces, std::set<std::string>{"ci"});
  EXPECT_EQ(leaks.images, (std::set<std::string>{"harbor.corp.local/team/app:2", "python:3.12"}));
  EXPECT_EQ(leaks.private_registries, std::set<std::string>{"harbor.corp.local"});
  EXPECT_EQ(leaks.env_names, (std::set<std::string>{"DB_PASS", "GITHUB_TOKEN", "MODE"}));
  EXPECT_EQ(leaks.secret_like_env, std::set<std::string>{"GITHUB_TOKEN"});  // DB_PASS comes from a Secret
  EXPECT_EQ(leaks.service_accounts, std::set<std::string>{"builder"});
  std::string dumped = leaks.to_json().dump();
  EXPECT_EQ(dumped.find("ghp_realvalue"), std::string::npos);
  EXPECT_EQ(dumped.find("fast"), std::string::npos);
  EXPECT_EQ(dumped.find("print(1)"), std::string::npos);
}

TEST(Leaks, TruncatedBodyIsScannedByPattern) {
  std::string body = kList;
  body.resize(body.find("python:3.12") + 4);  // cut mid-string
  Leaks leaks = extract_leaks(body);
  EXPECT_FALSE(leaks.parsed);
  EXPECT_EQ(leaks.names, std::set<std::string>{"build-1"});
  EXPECT_EQ(leaks.images, std::set<std::string>{"harbor.corp.local/team/app:2"});
  EXPECT_EQ(leaks.env_names, (std::set<std::string>{"DB_PASS", "GITHUB_TOKEN", "MODE"}));
  EXPECT_EQ(leaks.to_json().dump().find("ghp_realvalue"), std::string::npos);
}

TEST(Leaks, Registries) {
  EXPECT_EQ(registry_of("alpine"), "docker.io");
  EXPECT_EQ(registry_of("argoproj/argocli:v3.5.5"), "docker.io");
  EXPECT_EQ(registry_of("ghcr.io/org/app@sha256:abc"), "ghcr.io");
  EXPECT_EQ(registry_of("registry.corp:5000/x/y:1"), "registry.corp:5000");
  EXPECT_EQ(registry_of("localhost/x"), "localhost");
  EXPECT_TRUE(is_public_registry("quay.io"));
  EXPECT_FALSE(is_public_registry("registry.corp:5000"));
  EXPECT_TRUE(looks_secret("aws_secret_access_key"));
  EXPECT_FALSE(looks_secret("LOG_LEVEL"));
}

TEST(Leaks, NotAListGivesNothing) {
  EXPECT_TRUE(extract_leaks("{}").empty());
  EXPECT_TRUE(extract_leaks("<html>").empty());
  EXPECT_TRUE(extract_leaks(R"({"items":null})").empty());
}

}  // namespace
}  // namespace rampart::scan
