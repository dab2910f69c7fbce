#include "exec/container/registry_reference.h"

#include <gtest/gtest.h>

namespace rampart::exec {
namespace {

RegistryReference parse(const std::string& image) {
  std::string error;
  auto ref = parse_registry_reference(image, &error);
  EXPECT_TRUE(ref.has_value()) << image << ": " << error;
  return ref.value_or(RegistryReference{});
}

std::string error_of(const std::string& image) {
  std::string error;
  auto ref = parse_registry_reference(image, &error);
  EXPECT_FALSE(ref.has_value()) << image << " was accepted as " << ref->to_string();
  return error;
}

TEST(RegistryReference, DockerHubShortNamesGetRegistryLibraryAndTag) {
  EXPECT_EQ(parse("alpine").to_string(), "docker.io/library/alpine:latest");
  EXPECT_EQ(parse("python:alpine3.23").to_string(), "docker.io/library/python:alpine3.23");
  EXPECT_EQ(parse("argoproj/argosay:v2").to_string(), "docker.io/argoproj/argosay:v2");
  EXPECT_EQ(parse("index.docker.io/library/busybox").to_string(), "docker.io/library/busybox:latest");
}

TEST(RegistryReference, RegistryHostsAndPortsAreRecognised) {
  RegistryReference r = parse("127.0.0.1:5000/tools/probe");
  EXPECT_EQ(r.registry, "127.0.0.1:5000");
  EXPECT_EQ(r.repository, "tools/probe");
  EXPECT_EQ(r.tag, "latest");
  EXPECT_EQ(parse("localhost/x:1").registry, "localhost");
  EXPECT_EQ(parse("ghcr.io/org/tool:1.2").repository, "org/tool");
}

TEST(RegistryReference, DigestsPinAndNeedNoTag) {
  std::string digest = "sha256:" + std::string(64, 'a');
  RegistryReference r = parse("busybox@" + digest);
  EXPECT_EQ(r.digest, digest);
  EXPECT_EQ(r.tag, "");
  EXPECT_EQ(r.to_string(), "docker.io/library/busybox@" + digest);
}

TEST(RegistryReference, MirrorsReplaceOnlyTheirRegistry) {
  std::map<std::string, std::string> mirrors = {{"docker.io", "127.0.0.1:5000"}};
  EXPECT_EQ(parse("alpine:3.7").mirrored(mirrors).to_string(), "127.0.0.1:5000/library/alpine:3.7");
  EXPECT_EQ(parse("ghcr.io/a/b").mirrored(mirrors).to_string(), "ghcr.io/a/b:latest");
}

TEST(RegistryReference, MalformedReferencesAreRefusedWithAReason) {
  EXPECT_NE(error_of("").find("empty"), std::string::npos);
  EXPECT_NE(error_of("Alpine").find("lower-case"), std::string::npos);
  EXPECT_NE(error_of("alpine@sha256:xyz").find("digest"), std::string::npos);
  EXPECT_NE(error_of("alpine:-bad").find("tag"), std::string::npos);
  error_of("-oProxyCommand=x/y");  // would look like an option to a pull tool
  error_of("a//b");
  error_of("../../etc");
  error_of(std::string(600, 'a'));
}

TEST(RegistryReference, LoopbackRegistriesAreRecognised) {
  EXPECT_TRUE(is_loopback_registry("127.0.0.1:5000"));
  EXPECT_TRUE(is_loopback_registry("localhost:5000"));
  EXPECT_TRUE(is_loopback_registry("[::1]:5000"));
  EXPECT_FALSE(is_loopback_registry("docker.io"));
  EXPECT_FALSE(is_loopback_registry("127.example.com"));
}

}  // namespace
}  // namespace rampart::exec
