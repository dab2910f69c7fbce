// The OCI configuration a step gets: isolation by default, and refusals that say what to do.
#include "exec/container/runtime_config.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <stdlib.h>

#include <algorithm>
#include <filesystem>
#include <fstream>

namespace rampart::exec {
namespace {

using Json = nlohmann::json;
using ::testing::HasSubstr;

struct Fixture {
  StepRequest request;
  ImageConfig image;
  ContainerPolicy policy;

  Fixture() {
    request.id = "wf-1234";
    request.image = "busybox";
    request.step_dir = "/tmp";
    image.env = {{"PATH", "/bin"}, {"LANG", "C"}};
  }
  RuntimeConfigBuild build(std::vector<std::string> argv = {"echo", "hi"}) {
    RuntimeConfigInputs in{request, image, std::move(argv), "/merged", "/tmp", std::nullopt, "", std::nullopt, 1024};
    return make_runtime_config(in, policy);
  }
};

std::vector<std::string> namespaces(const Json& config) {
  std::vector<std::string> out;
  for (const auto& n : config["linux"]["namespaces"]) out.push_back(n["type"]);
  return out;
}

const Json* mount_at(const Json& config, const std::string& destination) {
  for (const auto& m : config["mounts"]) {
    if (m["destination"] == destination) return &m;
  }
  return nullptr;
}

TEST(RuntimeConfig, DefaultsIsolateEverything) {
  Fixture f;
  RuntimeConfigBuild b = f.build();
  ASSERT_TRUE(b.error.empty()) << b.error;
  const Json& c = b.config;
  EXPECT_THAT(namespaces(c), ::testing::UnorderedElementsAre("mount", "uts", "cgroup", "pid", "ipc", "network"));
  EXPECT_EQ(c["process"]["noNewPrivileges"], true);
  EXPECT_TRUE(c["process"]["capabilities"]["bounding"].empty());
  EXPECT_TRUE(c["process"]["capabilities"]["effective"].empty());
  EXPECT_EQ(c["linux"]["seccomp"]["defaultAction"], "SCMP_ACT_ALLOW");
  EXPECT_THAT(c["linux"]["seccomp"].dump(), HasSubstr("\"mount\""));
  EXPECT_THAT(c["linux"]["seccomp"].dump(), HasSubstr("\"bpf\""));
  EXPECT_EQ(c["root"]["path"], "/merged");
  EXPECT_EQ(c["root"]["readonly"], false);
  EXPECT_EQ(c["process"]["user"]["uid"], 0);
  EXPECT_EQ(c["hostname"], "wf-1234");
  ASSERT_NE(mount_at(c, "/sys"), nullptr);
  EXPECT_THAT((*mount_at(c, "/sys"))["options"].dump(), HasSubstr("\"ro\""));
  ASSERT_NE(mount_at(c, "/tmp"), nullptr);
  EXPECT_EQ((*mount_at(c, "/tmp"))["source"], "/tmp");
}

TEST(RuntimeConfig, PrivilegedAndHostNamespacesAreRefusedUnlessAllowed) {
  Fixture f;
  f.request.security.privileged = true;
  RuntimeConfigBuild b = f.build();
  EXPECT_TRUE(b.config.is_null());
  EXPECT_THAT(b.error, HasSubstr("privileged containers are refused"));
  EXPECT_THAT(b.error, HasSubstr("--allow-privileged"));
  f.policy.allow_privileged = true;
  b = f.build();
  ASSERT_TRUE(b.error.empty()) << b.error;
  EXPECT_FALSE(b.config["linux"].contains("seccomp"));
  EXPECT_FALSE(b.config["process"]["capabilities"]["bounding"].empty());

  Fixture g;
  g.request.security.host_network = true;
  EXPECT_THAT(g.build().error, HasSubstr("hostNetwork"));
  g.policy.allow_host_namespaces = true;
  b = g.build();
  ASSERT_TRUE(b.error.empty()) << b.error;
  EXPECT_THAT(namespaces(b.config), ::testing::Not(::testing::Contains("network")));
}

TEST(RuntimeConfig, NetworkNeedsPolicy) {
  Fixture f;
  f.request.network = true;
  EXPECT_THAT(f.build().error, HasSubstr("--allow-network"));
  f.policy.allow_network = true;
  RuntimeConfigBuild b = f.build();
  ASSERT_TRUE(b.error.empty()) << b.error;
  EXPECT_THAT(namespaces(b.config), ::testing::Not(::testing::Contains("network")));
}

TEST(RuntimeConfig, CapabilitiesOnlyWhenThePolicyPermitsThem) {
  Fixture f;
  f.request.security.add_capabilities = {"NET_BIND_SERVICE"};
  EXPECT_THAT(f.build().error, HasSubstr("capability NET_BIND_SERVICE is not permitted"));
  f.policy.allowed_capabilities = {"NET_BIND_SERVICE"};
  RuntimeConfigBuild b = f.build();
  ASSERT_TRUE(b.error.empty()) << b.error;
  EXPECT_EQ(b.config["process"]["capabilities"]["bounding"], Json::array({"CAP_NET_BIND_SERVICE"}));
  f.request.security.add_capabilities = {"NOT_A_CAP"};
  EXPECT_THAT(f.build().error, HasSubstr("unknown capability"));
}

TEST(RuntimeConfig, UserReadOnlyRootAndRunAsNonRoot) {
  Fixture f;
  f.request.security.read_only_root = true;
  f.request.security.run_as_user = 1000;
  f.request.security.run_as_group = 100;
  RuntimeConfigBuild b = f.build();
  ASSERT_TRUE(b.error.empty()) << b.error;
  EXPECT_EQ(b.config["root"]["readonly"], true);
  EXPECT_EQ(b.config["process"]["user"]["uid"], 1000);
  EXPECT_EQ(b.config["process"]["user"]["gid"], 100);

  Fixture g;
  g.request.security.run_as_non_root = true;
  EXPECT_THAT(g.build().error, HasSubstr("runAsNonRoot"));
}

TEST(RuntimeConfig, EnvironmentLayersImageThenStep) {
  Fixture f;
  f.request.env = {{"LANG", "en"}, {"X", "1"}};
  auto env = container_environment(f.request, f.image);
  EXPECT_THAT(env, ::testing::Contains("PATH=/bin"));
  EXPECT_THAT(env, ::testing::Contains("LANG=en"));
  EXPECT_THAT(env, ::testing::Contains("X=1"));
  EXPECT_THAT(env, ::testing::Contains("HOME=/root"));
  EXPECT_THAT(env, ::testing::Not(::testing::Contains("LANG=C")));
}

TEST(RuntimeConfig, VolumesScriptAndWorkingDir) {
  Fixture f;
  f.request.mounts = {{"/tmp", "/work/out/", false}, {"/tmp", "/work", true}};
  f.request.working_dir = "/work";
  RuntimeConfigInputs in{f.request, f.image,      {"sh", "/argo/staging/script"},
                         "/merged", "/tmp",       std::string("/tmp"),
                         "/tmp",    std::nullopt, 1024};
  RuntimeConfigBuild b = make_runtime_config(in, f.policy);
  ASSERT_TRUE(b.error.empty()) << b.error;
  std::vector<std::string> order;
  for (const auto& m : b.config["mounts"]) order.push_back(m["destination"]);
  auto at = [&](const std::string& d) { return std::find(order.begin(), order.end(), d) - order.begin(); };
  EXPECT_LT(at("/work"), at("/work/out"));  // parents first
  EXPECT_THAT((*mount_at(b.config, "/work"))["options"].dump(), HasSubstr("\"ro\""));
  EXPECT_THAT((*mount_at(b.config, "/argo/staging/script"))["options"].dump(), HasSubstr("\"ro\""));
  EXPECT_NE(mount_at(b.config, "/etc/hosts"), nullptr);
  EXPECT_EQ(b.config["process"]["cwd"], "/work");

  Fixture g;
  g.request.working_dir = "relative";
  EXPECT_THAT(g.build().error, HasSubstr("absolute"));
  EXPECT_THAT(g.build({}).error, HasSubstr("no command"));
}

}  // namespace
}  // namespace rampart::exec

namespace rampart::exec {
namespace {

TEST(ResolveUser, NumbersNamesAndSymlinksThatPointOutOfTheImage) {
  namespace fs = std::filesystem;
  std::string pattern = (fs::temp_directory_path() / "rampart-user-XXXXXX").string();
  ASSERT_NE(::mkdtemp(pattern.data()), nullptr);
  fs::path root = pattern;
  fs::create_directories(root / "etc");
  std::ofstream(root / "etc" / "passwd") << "root:x:0:0::/root:/bin/sh\napp:x:1000:50::/home/app:/bin/sh\n";
  std::ofstream(root / "etc" / "group") << "root:x:0:\nstaff:x:60:\n";
  std::string error;
  EXPECT_EQ(resolve_user(root, "42", &error), std::make_pair(42u, 0u));
  EXPECT_EQ(resolve_user(root, "42:7", &error), std::make_pair(42u, 7u));
  EXPECT_EQ(resolve_user(root, "app", &error), std::make_pair(1000u, 50u));
  EXPECT_EQ(resolve_user(root, "app:staff", &error), std::make_pair(1000u, 60u));
  EXPECT_FALSE(resolve_user(root, "ghost", &error));
  EXPECT_THAT(error, HasSubstr("ghost"));
  // An image whose /etc is a link to the host's: its names are not looked up there.
  fs::remove_all(root / "etc");
  fs::create_directory_symlink("/etc", root / "etc");
  EXPECT_FALSE(resolve_user(root, "root", &error));
  fs::remove_all(root);
}

}  // namespace
}  // namespace rampart::exec
