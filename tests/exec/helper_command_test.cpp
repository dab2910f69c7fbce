#include "exec/helper_command.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace rampart::exec {
namespace {

using ::testing::HasSubstr;

TEST(HelperCommand, ReportsExitCodesAndBothStreams) {
  auto r = run_helper({.argv = {"/bin/sh", "-c", "echo out; echo err >&2; exit 3"}});
  EXPECT_EQ(r.exit_code, 3);
  EXPECT_FALSE(r.ok());
  EXPECT_EQ(r.out, "out\n");
  EXPECT_EQ(r.err, "err\n");
  EXPECT_EQ(r.summary(), "err");
}

TEST(HelperCommand, MergesStderrIntoStdoutWhenAsked) {
  auto r = run_helper({.argv = {"/bin/sh", "-c", "echo one; echo two >&2"}, .merge_stderr = true});
  EXPECT_TRUE(r.ok());
  EXPECT_EQ(r.out, "one\ntwo\n");
  EXPECT_EQ(r.summary(), "two");
}

TEST(HelperCommand, AMissingProgramIsAStartError) {
  auto r = run_helper({.argv = {"/nonexistent/sbatch"}});
  EXPECT_EQ(r.exit_code, -1);
  EXPECT_THAT(r.summary(), HasSubstr("/nonexistent/sbatch"));
}

TEST(HelperCommand, ATimeoutKillsTheWholeProcessGroup) {
  // The shell's background child holds the pipe open: only killing the group ends the read.
  auto r = run_helper({.argv = {"/bin/sh", "-c", "sleep 30 & sleep 30"}, .timeout = std::chrono::milliseconds(300)});
  EXPECT_TRUE(r.timed_out);
  EXPECT_EQ(r.exit_code, 137);
  EXPECT_THAT(r.summary(), HasSubstr("did not answer"));
}

TEST(HelperCommand, GetsOnlyTheEnvironmentItIsGiven) {
  ::setenv("RAMPART_HELPER_TEST_SECRET", "s3cret", 1);
  auto r = run_helper({.argv = {"/usr/bin/env"}, .environment = path_only_environment({"HOME=/nowhere"})});
  ASSERT_TRUE(r.ok()) << r.summary();
  EXPECT_THAT(r.out, HasSubstr("HOME=/nowhere\n"));
  EXPECT_THAT(r.out, HasSubstr("PATH="));
  EXPECT_THAT(r.out, ::testing::Not(HasSubstr("s3cret")));
  auto inherited = run_helper({.argv = {"/usr/bin/env"}});
  EXPECT_THAT(inherited.out, HasSubstr("RAMPART_HELPER_TEST_SECRET=s3cret"));
}

TEST(HelperCommand, OutputIsBoundedAndSaysSo) {
  auto r = run_helper({.argv = {"/bin/sh", "-c", "head -c 100000 /dev/zero"}, .max_output = 1000});
  EXPECT_TRUE(r.ok());
  EXPECT_EQ(r.out.size(), 1000u);
  EXPECT_TRUE(r.truncated);
}

}  // namespace
}  // namespace rampart::exec
