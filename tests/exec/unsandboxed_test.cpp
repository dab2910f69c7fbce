// Sandbox mode "none": the same argv, environment, cwd and limits, as plain host processes.
#include <gtest/gtest.h>

#include "exec_test_support.h"

namespace rampart::exec {
namespace {

using testing::run_step;
using testing::ScratchDir;

class UnsandboxedTest : public ::testing::Test {
 protected:
  ScratchDir scratch;
  ProcessExecutor executor{testing::options(SandboxMode::None)};
};

TEST_F(UnsandboxedTest, RunsCommandsScriptsAndExitCodes) {
  EXPECT_EQ(run_step(executor, scratch.request("echo", "busybox", {"echo", "hello"})).stdout_text, "hello\n");
  EXPECT_EQ(run_step(executor, scratch.request("exit", "busybox", {"sh", "-c", "exit 3"})).result.exit_code, 3);
  auto script = scratch.request("script", "python:alpine3.23", {"python"});
  script.script_source = "print(1+1)";
  EXPECT_EQ(run_step(executor, script).stdout_text, "2\n");
  EXPECT_EQ(run_step(executor, scratch.request("argosay", "argoproj/argosay:v2", {}, {"echo", "x"})).stdout_text,
            "x\n");
}

TEST_F(UnsandboxedTest, EnvironmentAndWorkingDirectory) {
  auto request = scratch.request("env", "busybox", {"sh", "-c", "echo \"$A\"; pwd; echo \"$TMPDIR\""});
  request.env = {{"A", "1"}};
  auto run = run_step(executor, request);
  EXPECT_EQ(run.stdout_text, "1\n" + request.step_dir + "/work\n" + request.step_dir + "/tmp\n");
  EXPECT_EQ(executor.host_path_for(request, "/some/path"), "/some/path");
}

TEST_F(UnsandboxedTest, AMissingProgramIsAStartError) {
  auto run = run_step(executor, scratch.request("missing", "busybox", {"no-such-program"}));
  EXPECT_EQ(run.result.outcome, StepOutcome::StartError);
  EXPECT_EQ(run.result.message, "exec: \"no-such-program\": executable file not found in $PATH");
}

TEST_F(UnsandboxedTest, MountsNeedTheSandbox) {
  auto request = scratch.request("mount", "busybox", {"true"});
  request.mounts = {{scratch.path().string(), "/mnt/vol", false}};
  auto run = run_step(executor, request);
  EXPECT_EQ(run.result.outcome, StepOutcome::StartError);
  EXPECT_NE(run.result.message.find("needs the bwrap sandbox"), std::string::npos);
}

}  // namespace
}  // namespace rampart::exec
