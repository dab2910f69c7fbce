// The built-in stand-ins for Argo's test images: argosay (v2) and cowsay (whalesay, argosay v1).
#include <gtest/gtest.h>

#include "exec_test_support.h"

namespace rampart::exec {
namespace {

using testing::run_step;
using testing::ScratchDir;

class BuiltinToolsTest : public ::testing::Test {
 protected:
  testing::StepRun argosay(const std::string& id, std::vector<std::string> args) {
    return run_step(executor, scratch.request(id, "argoproj/argosay:v2", {}, std::move(args)));
  }
  ScratchDir scratch;
  ProcessExecutor executor{testing::options()};
};

TEST_F(BuiltinToolsTest, ArgosayEcho) {
  EXPECT_EQ(argosay("e0", {"echo"}).stdout_text, "hello argo\n");
  EXPECT_EQ(argosay("e1", {"echo", "hi there"}).stdout_text, "hi there\n");
  auto three = argosay("e3", {"echo", "a", "b", "c"});
  EXPECT_EQ(three.result.exit_code, 0);
  EXPECT_EQ(three.stdout_text, "");
}

TEST_F(BuiltinToolsTest, ArgosayEchoToAFileThenCat) {
  auto request = scratch.request("file", "argoproj/argosay:v2",
                                 {"sh", "-c", "argosay echo payload /tmp/a/b/out.txt && argosay cat /tmp/a/b/out.txt"});
  auto run = run_step(executor, request);
  EXPECT_EQ(run.result.exit_code, 0) << run.log_text;
  EXPECT_EQ(run.stdout_text, "payload");
  EXPECT_EQ(testing::read_text(executor.host_path_for(request, "/tmp/a/b/out.txt")), "payload");
}

TEST_F(BuiltinToolsTest, ArgosayAssertContains) {
  auto request = scratch.request(
      "assert", "argoproj/argosay:v2",
      {"sh", "-c",
       "printf 'one\\ntwo\\n' > /tmp/f; argosay assert_contains /tmp/f two; echo rc=$?; "
       "argosay assert_contains /tmp/f three; echo rc=$?; argosay assert_contains /tmp/none x; echo rc=$?"});
  auto run = run_step(executor, request);
  EXPECT_EQ(run.stdout_text, "two\nrc=0\nrc=1\nrc=2\n") << run.log_text;
}

TEST_F(BuiltinToolsTest, ArgosayExitSleepShAndErrors) {
  EXPECT_EQ(argosay("x0", {"exit"}).result.exit_code, 0);
  EXPECT_EQ(argosay("x7", {"exit", "7"}).result.exit_code, 7);
  EXPECT_EQ(argosay("sleep", {"sleep", "0.1"}).result.exit_code, 0);
  EXPECT_EQ(argosay("unknown", {"dance"}).result.exit_code, 1);
  EXPECT_EQ(argosay("operand", {"cat"}).result.exit_code, 2);
  auto sh = run_step(executor, scratch.request("sh", "argoproj/argosay:v2",
                                               {"sh", "-c", "echo 'echo ran' > /tmp/s.sh; argosay sh /tmp/s.sh"}));
  EXPECT_EQ(sh.stdout_text, "ran\n");
}

TEST_F(BuiltinToolsTest, CowsayPrintsTheMessageInABalloon) {
  auto run = run_step(executor, scratch.request("whale", "docker/whalesay", {"cowsay"}, {"hello whale"}));
  EXPECT_EQ(run.result.exit_code, 0) << run.log_text;
  EXPECT_NE(run.stdout_text.find("< hello whale >"), std::string::npos) << run.stdout_text;
  // argosay:v1's ENTRYPOINT is cowsay; the corpus runs it through sh as well.
  run = run_step(executor, scratch.request("v1", "argoproj/argosay:v1", {}, {"hi"}));
  EXPECT_NE(run.stdout_text.find("< hi >"), std::string::npos) << run.stdout_text;
  run = run_step(executor, scratch.request("v1sh", "argoproj/argosay:v1", {"sh", "-c"}, {"cowsay hello"}));
  EXPECT_NE(run.stdout_text.find("< hello >"), std::string::npos) << run.stdout_text;
}

}  // namespace
}  // namespace rampart::exec
