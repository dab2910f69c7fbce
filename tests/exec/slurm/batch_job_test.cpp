// The batch job a step becomes: where its files go, what sbatch is told, and a script that
// carries no secrets and survives any characters in paths.
#include "exec/slurm/batch_job.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cstdlib>

#include "exec/helper_command.h"
#include "exec/slurm/job_environment.h"

namespace rampart::exec::slurm {
namespace {

using ::testing::Contains;
using ::testing::HasSubstr;
using ::testing::Not;

StepRequest request() {
  StepRequest r;
  r.id = "hello-world-4242";
  r.step_dir = "/var/lib/rampart/run/argo/hello-world/hello-world-4242";
  r.env = {{"TOKEN", "s3cret"}};
  return r;
}

BatchJobSettings settings() {
  BatchJobSettings s;
  s.rampart_binary = "/opt/rampart/bin/rampart";
  s.node_executor_args = {"--executor", "process", "--sandbox", "bwrap"};
  return s;
}

TEST(BatchJob, FilesLiveInTheStepDir) {
  auto job = plan_batch_job(request(), settings());
  EXPECT_EQ(job.dir, request().step_dir + "/slurm");
  EXPECT_EQ(job.request_path, job.dir + "/request.json");
  EXPECT_EQ(job.result_path, job.dir + "/result.json");
  EXPECT_EQ(job.script_path, job.dir + "/job.sh");
  EXPECT_EQ(job.sbatch_args.back(), job.script_path);
}

TEST(BatchJob, NamesTheStepAndWorkflowForSqueueUsers) {
  auto job = plan_batch_job(request(), settings());
  EXPECT_EQ(job.name, "rampart-hello-world-4242");
  EXPECT_EQ(job.comment, "rampart step hello-world-4242 of workflow argo/hello-world");
  EXPECT_THAT(job.sbatch_args, Contains("--job-name=rampart-hello-world-4242"));
  EXPECT_THAT(job.sbatch_args, Contains("--comment=" + job.comment));
  EXPECT_EQ(workflow_of_step_dir("/elsewhere/x", "x"), "");
  EXPECT_EQ(workflow_of_step_dir("/s/run/ns/wf/id/", "id"), "ns/wf");
}

TEST(BatchJob, SbatchGetsParsableOutputAndATrimmedEnvironment) {
  auto job = plan_batch_job(request(), settings());
  EXPECT_THAT(job.sbatch_args, Contains("--parsable"));
  std::string path = "PATH=/bin", conf = "SLURM_CONF=/x", token = "API_TOKEN=secret", sb = "SBATCH_ACCOUNT=p";
  char* environment[] = {path.data(), conf.data(), token.data(), sb.data(), nullptr};
  EXPECT_EQ(environment_for_slurm_job(environment), (std::vector<std::string>{path, conf, sb}));
  EXPECT_THAT(job.sbatch_args, Contains("--no-requeue"));
  EXPECT_THAT(job.sbatch_args, Contains("--output=" + job.output_path));
  EXPECT_THAT(job.sbatch_args, Contains("--chdir=" + job.dir));
  for (const auto& a : job.sbatch_args) EXPECT_THAT(a, Not(HasSubstr("--partition")));
}

TEST(BatchJob, LimitsBecomeSlurmRequests) {
  auto r = request();
  r.limits.cpu_cores = 1.5;
  r.limits.memory_bytes = 100 * 1000 * 1000;  // 100M in decimal: rounded up to whole MiB
  auto s = settings();
  s.partition = "gpu";
  s.extra_sbatch_args = {"--account=proj"};
  auto job = plan_batch_job(r, s);
  EXPECT_THAT(job.sbatch_args, Contains("--cpus-per-task=2"));
  EXPECT_THAT(job.sbatch_args, Contains("--mem=96M"));
  EXPECT_THAT(job.sbatch_args, Contains("--partition=gpu"));
  EXPECT_THAT(job.sbatch_args, Contains("--account=proj"));
  EXPECT_EQ(job.sbatch_args.back(), job.script_path);  // extra arguments never after the script
}

TEST(BatchJob, ScriptRunsStepExecAndHoldsNoSecrets) {
  auto job = plan_batch_job(request(), settings());
  EXPECT_EQ(job.script.rfind("#!/bin/sh\n", 0), 0u);
  EXPECT_THAT(job.script, HasSubstr("exec '/opt/rampart/bin/rampart' step-exec '" + job.request_path + "' --result '" +
                                    job.result_path + "' '--executor' 'process' '--sandbox' 'bwrap'\n"));
  EXPECT_THAT(job.script, Not(HasSubstr("s3cret")));
  for (const auto& a : job.sbatch_args) EXPECT_THAT(a, Not(HasSubstr("s3cret")));
}

TEST(BatchJob, QuotingSurvivesAnyCharacters) {
  std::string nasty = "a b'c\"$(touch /tmp/x)`;\n\\";
  auto out = run_helper({.argv = {"/bin/sh", "-c", "printf %s " + shell_quote(nasty)}});
  ASSERT_TRUE(out.ok()) << out.summary();
  EXPECT_EQ(out.out, nasty);
}

TEST(BatchJob, RefusesWhatANodeCannotRun) {
  auto r = request();
  r.step_dir.clear();
  EXPECT_THROW(plan_batch_job(r, settings()), std::invalid_argument);
  auto s = settings();
  s.rampart_binary.clear();
  EXPECT_THROW(plan_batch_job(request(), s), std::invalid_argument);
}

}  // namespace
}  // namespace rampart::exec::slurm
