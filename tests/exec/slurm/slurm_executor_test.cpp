// The Slurm executor against stand-in sbatch, squeue and scancel scripts: done exactly once,
// result files preferred over job states, kills through scancel, failures with messages. The
// real cluster is exercised by slurm_e2e_test.py.
#include "exec/slurm/slurm_executor.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <unistd.h>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <future>
#include <sstream>

#include "common/secret_masker.h"
#include "exec/slurm/step_request_json.h"

namespace rampart::exec::slurm {
namespace {

namespace fs = std::filesystem;
using ::testing::HasSubstr;

std::string read(const fs::path& p) {
  std::ifstream in(p);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

void write(const fs::path& p, const std::string& text, bool executable = false) {
  std::ofstream(p) << text;
  if (executable) fs::permissions(p, fs::perms::owner_all);
}

struct FakeCluster {
  fs::path dir = fs::temp_directory_path() / ("rampart-fake-slurm-" + std::to_string(getpid()) + "-" +
                                              ::testing::UnitTest::GetInstance()->current_test_info()->name());
  SlurmExecutorOptions options;

  FakeCluster() {
    fs::remove_all(dir);
    fs::create_directories(dir / "steps");
    // sbatch: records its arguments and answers a job id (or fails when told to).
    write(dir / "sbatch",
          "#!/bin/sh\nd='" + dir.string() +
              "'\nenv >\"$d/sbatch.env\"\necho \"$@\" >\"$d/sbatch.args\"\n"
              "if [ -f \"$d/sbatch.fail\" ]; then echo 'sbatch: error: invalid partition' >&2; exit 1; fi\necho "
              "'42;cluster'\n",
          true);
    write(dir / "squeue", "#!/bin/sh\ncat '" + (dir / "state").string() + "' 2>/dev/null\nexit 0\n", true);
    write(dir / "scancel",
          "#!/bin/sh\nd='" + dir.string() + "'\necho \"$@\" >>\"$d/scancel.log\"\necho '42|CANCELLED' >\"$d/state\"\n",
          true);
    options.sbatch = (dir / "sbatch").string();
    options.squeue = (dir / "squeue").string();
    options.scancel = (dir / "scancel").string();
    options.job.rampart_binary = "/usr/bin/rampart";
    options.result_poll = std::chrono::milliseconds(20);
    options.squeue_poll = std::chrono::milliseconds(50);
    options.cancel_grace = std::chrono::milliseconds(3000);
  }
  ~FakeCluster() { fs::remove_all(dir); }

  StepRequest request(const std::string& id = "wf-1") {
    StepRequest r;
    r.id = id;
    r.step_dir = (dir / "steps" / id).string();
    r.env = {{"SECRET", "hunter2"}};
    return r;
  }
  fs::path result_path(const std::string& id = "wf-1") { return dir / "steps" / id / "slurm" / "result.json"; }
  void set_state(const std::string& s) { write(dir / "state", "42|" + s + "\n"); }
  bool wait_for(const fs::path& p) {
    for (int i = 0; i < 200 && !fs::exists(p); ++i) usleep(10000);
    return fs::exists(p);
  }
};

struct Done {
  std::promise<StepResult> promise;
  std::atomic<int> calls{0};
  std::function<void(StepResult)> callback() {
    return [this](StepResult r) {
      if (calls++ == 0) promise.set_value(r);
    };
  }
  StepResult get() {
    auto f = promise.get_future();
    EXPECT_EQ(f.wait_for(std::chrono::seconds(10)), std::future_status::ready);
    return f.get();
  }
};

TEST(SlurmExecutor, TheNodesResultFileIsTheStepsResult) {
  setenv("RAMPART_TEST_ENGINE_SECRET", "x", 1);  // the engine's environment stays out of jobs
  FakeCluster c;
  SlurmExecutor executor(c.options);
  Done done;
  executor.start(c.request(), done.callback());
  c.set_state("RUNNING");
  ASSERT_TRUE(c.wait_for(c.dir / "sbatch.args"));
  // The request file holds the environment, privately; the command line does not.
  auto request_file = c.dir / "steps" / "wf-1" / "slurm" / "request.json";
  ASSERT_TRUE(c.wait_for(request_file));
  EXPECT_EQ(fs::status(request_file).permissions() & fs::perms::all, fs::perms::owner_read | fs::perms::owner_write);
  EXPECT_THAT(read(request_file), HasSubstr("hunter2"));
  EXPECT_THAT(read(c.dir / "sbatch.args"), ::testing::Not(HasSubstr("hunter2")));
  EXPECT_THAT(read(c.dir / "sbatch.env"), ::testing::Not(HasSubstr("RAMPART_TEST_ENGINE_SECRET")));
  write_file_atomically(c.result_path().string(), result_to_json({StepOutcome::Exited, 3, "", false}).dump(), 0600);
  auto r = done.get();
  EXPECT_EQ(r.outcome, StepOutcome::Exited);
  EXPECT_EQ(r.exit_code, 3);
  executor.shutdown();
  EXPECT_EQ(done.calls, 1);
}

// The node knows only its step's secret variables; the engine masks the files again with every
// secret before anyone reads them.
TEST(SlurmExecutor, TheEngineMasksTheStepsFilesWithEverySecret) {
  FakeCluster c;
  SlurmExecutor executor(c.options);
  Done done;
  StepRequest request = c.request();
  request.stdout_path = (c.dir / "stdout").string();
  request.log_path = (c.dir / "log").string();
  request.masker = std::make_shared<const SecretMasker>(std::vector<std::string>{"volume-secret-value"});
  executor.start(request, done.callback());
  c.set_state("RUNNING");
  ASSERT_TRUE(c.wait_for(c.dir / "sbatch.args"));
  write(c.dir / "stdout", "from a volume: volume-secret-value\n");
  write(c.dir / "log", "from a volume: volume-secret-value\nbase64: dm9sdW1lLXNlY3JldC12YWx1ZQ==\n");
  write_file_atomically(c.result_path().string(), result_to_json({StepOutcome::Exited, 0, "", false}).dump(), 0600);
  EXPECT_EQ(done.get().exit_code, 0);
  EXPECT_EQ(read(c.dir / "stdout"), "from a volume: [redacted]\n");
  EXPECT_EQ(read(c.dir / "log"), "from a volume: [redacted]\nbase64: [redacted]\n");
  executor.shutdown();
}

TEST(SlurmExecutor, AJobThatEndedWithoutResultSaysWhy) {
  FakeCluster c;
  SlurmExecutor executor(c.options);
  Done done;
  executor.start(c.request(), done.callback());
  ASSERT_TRUE(c.wait_for(c.dir / "sbatch.args"));
  write(c.dir / "steps" / "wf-1" / "slurm" / "job.out", "/bin/sh: 1: /usr/bin/rampart: not found\n");
  c.set_state("FAILED");
  auto r = done.get();
  EXPECT_EQ(r.outcome, StepOutcome::StartError);
  EXPECT_THAT(r.message, HasSubstr("without a step result"));
  EXPECT_THAT(r.message, HasSubstr("rampart: not found"));
}

TEST(SlurmExecutor, NodeFailureAndOutOfMemoryAreMapped) {
  FakeCluster c;
  SlurmExecutor executor(c.options);
  Done done;
  executor.start(c.request(), done.callback());
  ASSERT_TRUE(c.wait_for(c.dir / "sbatch.args"));
  c.set_state("OUT_OF_MEMORY");
  auto r = done.get();
  EXPECT_EQ(r.exit_code, 137);
  EXPECT_EQ(r.message, "OOMKilled");
}

TEST(SlurmExecutor, KillCancelsTheJobAndReportsTheReason) {
  FakeCluster c;
  SlurmExecutor executor(c.options);
  Done done;
  executor.start(c.request(), done.callback());
  c.set_state("RUNNING");
  ASSERT_TRUE(c.wait_for(c.dir / "sbatch.args"));
  usleep(100000);  // submitted, job id known
  executor.kill("wf-1", "deadline exceeded");
  auto r = done.get();
  EXPECT_EQ(r.outcome, StepOutcome::Killed);
  EXPECT_EQ(r.exit_code, 137);
  EXPECT_EQ(r.message, "deadline exceeded");
  EXPECT_EQ(read(c.dir / "scancel.log"), "42\n");
  executor.kill("wf-1", "again");  // already ended: a no-op
  executor.shutdown();
  EXPECT_EQ(done.calls, 1);
}

TEST(SlurmExecutor, AStepThatDiedOfScancelsSignalIsTheEnginesKill) {
  FakeCluster c;
  // This scancel leaves the job running; the node reports the step ended by SIGTERM.
  write(c.dir / "scancel", "#!/bin/sh\necho \"$@\" >>'" + (c.dir / "scancel.log").string() + "'\n", true);
  SlurmExecutor executor(c.options);
  Done done;
  c.set_state("RUNNING");
  executor.start(c.request(), done.callback());
  ASSERT_TRUE(c.wait_for(c.dir / "sbatch.args"));
  usleep(100000);
  executor.kill("wf-1", "terminated");
  ASSERT_TRUE(c.wait_for(c.dir / "scancel.log"));
  write_file_atomically(c.result_path().string(), result_to_json({StepOutcome::Exited, 143, "", false}).dump(), 0600);
  auto r = done.get();
  EXPECT_EQ(r.outcome, StepOutcome::Killed);
  EXPECT_EQ(r.exit_code, 137);
  EXPECT_EQ(r.message, "terminated");
}

TEST(SlurmExecutor, SbatchFailureIsAStartErrorWithSlurmsWords) {
  FakeCluster c;
  write(c.dir / "sbatch.fail", "");
  SlurmExecutor executor(c.options);
  Done done;
  executor.start(c.request(), done.callback());
  auto r = done.get();
  EXPECT_EQ(r.outcome, StepOutcome::StartError);
  EXPECT_THAT(r.message, HasSubstr("invalid partition"));
}

TEST(SlurmExecutor, ShutdownCancelsWhatStillRunsAndWaits) {
  FakeCluster c;
  auto executor = std::make_unique<SlurmExecutor>(c.options);
  Done a, b;
  c.set_state("RUNNING");
  executor->start(c.request("wf-a"), a.callback());
  executor->start(c.request("wf-b"), b.callback());
  ASSERT_TRUE(c.wait_for(c.dir / "steps" / "wf-b" / "slurm" / "job.sh"));
  usleep(100000);
  executor->shutdown();
  EXPECT_EQ(a.calls, 1);
  EXPECT_EQ(b.calls, 1);
  EXPECT_EQ(a.get().outcome, StepOutcome::Killed);
  Done late;
  executor->start(c.request("wf-c"), late.callback());
  EXPECT_EQ(late.get().outcome, StepOutcome::StartError);
}

TEST(SlurmExecutor, AnUnreachableControllerFailsAtStartup) {
  FakeCluster c;
  write(c.dir / "squeue",
        "#!/bin/sh\necho 'squeue: error: Unable to contact slurm controller (connect failure)' >&2\nexit 1\n", true);
  try {
    SlurmExecutor executor(c.options);
    FAIL();
  } catch (const std::runtime_error& e) {
    EXPECT_THAT(e.what(), HasSubstr("Unable to contact slurm controller"));
  }
  c.options.squeue = "/nonexistent/squeue";
  EXPECT_THROW(SlurmExecutor executor(c.options), std::runtime_error);
}

}  // namespace
}  // namespace rampart::exec::slurm
