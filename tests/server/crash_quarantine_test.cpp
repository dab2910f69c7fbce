#include "server/crash_quarantine.h"

#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>

namespace rampart::server {
namespace {

namespace fs = std::filesystem;

class CrashQuarantineTest : public ::testing::Test {
 protected:
  void SetUp() override {
    state = fs::temp_directory_path() / ("rampart-quarantine-" + std::to_string(::getpid()) + "-" +
                                         ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(state);
    fs::create_directories(state);
  }
  void TearDown() override { fs::remove_all(state); }

  // Runs `crash` in a child that drives team-a/<name>; returns the signal that ended it.
  int crash_in_child(const std::string& name, void (*crash)()) {
    pid_t pid = ::fork();
    if (pid == 0) {
      CrashQuarantine::install(state.string());
      CrashQuarantine::Scope scope("team-a", name);
      crash();
      ::_exit(0);
    }
    int status = 0;
    ::waitpid(pid, &status, 0);
    return WIFSIGNALED(status) ? WTERMSIG(status) : 0;
  }

  fs::path state;
};

void segfault() { ::raise(SIGSEGV); }

// Recurses until the stack runs out (the depth comes from a volatile, so the compiler cannot
// prove the recursion endless and fold it away).
volatile int stop_at = -1;
int recurse(int n) {
  volatile char pad[4096];
  pad[0] = static_cast<char>(n);
  if (n == stop_at) return 0;
  return n + recurse(n + 1) + pad[0];
}
void overflow_the_stack() { recurse(0); }

TEST_F(CrashQuarantineTest, ACrashIsRecordedAgainstTheWorkflowTheThreadDrives) {
  EXPECT_EQ(crash_in_child("first", segfault), SIGSEGV);
  auto crashed = CrashQuarantine::take_crashed(state.string());
  ASSERT_EQ(crashed.size(), 1u);
  EXPECT_EQ(crashed[0], std::make_pair(std::string("team-a"), std::string("first")));
  EXPECT_TRUE(CrashQuarantine::take_crashed(state.string()).empty());  // taken once
}

TEST_F(CrashQuarantineTest, AStackOverflowIsRecordedToo) {
  EXPECT_EQ(crash_in_child("deep", overflow_the_stack), SIGSEGV);
  auto crashed = CrashQuarantine::take_crashed(state.string());
  ASSERT_EQ(crashed.size(), 1u);
  EXPECT_EQ(crashed[0].second, "deep");
}

TEST_F(CrashQuarantineTest, NothingIsRecordedOutsideAScope) {
  pid_t pid = ::fork();
  if (pid == 0) {
    CrashQuarantine::install(state.string());
    { CrashQuarantine::Scope scope("team-a", "finished"); }
    ::raise(SIGSEGV);
    ::_exit(0);
  }
  int status = 0;
  ::waitpid(pid, &status, 0);
  EXPECT_TRUE(WIFSIGNALED(status));
  EXPECT_TRUE(CrashQuarantine::take_crashed(state.string()).empty());
}

}  // namespace
}  // namespace rampart::server
