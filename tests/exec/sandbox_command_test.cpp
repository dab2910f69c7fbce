#include "exec/sandbox_command.h"

#include <gtest/gtest.h>

#include <algorithm>

#include "exec_test_support.h"

namespace rampart::exec {
namespace {

bool has_sequence(const std::vector<std::string>& argv, const std::vector<std::string>& seq) {
  return std::search(argv.begin(), argv.end(), seq.begin(), seq.end()) != argv.end();
}

TEST(SandboxCommand, BuildsARootFromTheStepDirAndIsolates) {
  testing::ScratchDir scratch;
  auto request = scratch.request("Wf-Step.1", "busybox", {"echo", "hi"});
  ImageCatalog catalog = ImageCatalog::load(testing::source_catalog());
  ImageRuntime runtime = *catalog.resolve("busybox").runtime;
  HostLayout host = HostLayout::probe("/usr/bin/bwrap");
  LaunchInputs in{request, runtime, {"echo", "hi"}, std::nullopt};
  LaunchBuild build = build_bubblewrap_launch(host, in);
  ASSERT_TRUE(build.plan) << build.error;
  const auto& argv = build.plan->argv;
  EXPECT_TRUE(has_sequence(argv, {"/usr/bin/bwrap", "--bind", request.step_dir + "/rootfs", "/"}));
  EXPECT_TRUE(has_sequence(argv, {"--ro-bind", "/usr", "/usr"}));
  EXPECT_TRUE(has_sequence(argv, {"--bind", request.step_dir + "/tmp", "/tmp"}));
  EXPECT_TRUE(has_sequence(argv, {"--unshare-net"}));
  EXPECT_TRUE(has_sequence(argv, {"--hostname", "wf-step-1"}));
  EXPECT_TRUE(has_sequence(argv, {"--cap-drop", "ALL"}));
  EXPECT_TRUE(has_sequence(argv, {"--", "echo", "hi"}));
  for (const char* forbidden : {"/root", "/home", "/var"}) {
    EXPECT_EQ(std::find(argv.begin(), argv.end(), forbidden), argv.end()) << forbidden;
  }

  request.network = true;
  build = build_bubblewrap_launch(host, in);
  EXPECT_FALSE(has_sequence(build.plan->argv, {"--unshare-net"}));
}

TEST(SandboxCommand, HostPathForFollowsMountsAndTmp) {
  StepRequest r;
  r.step_dir = "/state/run/x";
  r.mounts = {{"/vol/a", "/mnt/a", false}, {"/vol/b", "/mnt/a/b", false}};
  EXPECT_EQ(host_path_for(r, "/tmp/out", SandboxMode::Bubblewrap), "/state/run/x/tmp/out");
  EXPECT_EQ(host_path_for(r, "/tmp", SandboxMode::Bubblewrap), "/state/run/x/tmp");
  EXPECT_EQ(host_path_for(r, "/mnt/a/f", SandboxMode::Bubblewrap), "/vol/a/f");
  EXPECT_EQ(host_path_for(r, "/mnt/a/b/f", SandboxMode::Bubblewrap), "/vol/b/f");
  EXPECT_EQ(host_path_for(r, "/mnt/ab", SandboxMode::Bubblewrap), "/state/run/x/rootfs/mnt/ab");
  EXPECT_EQ(host_path_for(r, "/argo/staging/script", SandboxMode::Bubblewrap), "/state/run/x/staging/script");
  EXPECT_EQ(host_path_for(r, "/tmp/out", SandboxMode::None), "/tmp/out");
}

TEST(SandboxCommand, Hostnames) {
  EXPECT_EQ(sandbox_hostname("wf-abc-123"), "wf-abc-123");
  EXPECT_EQ(sandbox_hostname("Wf_x(0:a)"), "wf-x-0-a");
  EXPECT_EQ(sandbox_hostname(std::string(100, 'a')).size(), 63u);
  EXPECT_EQ(sandbox_hostname("!!"), "step");
}

}  // namespace
}  // namespace rampart::exec
