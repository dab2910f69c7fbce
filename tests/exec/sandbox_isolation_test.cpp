// What a step can see and do inside the bubblewrap sandbox.
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "exec_test_support.h"

namespace rampart::exec {
namespace {

using testing::run_step;
using testing::ScratchDir;

class SandboxIsolationTest : public ::testing::Test {
 protected:
  ScratchDir scratch;
  ProcessExecutor executor{testing::options()};
};

// A TCP listener on the host's loopback, for as long as the test runs.
class HostListener {
 public:
  HostListener() {
    fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    addr.sin_port = 0;
    EXPECT_EQ(::bind(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);
    EXPECT_EQ(::listen(fd_, 16), 0);
    socklen_t len = sizeof addr;
    ::getsockname(fd_, reinterpret_cast<sockaddr*>(&addr), &len);
    port_ = ntohs(addr.sin_port);
  }
  ~HostListener() { ::close(fd_); }
  int port() const { return port_; }

 private:
  int fd_ = -1;
  int port_ = 0;
};

TEST_F(SandboxIsolationTest, NoNetworkUnlessAsked) {
  HostListener listener;
  std::string connect = "import socket; socket.create_connection(('127.0.0.1', " + std::to_string(listener.port()) +
                        "), timeout=5); print('connected')";
  auto offline = scratch.request("offline", "python:alpine3.23", {"python3", "-c", connect});
  auto run = run_step(executor, offline);
  EXPECT_EQ(run.result.outcome, StepOutcome::Exited);
  EXPECT_NE(run.result.exit_code, 0);
  EXPECT_EQ(run.stdout_text, "");

  auto online = scratch.request("online", "python:alpine3.23", {"python3", "-c", connect});
  online.network = true;
  run = run_step(executor, online);
  EXPECT_EQ(run.result.exit_code, 0) << run.log_text;
  EXPECT_EQ(run.stdout_text, "connected\n");
}

TEST_F(SandboxIsolationTest, LoopbackWorksInsideAnIsolatedNetwork) {
  auto run =
      run_step(executor, scratch.request("lo", "python:alpine3.23",
                                         {"python3", "-c",
                                          "import socket; s=socket.socket(); s.bind(('127.0.0.1',0)); s.listen(); "
                                          "c=socket.create_connection(s.getsockname()); print('ok')"}));
  EXPECT_EQ(run.stdout_text, "ok\n") << run.log_text;
}

TEST_F(SandboxIsolationTest, TheHostFilesystemIsReadOnly) {
  auto run = run_step(
      executor, scratch.request("ro", "busybox", {"sh", "-c", "touch /usr/x || echo usr; touch /etc/x || echo etc"}));
  EXPECT_EQ(run.stdout_text, "usr\netc\n") << run.log_text;
  EXPECT_FALSE(std::filesystem::exists("/usr/x"));
}

TEST_F(SandboxIsolationTest, PrivateHostDirectoriesAreNotVisible) {
  // The step root has the empty directories every image has (/root, /home, /mnt, ...), but
  // nothing of the host's: they must be empty. The scratch dir (under the host's /tmp) stands
  // in for the state dir and must not exist at all.
  std::string probe =
      "for d in /root /home /var /work /run /mnt /media /srv; do "
      "test -n \"$(ls -A $d 2>/dev/null | grep -v '^tmp$')\" && echo visible $d; done; "
      "test -e " +
      scratch.path().string() +
      " && echo visible state; "
      "cat /etc/shadow >/dev/null 2>&1 && echo shadow; echo done";
  auto run = run_step(executor, scratch.request("hidden", "busybox", {"sh", "-c", probe}));
  EXPECT_EQ(run.stdout_text, "done\n") << run.log_text;
}

TEST_F(SandboxIsolationTest, OwnPidNamespaceAndProc) {
  auto run = run_step(
      executor, scratch.request("pidns", "busybox", {"sh", "-c", "echo $$; ls /proc | grep -c '^[0-9]' ; hostname"}));
  std::istringstream out(run.stdout_text);
  int pid = 0, processes = 0;
  std::string hostname;
  out >> pid >> processes >> hostname;
  EXPECT_LE(pid, 3);        // bwrap's init is 1, the step 2
  EXPECT_LE(processes, 5);  // not the host's
  EXPECT_EQ(hostname, "pidns");
}

TEST_F(SandboxIsolationTest, NoCapabilities) {
  auto run = run_step(executor, scratch.request("caps", "busybox", {"sh", "-c", "grep CapEff /proc/self/status"}));
  EXPECT_EQ(run.stdout_text, "CapEff:\t0000000000000000\n");
}

TEST_F(SandboxIsolationTest, TmpIsPrivateAndSurvivesOnTheHost) {
  auto request = scratch.request("tmp", "busybox", {"sh", "-c", "echo value > /tmp/out.txt; ls /tmp"});
  auto run = run_step(executor, request);
  EXPECT_EQ(run.stdout_text, "out.txt\n");  // nothing of the host's /tmp
  std::string host = executor.host_path_for(request, "/tmp/out.txt");
  EXPECT_EQ(host, request.step_dir + "/tmp/out.txt");
  EXPECT_EQ(testing::read_text(host), "value\n");
  EXPECT_EQ(executor.host_path_for(request, "/elsewhere/x"), request.step_dir + "/rootfs/elsewhere/x");
}

TEST_F(SandboxIsolationTest, FilesWrittenOutsideTmpSurviveInTheStepRoot) {
  auto request =
      scratch.request("root", "busybox", {"sh", "-c", "mkdir -p /out && echo kept > /out/f && echo top > /top.txt"});
  auto run = run_step(executor, request);
  EXPECT_EQ(run.result.exit_code, 0);
  EXPECT_EQ(testing::read_text(executor.host_path_for(request, "/out/f")), "kept\n");
  EXPECT_EQ(testing::read_text(executor.host_path_for(request, "/top.txt")), "top\n");
}

TEST_F(SandboxIsolationTest, DeclaredMountsAreVisibleAndWritable) {
  auto volume = scratch.path() / "volume";
  auto config = scratch.path() / "config";
  std::filesystem::create_directories(volume);
  std::filesystem::create_directories(config);
  std::ofstream(volume / "existing") << "from host\n";
  std::ofstream(config / "key") << "v\n";
  auto request = scratch.request("mounts", "busybox",
                                 {"sh", "-c",
                                  "cat /mnt/vol/existing; echo written > /mnt/vol/new; cat /etc/app/key; touch "
                                  "/etc/app/x 2>/dev/null || echo ro"});
  request.mounts = {{volume.string(), "/mnt/vol", false}, {config.string(), "/etc/app", true}};
  auto run = run_step(executor, request);
  EXPECT_EQ(run.stdout_text, "from host\nv\nro\n") << run.log_text;
  EXPECT_EQ(testing::read_text(volume / "new"), "written\n");
  EXPECT_EQ(executor.host_path_for(request, "/mnt/vol/new"), (volume / "new").string());
}

TEST_F(SandboxIsolationTest, AMountPointMissingInAReadOnlyHostDirectoryIsCreated) {
  auto config = scratch.path() / "config";
  std::filesystem::create_directories(config);
  std::ofstream(config / "key") << "deep\n";
  ASSERT_TRUE(std::filesystem::exists("/usr/share"));
  auto request = scratch.request("deep", "busybox",
                                 {"sh", "-c",
                                  "cat /usr/share/rampart-test/conf/key; test -e /usr/share/doc && echo host-content; "
                                  "touch /usr/share/x 2>/dev/null || echo ro"});
  request.mounts = {{config.string(), "/usr/share/rampart-test/conf", true}};
  auto run = run_step(executor, request);
  EXPECT_EQ(run.stdout_text, "deep\nhost-content\nro\n") << run.log_text;
}

TEST_F(SandboxIsolationTest, AMountInsideTmpLandsInsideTheTmpBind) {
  auto volume = scratch.path() / "inner";
  std::filesystem::create_directories(volume);
  auto request = scratch.request("nested", "busybox", {"sh", "-c", "echo a > /tmp/inner/f; echo b > /tmp/g"});
  request.mounts = {{volume.string(), "/tmp/inner", false}};
  auto run = run_step(executor, request);
  EXPECT_EQ(run.result.exit_code, 0) << run.log_text;
  EXPECT_EQ(testing::read_text(volume / "f"), "a\n");
  EXPECT_EQ(testing::read_text(std::filesystem::path(request.step_dir) / "tmp" / "g"), "b\n");
  EXPECT_EQ(executor.host_path_for(request, "/tmp/inner/f"), (volume / "f").string());
}

}  // namespace
}  // namespace rampart::exec
