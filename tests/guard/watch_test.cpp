// Runtime detection by what a process is and does: the content of what it runs, its
// connections to pool ports, and how long it runs compared with its template's history.
#include <gtest/gtest.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <signal.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <fstream>
#include <thread>

#include "../store/temp_dir.h"
#include "guard/process_inspect.h"
#include "guard/run_history.h"
#include "guard/watch.h"

extern char** environ;

namespace rampart::guard {
namespace {

using store::testing::TempDir;

TEST(ProcessInspectTest, ProcNetTcpRowsAreRead) {
  std::string tcp =
      "  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode\n"
      "   0: 0100007F:9C40 097100CB:0D05 02 00000000:00000000 01:00000000 00000000  1000        0 4242 1 0\n"
      "   1: 0100007F:9C41 0100007F:0050 01 00000000:00000000 00:00000000 00000000  1000        0 4343 1 0\n";
  auto rows = parse_proc_net_tcp(tcp);
  ASSERT_EQ(rows.size(), 2u);
  EXPECT_EQ(rows[0].remote_port, 3333);
  EXPECT_EQ(rows[0].state, 2);
  EXPECT_EQ(rows[0].inode, 4242u);
  EXPECT_EQ(rows[1].remote, "127.0.0.1:80");
  std::string tcp6 =
      "  sl  local_address                         remote_address                        st tx_queue rx_queue tr "
      "tm->when retrnsmt   uid  timeout inode\n"
      "   0: 00000000000000000000000001000000:A000 00000000000000000000000001000000:115C 01 00000000:00000000 "
      "00:00000000 00000000  1000        0 77 1 0\n";
  rows = parse_proc_net_tcp(tcp6);
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(rows[0].remote, "[::1]:4444");
}

TEST(ProcessInspectTest, ConnectionsToPoolPortsAreFoundOnTheProcessesOwnSockets) {
  int listener = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ASSERT_EQ(::bind(listener, reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);
  ASSERT_EQ(::listen(listener, 1), 0);
  socklen_t len = sizeof addr;
  ::getsockname(listener, reinterpret_cast<sockaddr*>(&addr), &len);
  int port = ntohs(addr.sin_port);
  int client = ::socket(AF_INET, SOCK_STREAM, 0);
  ASSERT_EQ(::connect(client, reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);

  std::map<std::string, std::vector<TcpEntry>> tables;
  auto found = pool_connections(::getpid(), {port}, tables);
  ASSERT_EQ(found.size(), 1u);
  EXPECT_EQ(found[0].remote, "127.0.0.1:" + std::to_string(port));
  EXPECT_EQ(found[0].state, 1);
  EXPECT_TRUE(pool_connections(::getpid(), {port == 1 ? 2 : 1}, tables).empty());
  // The init process has none of these sockets, though it sees the same table.
  EXPECT_TRUE(pool_connections(1, {port}, tables).empty());
  ::close(client);
  ::close(listener);
}

TEST(ProcessInspectTest, ExecutableContentIsScannedOncePerFile) {
  TempDir dir;
  std::string path = dir.file("kworker");
  std::string binary = std::string(
                           "\x7f"
                           "ELF\x02\x01\x01",
                           7) +
                       std::string(3 << 20, '\0') + "pool=stratum+tcp://pool.example:3333" + std::string(1000, '\0');
  std::ofstream(path, std::ios::binary) << binary;
  ContentScanner scanner;
  ContentVerdict v = scanner.scan_file(path);
  EXPECT_EQ(v.evidence, "stratum+tcp://");
  EXPECT_EQ(v.sha256.size(), 64u);
  EXPECT_EQ(scanner.cached(), 1u);
  EXPECT_EQ(scanner.scan_file(path).sha256, v.sha256);
  EXPECT_EQ(scanner.cached(), 1u);
  // A string cut by the reader's chunk boundary is still found.
  std::string cut = std::string((1 << 20) - 5, 'a') + "RandomX" + std::string(100, 'b');
  std::ofstream(dir.file("cut"), std::ios::binary) << cut;
  EXPECT_EQ(scanner.scan_file(dir.file("cut")).evidence, "RandomX");
  // Past the read budget a new file is left for a later poll, not read and not remembered.
  ContentScanner thrifty;
  thrifty.set_read_budget(1000);
  EXPECT_EQ(thrifty.scan_file(path).sha256, "");
  EXPECT_EQ(thrifty.cached(), 0u);
  thrifty.set_read_budget(64u << 20);
  EXPECT_EQ(thrifty.scan_file(path).evidence, "stratum+tcp://");
  // Common programs are not miners.
  for (const char* program :
       {"/bin/sh", "/bin/bash", "/usr/bin/python3", "/bin/busybox", "/usr/bin/perl", "/usr/bin/curl"}) {
    if (::access(program, R_OK) != 0) continue;
    EXPECT_EQ(scanner.scan_file(program).evidence, "") << program;
  }
}

TEST(ProcessInspectTest, AnInterpretersScriptIsReadWhateverItIsCalled) {
  TempDir dir;
  std::string script = dir.file("innocent");
  std::ofstream(script) << "#!/bin/sh\n# connects to stratum+tcp://pool.example:3333\nwhile :; do sleep 1; done\n";
  pid_t child = 0;
  char* argv[] = {const_cast<char*>("/bin/sh"), script.data(), nullptr};
  ASSERT_EQ(posix_spawn(&child, "/bin/sh", nullptr, nullptr, argv, environ), 0);
  ContentScanner scanner;
  std::vector<ContentVerdict> verdicts;
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (verdicts.size() < 2 && std::chrono::steady_clock::now() < deadline) {
    verdicts = scanner.scan_process(child);
    if (verdicts.size() < 2) std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  ::kill(child, SIGKILL);
  ::waitpid(child, nullptr, 0);
  ASSERT_EQ(verdicts.size(), 2u);
  EXPECT_EQ(verdicts[0].evidence, "");                // the shell itself
  EXPECT_EQ(verdicts[1].evidence, "stratum+tcp://");  // the script it runs
}

TEST(RunHistoryTest, Percentile95IsTheNearestRank) {
  EXPECT_FALSE(percentile95({}));
  EXPECT_EQ(*percentile95({7}), 7);
  std::vector<int64_t> hundred;
  for (int i = 100; i >= 1; --i) hundred.push_back(i);
  EXPECT_EQ(*percentile95(hundred), 95);
  EXPECT_EQ(*percentile95({1, 2, 3, 4, 5, 6, 7, 8, 9, 10}), 10);
  EXPECT_EQ(*percentile95({10, 10, 10, 10, 10, 10, 10, 10, 10, 10, 10, 10, 10, 10, 10, 10, 10, 10, 10, 500}), 10);
}

TEST(RunHistoryTest, TheLimitNeedsEnoughRunsAndAFactor) {
  std::vector<int64_t> past = {1000, 1100, 1200, 1300, 1400};
  EXPECT_FALSE(history_limit_passed(4000, past, 3.0, 5));  // 4000 <= 3 x 1400
  EXPECT_EQ(*history_limit_passed(4300, past, 3.0, 5), 4200);
  EXPECT_FALSE(history_limit_passed(100000, past, 3.0, 6));  // too little history
  EXPECT_FALSE(history_limit_passed(100000, past, 0, 5));    // off
}

class WatcherHistoryTest : public ::testing::Test {
 protected:
  void SetUp() override { store_ = store::open_sqlite(dir_.file("rampart.db")); }

  // A finished run of "nightly-" taking `ms`, whose step of template "work" took ms - 100.
  void past_run(int i, int64_t ms) {
    store::WorkflowRecord wf;
    wf.namespace_ = "team";
    wf.name = "nightly-" + std::to_string(1000 + i);
    wf.phase = "Succeeded";
    wf.started_at = kNow - 86'400'000 + i * 100'000;
    wf.finished_at = wf.started_at + ms;
    wf.manifest = {{"metadata", {{"generateName", "nightly-"}}}};
    store_->put_workflow(wf);
    store_->put_nodes("team", wf.name,
                      {{wf.name + "-1",
                        {{"type", "Pod"},
                         {"phase", "Succeeded"},
                         {"templateName", "work"},
                         {"startedAtMs", wf.started_at + 50},
                         {"finishedAtMs", wf.finished_at - 50}}}});
  }

  void running(const std::string& name, int64_t elapsed_ms) {
    store::WorkflowRecord wf;
    wf.namespace_ = "team";
    wf.name = name;
    wf.phase = "Running";
    wf.started_at = kNow - elapsed_ms;
    wf.manifest = {{"metadata", {{"generateName", "nightly-"}}}};
    store_->put_workflow(wf);
    store_->put_nodes("team", name,
                      {{name + "-1",
                        {{"type", "Pod"},
                         {"phase", "Running"},
                         {"templateName", "work"},
                         {"displayName", "work"},
                         {"startedAtMs", kNow - elapsed_ms + 50}}}});
  }

  std::vector<Alert> poll(const Policy& policy) {
    Watcher watcher(policy, ::getpid());
    return watcher.poll(*store_, kNow);
  }

  static constexpr int64_t kNow = 1'800'000'000'000;
  TempDir dir_;
  std::unique_ptr<store::Store> store_;
};

TEST_F(WatcherHistoryTest, AWorkflowAndItsStepFarBeyondTheirUsualTimeAreStopped) {
  for (int i = 0; i < 6; ++i) past_run(i, 10'000 + i * 1000);  // p95 15 s; steps 14.9 s
  running("nightly-now", 60'000);                              // 4 x the usual
  Policy policy = parse_policy("watch: {historyFactor: 3, historyMinRuns: 5}\n", "p.yaml");
  auto alerts = poll(policy);
  std::set<std::string> nodes;
  for (const auto& a : alerts) {
    EXPECT_EQ(a.rule, "runtime.history");
    EXPECT_EQ(a.action, "terminate");
    EXPECT_EQ(a.workflow, "nightly-now");
    EXPECT_NE(a.evidence.find("6 past runs"), std::string::npos) << a.evidence;
    nodes.insert(a.node_id);
  }
  EXPECT_EQ(nodes, (std::set<std::string>{"", "nightly-now-1"}));
  EXPECT_EQ(alerts.front().kill_reason().rfind("guard: runtime.history: ", 0), 0u);

  Policy alert_only = parse_policy("watch: {historyFactor: 3, action: alert}\n", "p.yaml");
  for (const auto& a : poll(alert_only)) EXPECT_EQ(a.action, "alert");
}

TEST_F(WatcherHistoryTest, TooLittleHistoryOrARunWithinItsTimeIsLeftAlone) {
  for (int i = 0; i < 4; ++i) past_run(i, 10'000);
  running("nightly-now", 60'000);
  Policy policy = parse_policy("watch: {historyFactor: 3, historyMinRuns: 5}\n", "p.yaml");
  EXPECT_TRUE(poll(policy).empty());
  past_run(4, 10'000);
  past_run(5, 30'000);  // p95 30 s: 60 s is within 3 x
  EXPECT_TRUE(poll(policy).empty());
  Policy off = parse_policy("watch: {historyFactor: 0}\n", "p.yaml");
  EXPECT_TRUE(poll(off).empty());
}

}  // namespace
}  // namespace rampart::guard
