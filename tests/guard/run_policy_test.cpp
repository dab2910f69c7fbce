// `rampart run` applies the server's admission policy by default: the real binary refuses a
// denied workflow with the text `rampart policy check` prints, checks every step before it
// starts, and runs it with --no-policy (saying so on stderr).
#include <gtest/gtest.h>
#include <sys/wait.h>

#include <fstream>
#include <sstream>

#include "../store/temp_dir.h"

namespace rampart::guard {
namespace {

using store::testing::TempDir;

struct CliResult {
  int exit_code = -1;
  std::string out, err;
};

std::string shell_quoted(const std::string& s) {
  std::string out = "'";
  for (char c : s) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return out + "'";
}

std::string read_text(const std::string& path) {
  std::ifstream in(path);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

class RunPolicyTest : public ::testing::Test {
 protected:
  CliResult rampart(const std::vector<std::string>& args) {
    std::string command = shell_quoted(RAMPART_BINARY);
    for (const auto& a : args) command += " " + shell_quoted(a);
    std::string out = dir_.file("out." + std::to_string(calls_)), err = dir_.file("err." + std::to_string(calls_));
    ++calls_;
    int status = std::system((command + " </dev/null >" + shell_quoted(out) + " 2>" + shell_quoted(err)).c_str());
    return {WIFEXITED(status) ? WEXITSTATUS(status) : -1, read_text(out), read_text(err)};
  }
  CliResult run(std::vector<std::string> args) {
    args.insert(args.begin(), "run");
    args.push_back("--state");
    args.push_back(dir_.file("state"));
    return rampart(args);
  }
  std::string write(const std::string& name, const std::string& text) {
    std::ofstream(dir_.file(name)) << text;
    return dir_.file(name);
  }

  TempDir dir_;
  int calls_ = 0;
};

const char* const kMinerWorkflow = R"(apiVersion: argoproj.io/v1alpha1
kind: Workflow
metadata: {generateName: innocent-}
spec:
  entrypoint: main
  templates:
  - name: main
    container:
      image: busybox
      command: [echo, "stratum+tcp://pool.example:3333"]
)";

TEST_F(RunPolicyTest, ADeniedWorkflowIsRefusedWithThePolicyCheckText) {
  std::string file = write("miner.yaml", kMinerWorkflow);
  CliResult r = run({file});
  EXPECT_EQ(r.exit_code, 1) << r.err;
  EXPECT_NE(r.err.find("DENIED Workflow innocent-"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("command.stratum"), std::string::npos) << r.err;
  EXPECT_EQ(r.err.find("submitted"), std::string::npos) << "nothing may be submitted: " << r.err;
  CliResult check = rampart({"policy", "check", file});
  EXPECT_EQ(check.exit_code, 1);
  EXPECT_NE(r.err.find(check.out), std::string::npos) << "run:\n" << r.err << "\npolicy check:\n" << check.out;

  // A policy file is honoured, as in `policy check --policy`.
  std::string lenient = write("lenient.yaml", "commands: {builtinSignatures: false}\n");
  EXPECT_EQ(run({file, "--policy", lenient}).exit_code, 0);
  EXPECT_EQ(run({file, "--policy", write("bad.yaml", "commands: {nope: 1}\n")}).exit_code, 2);
}

TEST_F(RunPolicyTest, NoPolicyRunsItAndWarns) {
  CliResult r = run({write("miner.yaml", kMinerWorkflow), "--no-policy"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.err.find("warning: --no-policy"), std::string::npos) << r.err;
}

TEST_F(RunPolicyTest, ParametersAndStepsAreCheckedToo) {
  std::string file = write("echo.yaml", R"(apiVersion: argoproj.io/v1alpha1
kind: Workflow
metadata: {generateName: echo-}
spec:
  entrypoint: main
  arguments: {parameters: [{name: what, value: hello}]}
  templates:
  - name: main
    container: {image: busybox, command: [echo, "{{workflow.parameters.what}}"]}
)");
  EXPECT_EQ(run({file}).exit_code, 0);
  CliResult r = run({file, "-p", "what=stratum+tcp://pool.example:3333"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("command.stratum"), std::string::npos) << r.err;

  // Known only once a step has run: the next step is refused before it starts.
  std::string chained = write("chained.yaml", R"(apiVersion: argoproj.io/v1alpha1
kind: Workflow
metadata: {generateName: chained-}
spec:
  entrypoint: main
  templates:
  - name: main
    steps:
    - - {name: make, template: make}
    - - name: use
        template: use
        arguments: {parameters: [{name: url, value: "{{steps.make.outputs.result}}"}]}
  - name: make
    script: {image: busybox, command: [sh], source: "echo xtratum+tcp://pool.example:3333 | tr x s"}
  - name: use
    inputs: {parameters: [{name: url}]}
    container: {image: busybox, command: [echo, "{{inputs.parameters.url}}"]}
)");
  r = run({chained, "-o", "json"});
  EXPECT_EQ(r.exit_code, 1) << r.err;
  EXPECT_NE(r.out.find("command.stratum"), std::string::npos) << r.out;
  r = run({chained, "--no-policy"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
}

TEST_F(RunPolicyTest, ResumeChecksTheStepsItStillHasToRun) {
  // Started without the policy and killed while suspended; `resume` applies the policy to the
  // steps it runs, whatever the first run was told.
  std::string file = write("paused.yaml", R"(apiVersion: argoproj.io/v1alpha1
kind: Workflow
metadata: {name: paused}
spec:
  entrypoint: main
  templates:
  - name: main
    steps:
    - - {name: wait, template: wait}
    - - {name: mine, template: mine}
  - name: wait
    suspend: {duration: "2s"}
  - name: mine
    container: {image: busybox, command: [echo, "stratum+tcp://pool.example:3333"]}
)");
  std::string state = dir_.file("state");
  std::string command = "timeout -s KILL 1 " + shell_quoted(RAMPART_BINARY) + " run " + shell_quoted(file) +
                        " --no-policy --state " + shell_quoted(state) + " >/dev/null 2>&1";
  (void)!std::system(command.c_str());  // killed mid-run, whatever step it had reached
  CliResult r = rampart({"resume", "paused", "--state", state, "-o", "json"});
  EXPECT_EQ(r.exit_code, 1) << r.out << r.err;
  EXPECT_NE(r.out.find("command.stratum"), std::string::npos) << r.out;
  EXPECT_NE(rampart({"resume", "paused", "--state", state, "--policy", dir_.file("missing.yaml")}).exit_code, 0);
}

}  // namespace
}  // namespace rampart::guard
