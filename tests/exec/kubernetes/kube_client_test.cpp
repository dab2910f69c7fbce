// kube_client and the kubernetes executor against fake_api_server.py: a FAKE API server on
// loopback that speaks only the paths the executor uses (it is not Kubernetes; the real thing is
// cluster_test.py). What this shows: TLS verified against a given CA, the bearer token sent, a
// wrong CA refused, streamed watch events in pieces, and the executor's whole round trip (Secret,
// Pod, watch, logs, outputs, kill, clean-up).
#include <gtest/gtest.h>
#include <signal.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <future>
#include <sstream>

#include "../exec_test_support.h"
#include "exec/kubernetes/kube_client.h"
#include "exec/kubernetes/kubernetes_executor.h"
#include "exec/kubernetes/watch_events.h"

namespace rampart::exec::kube {
namespace {

namespace fs = std::filesystem;
using rampart::exec::testing::read_text;
using rampart::exec::testing::ScratchDir;

const char* kToken = "fake-token-1234";

class FakeApiServer {
 public:
  explicit FakeApiServer(const fs::path& dir) {
    std::string make_cert =
        "openssl req -x509 -newkey rsa:2048 -nodes -days 1 -subj /CN=127.0.0.1 -addext "
        "subjectAltName=IP:127.0.0.1 -keyout " +
        (dir / "key.pem").string() + " -out " + (dir / "cert.pem").string() + " >/dev/null 2>&1";
    if (std::system(make_cert.c_str()) != 0) return;
    ca_pem = read_text(dir / "cert.pem");
    std::string command = "exec python3 " + std::string(RAMPART_SOURCE_DIR) +
                          "/tests/exec/kubernetes/fake_api_server.py " + (dir / "cert.pem").string() + " " +
                          (dir / "key.pem").string() + " " + kToken;
    out_ = ::popen(command.c_str(), "r");
    if (!out_ || std::fscanf(out_, "%d %d", &port, &pid_) != 2) port = 0;
  }
  ~FakeApiServer() {
    if (pid_ > 0) ::kill(pid_, SIGTERM);
    if (out_) ::pclose(out_);
  }
  KubeCredentials credentials() const {
    KubeCredentials c;
    c.server = "https://127.0.0.1:" + std::to_string(port);
    c.ca_pem = ca_pem;
    c.token = kToken;
    c.namespace_name = "test";
    c.source = "test";
    return c;
  }
  int port = 0;
  std::string ca_pem;

 private:
  FILE* out_ = nullptr;
  int pid_ = 0;
};

TEST(KubeClientFakeServer, VerifiesTheServerAndSendsTheToken) {
  ScratchDir scratch;
  FakeApiServer server(scratch.path());
  ASSERT_NE(server.port, 0) << "the fake API server did not start (python3, openssl)";
  KubeClient client(server.credentials());
  KubeResponse r = client.request("GET", "/api/v1/namespaces/test/pods");
  ASSERT_TRUE(r.ok()) << r.describe();
  EXPECT_NE(r.body.find("PodList"), std::string::npos);

  KubeCredentials wrong_token = server.credentials();
  wrong_token.token = "nope";
  r = KubeClient(wrong_token).request("GET", "/api/v1/namespaces/test/pods");
  EXPECT_EQ(r.status, 401);
  EXPECT_EQ(r.describe(), "401: Unauthorized");

  // Any other CA: the handshake fails, and nothing (the token included) was sent.
  KubeCredentials other_ca = server.credentials();
  other_ca.ca_pem.clear();  // the system's CAs, which never signed this certificate
  r = KubeClient(other_ca).request("GET", "/api/v1/namespaces/test/pods");
  EXPECT_NE(r.error.find("TLS"), std::string::npos) << r.describe();
  EXPECT_EQ(r.error.find(kToken), std::string::npos);

  KubeCredentials bad_pem = server.credentials();
  bad_pem.ca_pem = "not a certificate";
  EXPECT_THROW(KubeClient{bad_pem}, std::runtime_error);
}

TEST(KubeClientFakeServer, StreamsAWatchInPieces) {
  ScratchDir scratch;
  FakeApiServer server(scratch.path());
  ASSERT_NE(server.port, 0);
  KubeClient client(server.credentials());
  WatchEventParser parser;
  std::vector<WatchEvent> events;
  KubeResponse r = client.stream(
      "/fake/watch-split",
      [&](const char* d, size_t n) {
        for (auto& e : parser.feed(d, n)) events.push_back(std::move(e));
      },
      nullptr, 10000);
  ASSERT_TRUE(r.ok()) << r.describe();
  ASSERT_EQ(events.size(), 3u);
  EXPECT_EQ(events[0].type, "ADDED");
  EXPECT_EQ(events[1].type, "BOOKMARK");
  EXPECT_EQ(events[1].resource_version, "9");
  EXPECT_TRUE(events[2].expired);
}

StepResult run_step(Executor& executor, StepRequest request) {
  // Shared: a step that outlives the wait must not write into a dead promise.
  auto done = std::make_shared<std::promise<StepResult>>();
  auto result = done->get_future();
  executor.start(std::move(request), [done](StepResult r) { done->set_value(r); });
  if (result.wait_for(std::chrono::seconds(30)) != std::future_status::ready)
    return {StepOutcome::StartError, -1, "timeout", false};
  return result.get();
}

TEST(KubernetesExecutorFakeServer, RunsAStepAndBringsBackItsOutputs) {
  ScratchDir scratch;
  FakeApiServer server(scratch.path());
  ASSERT_NE(server.port, 0);
  KubernetesExecutorOptions options;
  options.credentials = server.credentials();
  auto executor = make_kubernetes_executor(options);

  StepRequest ok = scratch.request("wf-1", "busybox", {"sh"}, {"exit=0"});
  ok.workflow_name = "wf";
  ok.env = {{"SECRET_VALUE", "hunter2"}};
  ok.output_files = {{"/tmp/out.txt", (scratch.path() / "wf-1" / "tmp" / "out.txt").string()}};
  StepResult r = run_step(*executor, ok);
  EXPECT_EQ(r.outcome, StepOutcome::Exited) << r.message;
  EXPECT_EQ(r.exit_code, 0) << r.message;
  EXPECT_EQ(read_text(ok.stdout_path), "hello from main\n");
  EXPECT_EQ(read_text(scratch.path() / "wf-1" / "tmp" / "out.txt"), "out");

  StepRequest failing = scratch.request("wf-2", "busybox", {"sh"}, {"exit=3"});
  r = run_step(*executor, failing);
  EXPECT_EQ(r.outcome, StepOutcome::Exited);
  EXPECT_EQ(r.exit_code, 3);

  StepRequest refused = scratch.request("wf-3", "busybox", {"sh"});
  refused.security.privileged = true;
  r = run_step(*executor, refused);
  EXPECT_EQ(r.outcome, StepOutcome::StartError);
  EXPECT_NE(r.message.find("privileged"), std::string::npos);

  // kill(): the Pod is deleted and the step ends as Killed with the reason given.
  StepRequest hang = scratch.request("wf-4", "busybox", {"sh"}, {"exit=hang"});
  auto done = std::make_shared<std::promise<StepResult>>();
  auto result = done->get_future();
  executor->start(hang, [done](StepResult res) { done->set_value(res); });
  std::this_thread::sleep_for(std::chrono::seconds(1));
  executor->kill("wf-4", "deadline exceeded");
  ASSERT_EQ(result.wait_for(std::chrono::seconds(30)), std::future_status::ready);
  r = result.get();
  EXPECT_EQ(r.outcome, StepOutcome::Killed);
  EXPECT_EQ(r.message, "deadline exceeded");
  executor->shutdown();

  // Every Secret was deleted; the completed Pods were kept (no podGC) and marked completed;
  // the hung one was deleted. The token went with every request.
  KubeClient client(server.credentials());
  std::string log = client.request("GET", "/fake/requests").body;
  EXPECT_EQ(log.find("\"token\": false"), std::string::npos);
  EXPECT_NE(log.find("\"DELETE\", \"path\": \"/api/v1/namespaces/test/secrets/wf-1-inputs\""), std::string::npos)
      << log;
  EXPECT_NE(log.find("\"PATCH\", \"path\": \"/api/v1/namespaces/test/pods/wf-1\""), std::string::npos) << log;
  EXPECT_NE(log.find("\"DELETE\", \"path\": \"/api/v1/namespaces/test/pods/wf-4?gracePeriodSeconds=0\""),
            std::string::npos)
      << log;
  EXPECT_EQ(log.find("hunter2"), std::string::npos);
}

}  // namespace
}  // namespace rampart::exec::kube
