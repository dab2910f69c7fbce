// Slurm's job states and what they make of a step that left no result file.
#include "exec/slurm/job_state.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace rampart::exec::slurm {
namespace {

using ::testing::HasSubstr;

TEST(JobState, ParsesSqueueAndScontrolForms) {
  EXPECT_EQ(parse_job_state("PENDING"), JobState::Pending);
  EXPECT_EQ(parse_job_state("CONFIGURING"), JobState::Pending);
  EXPECT_EQ(parse_job_state("RUNNING"), JobState::Running);
  EXPECT_EQ(parse_job_state("COMPLETING"), JobState::Running);
  EXPECT_EQ(parse_job_state("COMPLETED"), JobState::Completed);
  EXPECT_EQ(parse_job_state("FAILED"), JobState::Failed);
  EXPECT_EQ(parse_job_state("CANCELLED by 0"), JobState::Cancelled);
  EXPECT_EQ(parse_job_state("CANCELLED+"), JobState::Cancelled);
  EXPECT_EQ(parse_job_state("TIMEOUT"), JobState::Timeout);
  EXPECT_EQ(parse_job_state("NODE_FAIL"), JobState::NodeFail);
  EXPECT_EQ(parse_job_state("OUT_OF_MEMORY"), JobState::OutOfMemory);
  EXPECT_EQ(parse_job_state("PREEMPTED"), JobState::Preempted);
  EXPECT_EQ(parse_job_state("SOMETHING_NEW"), JobState::Unknown);
  EXPECT_EQ(parse_job_state(""), JobState::Unknown);
}

TEST(JobState, OnlyEndedStatesAreTerminal) {
  EXPECT_FALSE(is_terminal(JobState::Pending));
  EXPECT_FALSE(is_terminal(JobState::Running));
  EXPECT_FALSE(is_terminal(JobState::Unknown));  // an unknown state is waited out, not guessed
  for (auto s : {JobState::Completed, JobState::Failed, JobState::Cancelled, JobState::Timeout, JobState::NodeFail,
                 JobState::OutOfMemory, JobState::Preempted}) {
    EXPECT_TRUE(is_terminal(s));
  }
}

TEST(JobState, MapsEndedJobsWithoutResult) {
  auto oom = result_for_job_without_result(JobState::OutOfMemory, "OUT_OF_MEMORY", std::nullopt);
  EXPECT_EQ(oom.outcome, StepOutcome::Exited);
  EXPECT_EQ(oom.exit_code, 137);
  EXPECT_EQ(oom.message, "OOMKilled");  // what the engine and the UI already show for OOM

  auto timeout = result_for_job_without_result(JobState::Timeout, "TIMEOUT", std::nullopt);
  EXPECT_EQ(timeout.exit_code, 137);
  EXPECT_THAT(timeout.message, HasSubstr("time limit"));

  auto cancelled = result_for_job_without_result(JobState::Cancelled, "CANCELLED by 1000", std::nullopt);
  EXPECT_EQ(cancelled.outcome, StepOutcome::Exited);
  EXPECT_THAT(cancelled.message, HasSubstr("outside rampart"));

  auto node = result_for_job_without_result(JobState::NodeFail, "NODE_FAIL", std::nullopt);
  EXPECT_EQ(node.outcome, StepOutcome::StartError);
  EXPECT_THAT(node.message, HasSubstr("NODE_FAIL"));

  auto failed = result_for_job_without_result(JobState::Failed, "FAILED", std::nullopt);
  EXPECT_EQ(failed.outcome, StepOutcome::StartError);
  EXPECT_THAT(failed.message, HasSubstr("without a step result"));
}

TEST(JobState, AnEngineKillWinsOverSlurmsState) {
  for (auto s : {JobState::Cancelled, JobState::Completed, JobState::NodeFail}) {
    auto r = result_for_job_without_result(s, "X", std::string("deadline exceeded"));
    EXPECT_EQ(r.outcome, StepOutcome::Killed);
    EXPECT_EQ(r.exit_code, 137);
    EXPECT_EQ(r.message, "deadline exceeded");
  }
}

TEST(JobState, ParsesSqueueOutputAndSkipsNoise) {
  auto states =
      parse_squeue_states("12|RUNNING\n13|CANCELLED by 0\r\nsqueue: warning: something\n|X\n14_2|PENDING\n\n");
  ASSERT_EQ(states.size(), 3u);
  EXPECT_EQ(states["12"], "RUNNING");
  EXPECT_EQ(states["13"], "CANCELLED by 0");
  EXPECT_EQ(states["14_2"], "PENDING");
}

}  // namespace
}  // namespace rampart::exec::slurm
