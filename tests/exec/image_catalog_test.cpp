#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "exec/catalog_location.h"
#include "exec/image_catalog.h"
#include "exec/image_reference.h"
#include "exec_test_support.h"

namespace rampart::exec {
namespace {

using testing::source_catalog;

TEST(ImageReference, NormalizesDockerHubSpellings) {
  for (const char* image :
       {"busybox", "busybox:latest", "docker.io/busybox", "docker.io/library/busybox:latest", "library/busybox",
        " busybox ", "busybox@sha256:0123abcd", "index.docker.io/library/busybox"}) {
    ImageReference ref = parse_image_reference(image);
    EXPECT_EQ(ref.repository, "busybox") << image;
    EXPECT_EQ(ref.tag, "latest") << image;
  }
  ImageReference ref = parse_image_reference("docker.io/library/busybox:1.36@sha256:abc");
  EXPECT_EQ(ref.to_string(), "busybox:1.36");
  EXPECT_EQ(parse_image_reference("argoproj/argosay:v2").repository, "argoproj/argosay");
  // A registry port is not a tag.
  ref = parse_image_reference("registry.local:5000/tools/x");
  EXPECT_EQ(ref.repository, "registry.local:5000/tools/x");
  EXPECT_EQ(ref.tag, "latest");
}

TEST(ImageCatalog, ResolvesTheShippedImages) {
  ImageCatalog catalog = ImageCatalog::load(source_catalog());
  auto busybox = catalog.resolve("docker.io/library/busybox:1.36");
  ASSERT_TRUE(busybox.runtime) << busybox.error;
  EXPECT_EQ(busybox.runtime->cmd, std::vector<std::string>{"sh"});
  EXPECT_TRUE(busybox.runtime->entrypoint.empty());
  EXPECT_EQ(busybox.runtime->path_variable(false), "/rampart/bin:/usr/local/bin:/usr/bin:/bin");
  EXPECT_EQ(busybox.runtime->image, "busybox:1.36");

  auto alpine = catalog.resolve("alpine:3.23");
  ASSERT_TRUE(alpine.runtime);
  EXPECT_EQ(alpine.runtime->cmd, std::vector<std::string>{"/bin/sh"});
  EXPECT_EQ(catalog.resolve("debian:9.1").runtime->cmd, std::vector<std::string>{"bash"});
  EXPECT_EQ(catalog.resolve("ubuntu:17.10").runtime->cmd, std::vector<std::string>{"bash"});

  auto python = catalog.resolve("python:alpine3.23");
  ASSERT_TRUE(python.runtime);
  bool has_python_tools = false;
  for (const auto& dir : python.runtime->path) {
    if (dir.container_dir == "/rampart/tools/python") {
      has_python_tools = true;
      EXPECT_TRUE(std::filesystem::exists(std::filesystem::path(dir.host_dir) / "python"));
    }
  }
  EXPECT_TRUE(has_python_tools);

  EXPECT_EQ(catalog.resolve("argoproj/argosay:v2").runtime->entrypoint, std::vector<std::string>{"argosay"});
  EXPECT_EQ(catalog.resolve("argoproj/argosay:v1").runtime->entrypoint, std::vector<std::string>{"cowsay"});
  auto whalesay = catalog.resolve("docker/whalesay");
  ASSERT_TRUE(whalesay.runtime);
  EXPECT_TRUE(whalesay.runtime->entrypoint.empty());
  EXPECT_EQ(whalesay.runtime->cmd, std::vector<std::string>{"/bin/bash"});
}

TEST(ImageCatalog, AMissingImageIsAnErrorNamingTheCatalog) {
  ImageCatalog catalog = ImageCatalog::load(source_catalog());
  auto missing = catalog.resolve("foo/bar:1");
  EXPECT_FALSE(missing.runtime);
  EXPECT_EQ(
      missing.error,
      "image \"foo/bar:1\" is not in the image catalog " + source_catalog() +
          "; add an entry for it, or run the step in a real container with --executor container (docs/containers.md)");
  // argosay:v3 does not exist: a tag pattern restricts the match.
  EXPECT_FALSE(catalog.resolve("argoproj/argosay:v3").runtime);
}

TEST(ImageCatalog, TagGlobsAndFirstMatchWins) {
  ImageCatalog catalog = ImageCatalog::parse(R"(
images:
  - match: ["tool:1.*"]
    cmd: [one]
  - match: [tool, other:2]
    entrypoint: [any]
    env: {A: "1"}
    workdir: /src
)",
                                             "inline.yaml", "/nonexistent");
  EXPECT_EQ(catalog.resolve("tool:1.4").runtime->cmd, std::vector<std::string>{"one"});
  EXPECT_EQ(catalog.resolve("tool:2").runtime->entrypoint, std::vector<std::string>{"any"});
  EXPECT_EQ(catalog.resolve("tool").runtime->entrypoint, std::vector<std::string>{"any"});
  EXPECT_EQ(catalog.resolve("other:2").runtime->workdir, "/src");
  EXPECT_EQ(catalog.resolve("other:2").runtime->env.at(0), (std::pair<std::string, std::string>{"A", "1"}));
  EXPECT_FALSE(catalog.resolve("other:3").runtime);
  // Default PATH when an entry names none.
  EXPECT_EQ(catalog.resolve("tool").runtime->path_variable(false), "/usr/local/bin:/usr/bin:/bin");
}

// A server makes an executor per workflow: the catalog is read again only when its file changed.
TEST(ImageCatalog, ASharedCatalogIsReadAgainOnlyWhenItsFileChanges) {
  testing::ScratchDir scratch;
  const std::string path = (scratch.path() / "images.yaml").string();
  std::ofstream(path) << "images:\n  - match: [tool]\n    cmd: [one]\n";
  auto first = ImageCatalog::load_shared(path);
  EXPECT_EQ(ImageCatalog::load_shared(path), first);
  std::ofstream(path) << "images:\n  - match: [tool]\n    cmd: [two, words]\n";
  auto changed = ImageCatalog::load_shared(path);
  EXPECT_NE(changed, first);
  EXPECT_EQ(changed->resolve("tool").runtime->cmd, (std::vector<std::string>{"two", "words"}));
  EXPECT_EQ(first->resolve("tool").runtime->cmd, std::vector<std::string>{"one"}) << "held copies stay valid";
  EXPECT_THROW(ImageCatalog::load_shared((scratch.path() / "missing.yaml").string()), CatalogError);
}

TEST(ImageCatalog, RejectsMistakesWithTheirLine) {
  auto error_of = [](const std::string& text) {
    try {
      ImageCatalog::parse(text, "c.yaml", "/nonexistent");
    } catch (const CatalogError& e) {
      return std::string(e.what());
    }
    return std::string("no error");
  };
  EXPECT_EQ(error_of("images:\n  - match: [x]\n    comand: [y]\n"),
            "c.yaml:3:5: unknown field `comand` (expected one of match, entrypoint, cmd, path, env, workdir)");
  EXPECT_NE(error_of("images:\n  - cmd: [y]\n").find("needs `match`"), std::string::npos);
  EXPECT_NE(error_of("images:\n  - match: [x]\n    path: [no-such-tools]\n")
                .find("tool directory /nonexistent/no-such-tools does not exist"),
            std::string::npos);
  EXPECT_NE(error_of("imgs: []\n").find("expected a map with a list `images`"), std::string::npos);
  EXPECT_THROW(ImageCatalog::load("/nonexistent/images.yaml"), CatalogError);
}

TEST(CatalogLocation, ExplicitThenEnvironmentThenInstalledOrSource) {
  EXPECT_EQ(locate_image_catalog("/x/images.yaml"), "/x/images.yaml");
  ::setenv("RAMPART_IMAGE_CATALOG", "/from/env.yaml", 1);
  EXPECT_EQ(locate_image_catalog(), "/from/env.yaml");
  ::unsetenv("RAMPART_IMAGE_CATALOG");
  // The test binary has no share/ next to it: the source tree's copy is found.
  EXPECT_EQ(std::filesystem::path(locate_image_catalog()), std::filesystem::path(source_catalog()).lexically_normal());
}

}  // namespace
}  // namespace rampart::exec
