// Running steps in the bubblewrap sandbox: commands, images, output files, exit codes, errors.
#include <gtest/gtest.h>

#include <filesystem>
#include <set>

#include "exec_test_support.h"

namespace rampart::exec {
namespace {

using testing::run_step;
using testing::ScratchDir;

class ProcessExecutorTest : public ::testing::Test {
 protected:
  ScratchDir scratch;
  ProcessExecutor executor{testing::options()};
};

TEST_F(ProcessExecutorTest, EchoHelloInBusybox) {
  auto run = run_step(executor, scratch.request("hello", "busybox", {"echo", "hello"}));
  EXPECT_EQ(run.result.outcome, StepOutcome::Exited);
  EXPECT_EQ(run.result.exit_code, 0);
  EXPECT_EQ(run.stdout_text, "hello\n");
  EXPECT_EQ(run.log_text, "hello\n");
  EXPECT_FALSE(run.result.output_truncated);
}

// The engine reuses a step directory after removing exactly the links the executor says it
// makes; a link bwrap makes that the executor does not name would make every directory go.
TEST_F(ProcessExecutorTest, TheLinksLeftInAStepDirectoryAreTheOnesItNames) {
  auto request = scratch.request("links", "debian:12", {"true"});
  auto run = run_step(executor, request);
  ASSERT_EQ(run.result.exit_code, 0) << run.result.message;
  std::set<std::pair<std::string, std::string>> named, found;
  for (const auto& link : executor.links_in_step_dirs()) named.emplace(link.path, link.target);
  namespace fs = std::filesystem;
  for (const auto& entry : fs::recursive_directory_iterator(request.step_dir)) {
    if (!entry.is_symlink()) continue;
    found.emplace(fs::relative(entry.path(), request.step_dir).string(), fs::read_symlink(entry.path()).string());
  }
  EXPECT_FALSE(found.empty()) << "bwrap recreates the host's top-level links (/bin -> usr/bin) in the step's root";
  EXPECT_EQ(found, named);
}

TEST_F(ProcessExecutorTest, ExitCodesArePassedThrough) {
  auto run = run_step(executor, scratch.request("exit3", "alpine:3.23", {"sh", "-c", "exit 3"}));
  EXPECT_EQ(run.result.outcome, StepOutcome::Exited);
  EXPECT_EQ(run.result.exit_code, 3);
  EXPECT_TRUE(run.result.message.empty());
}

TEST_F(ProcessExecutorTest, ASignalIs128PlusItsNumber) {
  auto run = run_step(executor, scratch.request("segv", "busybox", {"sh", "-c", "kill -SEGV $$"}));
  EXPECT_EQ(run.result.outcome, StepOutcome::Exited);
  EXPECT_EQ(run.result.exit_code, 128 + 11);
}

TEST_F(ProcessExecutorTest, StderrGoesToTheLogNotToStdout) {
  auto run =
      run_step(executor, scratch.request("streams", "busybox", {"sh", "-c", "echo out; echo err >&2; echo out2"}));
  EXPECT_EQ(run.stdout_text, "out\nout2\n");
  EXPECT_NE(run.log_text.find("out\n"), std::string::npos);
  EXPECT_NE(run.log_text.find("err\n"), std::string::npos);
  EXPECT_NE(run.log_text.find("out2\n"), std::string::npos);
}

TEST_F(ProcessExecutorTest, ImageCmdAndEntrypointApplyWithoutACommand) {
  // argosay:v2's ENTRYPOINT with no arguments says hello.
  auto run = run_step(executor, scratch.request("entry", "argoproj/argosay:v2", {}));
  EXPECT_EQ(run.stdout_text, "hello argo\n");
  // busybox's CMD is sh, which reads an empty stdin and exits 0.
  run = run_step(executor, scratch.request("cmd", "busybox", {}));
  EXPECT_EQ(run.result.outcome, StepOutcome::Exited);
  EXPECT_EQ(run.result.exit_code, 0);
  // args replace CMD and follow ENTRYPOINT.
  run = run_step(executor, scratch.request("args", "argoproj/argosay:v2", {}, {"echo", "from args"}));
  EXPECT_EQ(run.stdout_text, "from args\n");
}

TEST_F(ProcessExecutorTest, PythonScriptIsStagedAndRun) {
  auto request = scratch.request("script", "python:alpine3.23", {"python"});
  request.script_source = "import sys\nprint(1+1)\nprint(sys.argv[0])\n";
  auto run = run_step(executor, request);
  EXPECT_EQ(run.result.exit_code, 0) << run.log_text;
  EXPECT_EQ(run.stdout_text, "2\n/argo/staging/script\n");
  EXPECT_EQ(executor.host_path_for(request, "/argo/staging/script"), request.step_dir + "/staging/script");
}

TEST_F(ProcessExecutorTest, ShellScriptIsExecutable) {
  auto request = scratch.request("shscript", "alpine:3.23", {"sh"});
  request.script_source = "echo from script; test -x /argo/staging/script && echo executable\n";
  auto run = run_step(executor, request);
  EXPECT_EQ(run.stdout_text, "from script\nexecutable\n");
}

TEST_F(ProcessExecutorTest, PythonAndPython3BothResolve) {
  auto run = run_step(executor, scratch.request("py", "python:alpine3.23",
                                                {"sh", "-c", "python -c 'print(3)' && python3 -c 'print(4)'"}));
  EXPECT_EQ(run.stdout_text, "3\n4\n") << run.log_text;
}

TEST_F(ProcessExecutorTest, EnvironmentIsPassedInOrderLaterWins) {
  auto request = scratch.request("env", "busybox", {"sh", "-c", "echo \"$A $B $HOME\"; env | grep -c '^A='"});
  request.env = {{"A", "first"}, {"B", "b"}, {"A", "second"}};
  auto run = run_step(executor, request);
  EXPECT_EQ(run.stdout_text, "second b /tmp\n1\n");
}

TEST_F(ProcessExecutorTest, TheHostEnvironmentDoesNotLeak) {
  ::setenv("RAMPART_TEST_SECRET", "leaked", 1);
  auto run =
      run_step(executor, scratch.request("noleak", "busybox", {"sh", "-c", "echo \"[${RAMPART_TEST_SECRET:-}]\""}));
  ::unsetenv("RAMPART_TEST_SECRET");
  EXPECT_EQ(run.stdout_text, "[]\n");
}

TEST_F(ProcessExecutorTest, WorkingDirDefaultsToRootAndIsCreatedWhenSet) {
  auto run = run_step(executor, scratch.request("cwd", "busybox", {"pwd"}));
  EXPECT_EQ(run.stdout_text, "/\n");
  auto request = scratch.request("workdir", "busybox", {"pwd"});
  request.working_dir = "/src/app";
  run = run_step(executor, request);
  EXPECT_EQ(run.stdout_text, "/src/app\n");
}

TEST_F(ProcessExecutorTest, AnImageMissingFromTheCatalogIsAStartError) {
  auto run = run_step(executor, scratch.request("missing", "foo/bar:1", {"true"}));
  EXPECT_EQ(run.result.outcome, StepOutcome::StartError);
  EXPECT_EQ(
      run.result.message,
      "image \"foo/bar:1\" is not in the image catalog " + testing::source_catalog() +
          "; add an entry for it, or run the step in a real container with --executor container (docs/containers.md)");
}

TEST_F(ProcessExecutorTest, AMissingProgramIsAStartError) {
  auto run = run_step(executor, scratch.request("noprog", "busybox", {"no-such-program"}));
  EXPECT_EQ(run.result.outcome, StepOutcome::StartError);
  EXPECT_EQ(run.result.message, "exec: \"no-such-program\": executable file not found in $PATH");
}

TEST_F(ProcessExecutorTest, AMissingMountSourceIsAStartError) {
  auto request = scratch.request("nomount", "busybox", {"true"});
  request.mounts.push_back({(scratch.path() / "absent").string(), "/mnt/vol", false});
  auto run = run_step(executor, request);
  EXPECT_EQ(run.result.outcome, StepOutcome::StartError);
  EXPECT_NE(run.result.message.find("does not exist"), std::string::npos) << run.result.message;
}

TEST_F(ProcessExecutorTest, ASandboxSetupFailureIsAStartError) {
  // A working dir under the read-only /usr cannot be created.
  auto request = scratch.request("badcwd", "busybox", {"true"});
  request.working_dir = "/usr/no-such-dir";
  auto run = run_step(executor, request);
  EXPECT_EQ(run.result.outcome, StepOutcome::StartError);
  EXPECT_NE(run.result.message.find("bwrap:"), std::string::npos) << run.result.message;
}

TEST_F(ProcessExecutorTest, DebianAndUbuntuImagesRunBash) {
  auto run = run_step(
      executor, scratch.request("deb", "debian:9.1",
                                {"bash", "-c", "cat /etc/os-release | head -1; ls -l / > /dev/null && echo listed"}));
  EXPECT_EQ(run.result.exit_code, 0) << run.log_text;
  EXPECT_NE(run.stdout_text.find("listed"), std::string::npos);
}

}  // namespace
}  // namespace rampart::exec
