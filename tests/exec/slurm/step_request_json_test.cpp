// The request file carries everything a node needs to run the step; the result file carries
// everything the engine needs back. Both must survive the trip unchanged, and bad files must
// be refused with a message, never a crash.
#include "exec/slurm/step_request_json.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <sys/stat.h>

#include <filesystem>

#include "common/secret_masker.h"

namespace rampart::exec::slurm {
namespace {

using Json = nlohmann::json;
using ::testing::HasSubstr;

StepRequest full_request() {
  StepRequest r;
  r.id = "wf-123";
  r.image = "python:3.11";
  r.command = {"sh", "-c"};
  r.args = {"echo 'it''s' \"$X\""};
  r.env = {{"A", "1"}, {"A", "2"}, {"SECRET", "p@ss\nword"}};
  r.working_dir = "/work";
  r.script_source = "print(1)\n";
  r.mounts = {{"/host/a", "/a", true}, {"/host/b", "/b", false}};
  r.network = true;
  r.pod_network = "/state/pod";
  r.limits.cpu_cores = 1.5;
  r.limits.memory_bytes = 1ull << 30;
  r.limits.max_processes = 64;
  r.security.privileged = true;
  r.security.read_only_root = true;
  r.security.run_as_user = 1000;
  r.security.run_as_group = 100;
  r.security.run_as_non_root = true;
  r.security.add_capabilities = {"NET_ADMIN"};
  r.security.host_network = true;
  r.security.host_pid = true;
  r.security.host_ipc = true;
  r.image_pull_policy = "Never";
  r.registry_auth = R"({"auths":{}})";
  r.step_dir = "/state/run/argo/wf/wf-123";
  r.stdout_path = "/state/out";
  r.log_path = "/state/log";
  r.max_log_bytes = 1234;
  return r;
}

TEST(StepRequestJson, RoundTripKeepsEveryField) {
  StepRequest in = full_request();
  StepRequest out = request_from_json(Json::parse(request_to_json(in).dump()));
  EXPECT_EQ(out.id, in.id);
  EXPECT_EQ(out.image, in.image);
  EXPECT_EQ(out.command, in.command);
  EXPECT_EQ(out.args, in.args);
  EXPECT_EQ(out.env, in.env);
  EXPECT_EQ(out.working_dir, in.working_dir);
  EXPECT_EQ(out.script_source, in.script_source);
  ASSERT_EQ(out.mounts.size(), 2u);
  EXPECT_EQ(out.mounts[0].host_path, "/host/a");
  EXPECT_EQ(out.mounts[0].container_path, "/a");
  EXPECT_TRUE(out.mounts[0].read_only);
  EXPECT_FALSE(out.mounts[1].read_only);
  EXPECT_TRUE(out.network);
  EXPECT_EQ(out.pod_network, in.pod_network);
  EXPECT_EQ(out.limits.cpu_cores, 1.5);
  EXPECT_EQ(out.limits.memory_bytes, 1ull << 30);
  EXPECT_EQ(out.limits.max_processes, 64u);
  EXPECT_TRUE(out.security.privileged);
  EXPECT_TRUE(out.security.read_only_root);
  EXPECT_EQ(out.security.run_as_user, 1000);
  EXPECT_EQ(out.security.run_as_group, 100);
  EXPECT_TRUE(out.security.run_as_non_root);
  EXPECT_EQ(out.security.add_capabilities, in.security.add_capabilities);
  EXPECT_TRUE(out.security.host_network && out.security.host_pid && out.security.host_ipc);
  EXPECT_EQ(out.image_pull_policy, "Never");
  EXPECT_EQ(out.registry_auth, in.registry_auth);
  EXPECT_EQ(out.step_dir, in.step_dir);
  EXPECT_EQ(out.stdout_path, in.stdout_path);
  EXPECT_EQ(out.log_path, in.log_path);
  EXPECT_EQ(out.max_log_bytes, 1234u);
}

TEST(StepRequestJson, AbsentOptionalsStayAbsent) {
  StepRequest in;
  in.id = "x";
  StepRequest out = request_from_json(request_to_json(in));
  EXPECT_FALSE(out.script_source);
  EXPECT_FALSE(out.limits.cpu_cores);
  EXPECT_FALSE(out.limits.memory_bytes);
  EXPECT_FALSE(out.security.run_as_user);
  EXPECT_EQ(out.max_log_bytes, StepRequest{}.max_log_bytes);
}

TEST(StepRequestJson, BadInputIsRefusedWithTheField) {
  EXPECT_THROW(request_from_json(Json::array()), std::invalid_argument);
  EXPECT_THROW(request_from_json(Json::object()), std::invalid_argument);  // no id
  try {
    request_from_json(Json{{"id", "x"}, {"command", "not a list"}});
    FAIL();
  } catch (const std::invalid_argument& e) {
    EXPECT_THAT(e.what(), HasSubstr("command"));
  }
  EXPECT_THROW(request_from_json(Json{{"id", "x"}, {"env", {{"only-name"}}}}), std::invalid_argument);
  EXPECT_THROW(request_from_json(Json{{"id", "x"}, {"mounts", 3}}), std::invalid_argument);
}

// The node must mask the step's secrets without any value travelling that did not before: the
// request names the secret variables, and the node builds its masker from their values.
TEST(StepRequestJson, SecretVariablesTravelByNameAndTheNodeMasksThem) {
  StepRequest in = full_request();
  in.masker = std::make_shared<const SecretMasker>(std::vector<std::string>{"p@ss\nword", "not-in-this-step"});
  Json j = request_to_json(in);
  EXPECT_EQ(j["secret_env"], Json::array({"SECRET"}));
  std::string text = j.dump();
  EXPECT_EQ(text.find("not-in-this-step"), std::string::npos);
  EXPECT_EQ(text.find("p@ss"), text.rfind("p@ss"));  // once: in "env", as before

  StepRequest out = request_from_json(Json::parse(text));
  ASSERT_TRUE(out.masker);
  EXPECT_EQ(out.masker->mask("x p@ss\nword y"), "x [redacted] y");
  EXPECT_EQ(out.masker->mask("not-in-this-step"), "not-in-this-step");
  EXPECT_FALSE(request_from_json(request_to_json(full_request())).masker);
}

TEST(StepResultJson, RoundTripAndUnknownOutcome) {
  for (auto outcome : {StepOutcome::Exited, StepOutcome::Killed, StepOutcome::StartError}) {
    StepResult in{outcome, 42, "OOMKilled", true};
    StepResult out = result_from_json(result_to_json(in));
    EXPECT_EQ(out.outcome, outcome);
    EXPECT_EQ(out.exit_code, 42);
    EXPECT_EQ(out.message, "OOMKilled");
    EXPECT_TRUE(out.output_truncated);
  }
  EXPECT_THROW(result_from_json(Json{{"outcome", "Exploded"}}), std::invalid_argument);
  EXPECT_THROW(result_from_json(Json("text")), std::invalid_argument);
}

TEST(StepRequestJson, FileIsWrittenPrivatelyAndWhole) {
  auto dir = std::filesystem::temp_directory_path() / ("rampart-slurm-json-" + std::to_string(getpid()));
  std::filesystem::create_directories(dir);
  std::string path = (dir / "request.json").string();
  write_file_atomically(path, request_to_json(full_request()).dump(), 0600);
  struct stat st;
  ASSERT_EQ(stat(path.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  EXPECT_EQ(request_from_json(read_json_file(path)).env.back().second, "p@ss\nword");
  // No temporary file is left beside it.
  EXPECT_EQ(std::distance(std::filesystem::directory_iterator(dir), std::filesystem::directory_iterator()), 1);
  EXPECT_THROW(read_json_file((dir / "missing.json").string()), std::runtime_error);
  write_file_atomically(path, "{not json", 0600);
  EXPECT_THROW(read_json_file(path), std::runtime_error);
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace rampart::exec::slurm
