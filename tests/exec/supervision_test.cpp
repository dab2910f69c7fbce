// Killing, output flooding, many concurrent steps, resource limits and shutdown.
#include <dirent.h>
#include <gtest/gtest.h>

#include <atomic>
#include <iostream>
#include <condition_variable>
#include <filesystem>
#include <map>
#include <mutex>
#include <thread>

#include "exec_test_support.h"

namespace rampart::exec {
namespace {

using testing::run_step;
using testing::ScratchDir;

// Processes on this host whose command line contains `needle` (NUL-separated args joined by ' ').
int processes_matching(const std::string& needle) {
  int count = 0;
  for (const auto& entry : std::filesystem::directory_iterator("/proc")) {
    std::string name = entry.path().filename().string();
    if (name.find_first_not_of("0123456789") != std::string::npos) continue;
    std::string cmdline = testing::read_text(entry.path() / "cmdline");
    for (char& c : cmdline) {
      if (c == '\0') c = ' ';
    }
    if (cmdline.find(needle) != std::string::npos) ++count;
  }
  return count;
}

// Starts a step and returns a future for its result.
std::future<StepResult> start(Executor& executor, const StepRequest& request) {
  auto promise = std::make_shared<std::promise<StepResult>>();
  auto future = promise->get_future();
  executor.start(request, [promise](StepResult r) { promise->set_value(std::move(r)); });
  return future;
}

// Waits (bounded) until the step has written `text` to its stdout, i.e. it is really running.
bool wait_for_output(const std::string& path, const std::string& text) {
  for (int i = 0; i < 6000; ++i) {
    if (testing::read_text(path).find(text) != std::string::npos) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return false;
}

void expect_kill_leaves_no_orphans(SandboxMode mode) {
  ScratchDir scratch;
  ProcessExecutor executor(testing::options(mode));
  // A duration no other process on the host will use.
  const std::string marker = mode == SandboxMode::None ? "sleep 1000.4242" : "sleep 1000.4243";
  auto request = scratch.request("sleeper", "busybox", {"sh", "-c", "echo started; " + marker + " & " + marker});
  auto future = start(executor, request);
  ASSERT_TRUE(wait_for_output(request.stdout_path, "started"));
  executor.kill("sleeper", "Pod was active on the node longer than the specified deadline");
  ASSERT_EQ(future.wait_for(testing::kStepTimeout), std::future_status::ready);
  StepResult result = future.get();
  EXPECT_EQ(result.outcome, StepOutcome::Killed);
  EXPECT_EQ(result.exit_code, 137);
  EXPECT_EQ(result.message, "Pod was active on the node longer than the specified deadline");
  EXPECT_EQ(processes_matching(marker), 0);
}

TEST(Supervision, KillEndsTheWholeSandboxWithNoOrphans) { expect_kill_leaves_no_orphans(SandboxMode::Bubblewrap); }

TEST(Supervision, KillEndsTheWholeProcessGroupWithoutASandbox) { expect_kill_leaves_no_orphans(SandboxMode::None); }

TEST(Supervision, BackgroundProcessesEndWithTheMainProcess) {
  ScratchDir scratch;
  ProcessExecutor executor(testing::options());
  auto run = run_step(executor, scratch.request("bg", "busybox", {"sh", "-c", "sleep 1000.4244 & echo main done"}));
  EXPECT_EQ(run.result.exit_code, 0);
  EXPECT_EQ(run.stdout_text, "main done\n");
  EXPECT_EQ(processes_matching("sleep 1000.4244"), 0);
}

TEST(Supervision, KillOfAnUnknownOrFinishedStepIsANoOp) {
  ScratchDir scratch;
  ProcessExecutor executor(testing::options());
  executor.kill("never-started", "why");
  auto run = run_step(executor, scratch.request("quick", "busybox", {"true"}));
  executor.kill("quick", "late");
  EXPECT_EQ(run.result.outcome, StepOutcome::Exited);
}

TEST(Supervision, AFloodOfOutputIsTruncatedAndDrained) {
  ScratchDir scratch;
  ProcessExecutor executor(testing::options());
  auto request = scratch.request("flood", "busybox", {"sh", "-c", "head -c 200M /dev/zero; echo tail >&2"});
  request.max_log_bytes = 1 << 20;
  auto run = run_step(executor, request);
  EXPECT_EQ(run.result.outcome, StepOutcome::Exited);
  EXPECT_EQ(run.result.exit_code, 0);
  EXPECT_TRUE(run.result.output_truncated);
  EXPECT_EQ(run.stdout_text.size(), 1u << 20);
  const std::string marker = "... output truncated at 1048576 bytes\n";
  EXPECT_LE(run.log_text.size(), (1u << 20) + marker.size() + 1);
  ASSERT_GE(run.log_text.size(), marker.size());
  EXPECT_EQ(run.log_text.substr(run.log_text.size() - marker.size()), marker);
}

TEST(Supervision, LinesOfBothStreamsStayWholeInTheLog) {
  ScratchDir scratch;
  ProcessExecutor executor(testing::options());
  auto run = run_step(
      executor, scratch.request("interleave", "busybox",
                                {"sh", "-c", "for i in $(seq 200); do echo out-line-$i; echo err-line-$i >&2; done"}));
  std::istringstream log(run.log_text);
  std::string line;
  int lines = 0;
  while (std::getline(log, line)) {
    ++lines;
    EXPECT_TRUE(line.rfind("out-line-", 0) == 0 || line.rfind("err-line-", 0) == 0) << line;
  }
  EXPECT_EQ(lines, 400);
}

void run_many(SandboxMode mode, int total, int parallel) {
  ScratchDir scratch;
  ProcessExecutor executor(testing::options(mode));
  std::mutex mutex;
  std::condition_variable all_done;
  std::map<std::string, int> callbacks;
  std::map<std::string, StepResult> results;
  int started = 0, finished = 0;
  std::vector<StepRequest> requests;
  for (int i = 0; i < total; ++i) requests.push_back(scratch.request("s" + std::to_string(i), "busybox", {"true"}));

  // Like the engine: start the next step from the completion of the previous one.
  std::function<void()> start_next = [&] {
    int index;
    {
      std::lock_guard lock(mutex);
      if (started == total) return;
      index = started++;
    }
    const StepRequest& request = requests[static_cast<size_t>(index)];
    executor.start(request, [&, id = request.id](StepResult r) {
      {
        std::lock_guard lock(mutex);
        ++callbacks[id];
        results[id] = r;
        ++finished;
      }
      all_done.notify_all();
      start_next();
    });
  };
  for (int i = 0; i < parallel; ++i) start_next();
  std::unique_lock lock(mutex);
  ASSERT_TRUE(all_done.wait_for(lock, std::chrono::minutes(10), [&] { return finished == total; }));
  lock.unlock();
  executor.shutdown();
  EXPECT_EQ(callbacks.size(), static_cast<size_t>(total));
  for (const auto& [id, count] : callbacks) {
    EXPECT_EQ(count, 1) << id;
    EXPECT_EQ(results[id].outcome, StepOutcome::Exited) << id << ": " << results[id].message;
    EXPECT_EQ(results[id].exit_code, 0) << id;
  }
}

TEST(Supervision, ManyConcurrentStepsEachGetExactlyOneCallback) { run_many(SandboxMode::Bubblewrap, 200, 8); }

TEST(Supervision, ManyConcurrentUnsandboxedSteps) { run_many(SandboxMode::None, 200, 8); }

TEST(Supervision, ShutdownKillsRunningStepsAndWaitsForTheirCallbacks) {
  ScratchDir scratch;
  auto executor = std::make_unique<ProcessExecutor>(testing::options());
  std::atomic<int> killed{0};
  std::vector<StepRequest> requests;
  for (int i = 0; i < 4; ++i) {
    requests.push_back(
        scratch.request("long" + std::to_string(i), "busybox", {"sh", "-c", "echo up; sleep 1000.4245"}));
    executor->start(requests.back(), [&killed](StepResult r) {
      if (r.outcome == StepOutcome::Killed || r.outcome == StepOutcome::StartError) ++killed;
    });
  }
  for (const auto& r : requests) ASSERT_TRUE(wait_for_output(r.stdout_path, "up"));
  executor->shutdown();
  EXPECT_EQ(killed.load(), 4);
  // Starting after shutdown is an immediate StartError, not a hang.
  std::atomic<bool> rejected{false};
  executor->start(scratch.request("late", "busybox", {"true"}),
                  [&](StepResult r) { rejected = r.outcome == StepOutcome::StartError; });
  EXPECT_TRUE(rejected.load());
  executor.reset();
  EXPECT_EQ(processes_matching("sleep 1000.4245"), 0);
}

bool pids_enforced(const ProcessExecutor& executor) {
  return executor.enforcement_summary().find("processes: pids.max") != std::string::npos;
}

// Counts how many of 60 forks succeed under a limit of 20 processes: harmless either way.
TEST(Limits, ProcessCountIsLimited) {
  ScratchDir scratch;
  ProcessExecutor executor(testing::options());
  if (!pids_enforced(executor)) GTEST_SKIP() << "no pids cgroup on this host:\n" << executor.enforcement_summary();
  auto request = scratch.request("pids", "python:alpine3.23", {"python3", "-c", R"(
import os, time
n = 0
for i in range(60):
    try:
        pid = os.fork()
    except OSError:
        break
    if pid == 0:
        time.sleep(1000)
        os._exit(0)
    n += 1
print(n)
)"});
  request.limits.max_processes = 20;
  auto run = run_step(executor, request);
  EXPECT_EQ(run.result.exit_code, 0) << run.log_text;
  int forked = std::stoi(run.stdout_text.empty() ? "-1" : run.stdout_text);
  EXPECT_GT(forked, 0);
  EXPECT_LT(forked, 20);
}

TEST(Limits, AForkBombIsContainedAndKilled) {
  ScratchDir scratch;
  ProcessExecutor executor(testing::options());
  // Only with a verified per-step process limit: without one this would hurt the shared host.
  if (!pids_enforced(executor)) GTEST_SKIP() << "no pids cgroup on this host, not risking a fork bomb";
  auto request =
      // The shell starts its sleep before the bomb and then only waits (a builtin): once the bomb
      // fills the pids limit it could not fork the sleep, exit on its own and race the kill.
      scratch.request("bomb", "busybox",
                      {"sh", "-c", "echo armed; sleep 1000.4246 & bomb() { bomb | bomb & }; bomb; wait"});
  request.limits.max_processes = 64;
  auto future = start(executor, request);
  ASSERT_TRUE(wait_for_output(request.stdout_path, "armed"));
  std::this_thread::sleep_for(std::chrono::milliseconds(500));  // let it hit the limit
  executor.kill("bomb", "deadline");
  ASSERT_EQ(future.wait_for(testing::kStepTimeout), std::future_status::ready);
  EXPECT_EQ(future.get().outcome, StepOutcome::Killed);
  EXPECT_EQ(processes_matching("sleep 1000.4246"), 0);
  // The host can still start processes.
  auto after = run_step(executor, scratch.request("after", "busybox", {"echo", "alive"}));
  EXPECT_EQ(after.stdout_text, "alive\n");
}

TEST(Limits, MemoryLimit) {
  ScratchDir scratch;
  ProcessExecutor executor(testing::options());
  auto request = scratch.request("memory", "python:alpine3.23",
                                 {"python3", "-c", "b = b'x' * (256 * 1024 * 1024); print('allocated')"});
  request.limits.memory_bytes = 64ull << 20;
  auto run = run_step(executor, request);
  EXPECT_EQ(run.result.outcome, StepOutcome::Exited);
  EXPECT_NE(run.result.exit_code, 0);
  EXPECT_EQ(run.stdout_text, "");
  if (executor.enforcement_summary().find("memory: per-step cgroup") != std::string::npos) {
    EXPECT_EQ(run.result.exit_code, 137);
    EXPECT_EQ(run.result.message, "OOMKilled");
  }
  // Well under the limit, the same program runs.
  auto small = scratch.request("memory-ok", "python:alpine3.23",
                               {"python3", "-c", "b = b'x' * (8 * 1024 * 1024); print('allocated')"});
  small.limits.memory_bytes = 64ull << 20;
  EXPECT_EQ(run_step(executor, small).stdout_text, "allocated\n");
}

TEST(Limits, CpuLimitStillRuns) {
  ScratchDir scratch;
  ProcessExecutor executor(testing::options());
  auto request = scratch.request("cpu", "busybox", {"echo", "ok"});
  request.limits.cpu_cores = 0.5;
  EXPECT_EQ(run_step(executor, request).stdout_text, "ok\n");
}

}  // namespace
}  // namespace rampart::exec

namespace rampart::exec {
namespace {

TEST(Limits, EnforcementSummaryCoversEveryLimit) {
  ProcessExecutor executor(testing::options());
  std::string summary = executor.enforcement_summary();
  std::cout << summary;  // in the test log: what this host enforces, and how
  EXPECT_NE(summary.find("processes: "), std::string::npos);
  EXPECT_NE(summary.find("memory: "), std::string::npos);
  EXPECT_NE(summary.find("cpu: "), std::string::npos);
}

}  // namespace
}  // namespace rampart::exec
