// The real `rampart` binary end to end: run, get, list, logs, exit codes and error messages.
#include <sys/wait.h>
#include <unistd.h>

#include <signal.h>

#include <chrono>
#include <regex>
#include <thread>

#include "engine_fixture.h"

namespace rampart::engine::testing {
namespace {

struct CliResult {
  int exit_code = -1;
  std::string out;
  std::string err;
};

std::string shell_quote(const std::string& s) {
  std::string out = "'";
  for (char c : s) {
    if (c == '\'')
      out += "'\\''";
    else
      out += c;
  }
  return out + "'";
}

std::string data_file(const std::string& name) {
  return std::string(RAMPART_SOURCE_DIR) + "/tests/engine/data/" + name;
}

class CliTest : public ::testing::Test {
 protected:
  CliResult cli(const std::vector<std::string>& args) {
    std::string command = shell_quote(RAMPART_BINARY);
    for (const auto& a : args) command += " " + shell_quote(a);
    std::string out_path = scratch_.path() + "/stdout." + std::to_string(calls_);
    std::string err_path = scratch_.path() + "/stderr." + std::to_string(calls_);
    ++calls_;
    command += " </dev/null >" + shell_quote(out_path) + " 2>" + shell_quote(err_path);
    int status = std::system(command.c_str());
    CliResult r;
    r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    r.out = read_text(out_path);
    r.err = read_text(err_path);
    return r;
  }
  // `rampart CMD ... --state <this test's state dir>`.
  CliResult state_cli(std::vector<std::string> args) {
    args.push_back("--state");
    args.push_back(state_.path());
    return cli(args);
  }
  std::string write_file(const std::string& name, const std::string& text) {
    std::string path = scratch_.path() + "/" + name;
    std::ofstream(path) << text;
    return path;
  }

  TempDir scratch_;
  TempDir state_;
  int calls_ = 0;
};

std::string describe(const CliResult& r) {
  return "exit=" + std::to_string(r.exit_code) + "\n--- stdout\n" + r.out.substr(0, 4000) + "\n--- stderr\n" +
         r.err.substr(0, 4000);
}

TEST_F(CliTest, RunExitsZeroWhenTheWorkflowSucceeds) {
  CliResult r = state_cli({"run", data_file("hello.yaml")});
  EXPECT_EQ(r.exit_code, 0) << describe(r);
}

TEST_F(CliTest, RunExitsOneWhenTheWorkflowFails) {
  CliResult r = state_cli({"run", data_file("fails.yaml")});
  EXPECT_EQ(r.exit_code, 1) << describe(r);
}

TEST_F(CliTest, RunJsonPrintsTheWorkflowObject) {
  CliResult r = state_cli({"run", data_file("hello.yaml"), "-p", "message=from-cli", "-o", "json"});
  ASSERT_EQ(r.exit_code, 0) << describe(r);
  Json wf = Json::parse(r.out, nullptr, false);
  ASSERT_FALSE(wf.is_discarded()) << describe(r);
  EXPECT_EQ(wf.value("kind", ""), "Workflow");
  EXPECT_EQ(wf["metadata"].value("name", ""), "hello");
  EXPECT_EQ(workflow_phase(wf), "Succeeded");
  EXPECT_EQ(result_of(node_by_name(wf, "hello[0].say")), "line-one from-cli\nline-two");
}

TEST_F(CliTest, RunRejectsAnUnknownParameter) {
  CliResult r = state_cli({"run", data_file("hello.yaml"), "-p", "nope=1"});
  EXPECT_NE(r.exit_code, 0) << describe(r);
  EXPECT_NE(r.err.find("nope"), std::string::npos) << describe(r);
}

TEST_F(CliTest, GetAndListShowAStoredWorkflow) {
  ASSERT_EQ(state_cli({"run", data_file("hello.yaml")}).exit_code, 0);
  ASSERT_EQ(state_cli({"run", data_file("fails.yaml")}).exit_code, 1);

  CliResult get = state_cli({"get", "hello", "-o", "json"});
  ASSERT_EQ(get.exit_code, 0) << describe(get);
  Json wf = Json::parse(get.out, nullptr, false);
  ASSERT_FALSE(wf.is_discarded()) << describe(get);
  EXPECT_EQ(workflow_phase(wf), "Succeeded");
  EXPECT_EQ(wf["metadata"].value("name", ""), "hello");
  EXPECT_TRUE(wf["status"].contains("nodes"));

  CliResult list = state_cli({"list", "-o", "json"});
  ASSERT_EQ(list.exit_code, 0) << describe(list);
  Json items = Json::parse(list.out, nullptr, false);
  ASSERT_TRUE(items.is_array()) << describe(list);
  std::map<std::string, std::string> phases;
  for (const auto& w : items) phases[w.value("name", "")] = w.value("phase", "");
  EXPECT_EQ(phases, (std::map<std::string, std::string>{{"hello", "Succeeded"}, {"fails", "Failed"}}));

  CliResult missing = state_cli({"get", "absent"});
  EXPECT_NE(missing.exit_code, 0) << describe(missing);
  EXPECT_NE(missing.err.find("absent"), std::string::npos) << describe(missing);
}

TEST_F(CliTest, LogsPrefixesEachLineWithThePod) {
  ASSERT_EQ(state_cli({"run", data_file("hello.yaml")}).exit_code, 0);
  CliResult logs = state_cli({"logs", "hello"});
  ASSERT_EQ(logs.exit_code, 0) << describe(logs);
  std::vector<std::string> lines;
  std::istringstream in(logs.out);
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  ASSERT_EQ(lines.size(), 2u) << describe(logs);
  std::regex prefixed(R"(^hello-say-[0-9]+: line-(one hello|two)$)");
  for (const auto& l : lines) EXPECT_TRUE(std::regex_match(l, prefixed)) << l;
  EXPECT_NE(lines[0].find("line-one"), std::string::npos);

  CliResult one_step = state_cli({"logs", "hello", "say"});
  EXPECT_EQ(one_step.exit_code, 0) << describe(one_step);
  EXPECT_EQ(one_step.out, logs.out);
  CliResult no_step = state_cli({"logs", "hello", "nope"});
  EXPECT_NE(no_step.exit_code, 0) << describe(no_step);
}

TEST_F(CliTest, MissingFileGivesAClearMessage) {
  std::string path = scratch_.path() + "/does-not-exist.yaml";
  CliResult r = state_cli({"run", path});
  EXPECT_EQ(r.exit_code, 1) << describe(r);
  EXPECT_NE(r.err.find("does-not-exist.yaml"), std::string::npos) << describe(r);
}

TEST_F(CliTest, UnreadableFileGivesAClearMessage) {
  if (::geteuid() == 0) GTEST_SKIP() << "root reads any file";
  std::string path = write_file("secret.yaml", "kind: Workflow\n");
  fs::permissions(path, fs::perms::none);
  CliResult r = state_cli({"run", path});
  EXPECT_EQ(r.exit_code, 1) << describe(r);
  EXPECT_NE(r.err.find("secret.yaml"), std::string::npos) << describe(r);
}

TEST_F(CliTest, DirectoryInsteadOfAFileIsRefused) {
  CliResult r = state_cli({"run", scratch_.path()});
  EXPECT_EQ(r.exit_code, 1) << describe(r);
  EXPECT_NE(r.err.find("a folder"), std::string::npos) << describe(r);
  EXPECT_NE(r.err.find("rampart lint"), std::string::npos) << describe(r);
}

const char* kWorkflowNamed =
    "apiVersion: argoproj.io/v1alpha1\nkind: %s\nmetadata: {name: %s}\n"
    "spec: {entrypoint: main, templates: [{name: main, container: {image: busybox, "
    "command: [\"true\"]}}, {name: other, container: {image: busybox, command: [\"true\"]}}]}\n";

std::string document(const std::string& kind, const std::string& name) {
  char text[512];
  std::snprintf(text, sizeof text, kWorkflowNamed, kind.c_str(), name.c_str());
  return text;
}

TEST_F(CliTest, AFileWithoutExactlyOneWorkflowSaysWhatItHoldsAndWhatToDo) {
  CliResult empty = state_cli({"run", write_file("empty.yaml", "")});
  EXPECT_EQ(empty.exit_code, 1) << describe(empty);
  EXPECT_NE(empty.err.find("empty.yaml: no YAML document"), std::string::npos) << describe(empty);

  CliResult tmpl = state_cli({"run", write_file("tmpl.yaml", document("WorkflowTemplate", "shared"))});
  EXPECT_EQ(tmpl.exit_code, 1) << describe(tmpl);
  EXPECT_NE(tmpl.err.find("WorkflowTemplate \"shared\""), std::string::npos) << describe(tmpl);
  EXPECT_NE(tmpl.err.find("workflowTemplateRef"), std::string::npos) << describe(tmpl);

  CliResult cron = state_cli(
      {"run",
       write_file("cron.yaml",
                  "apiVersion: argoproj.io/v1alpha1\nkind: CronWorkflow\nmetadata: {name: nightly}\n"
                  "spec:\n  schedule: \"0 1 * * *\"\n  workflowSpec: {entrypoint: main, templates: [{name: main, "
                  "container: {image: busybox, command: [\"true\"]}}]}\n")});
  EXPECT_EQ(cron.exit_code, 1) << describe(cron);
  EXPECT_NE(cron.err.find("CronWorkflow \"nightly\""), std::string::npos) << describe(cron);

  CliResult two = state_cli(
      {"run", write_file("two.yaml", document("Workflow", "first") + "---\n" + document("Workflow", "second"))});
  EXPECT_EQ(two.exit_code, 1) << describe(two);
  EXPECT_NE(two.err.find("2 Workflows"), std::string::npos) << describe(two);
  EXPECT_NE(state_cli({"get", "first"}).exit_code, 0) << "nothing of the file ran";
}

TEST_F(CliTest, AnUnknownEntrypointIsRefusedBeforeAnythingIsStored) {
  const std::string file = write_file("wf.yaml", document("Workflow", "entry"));
  CliResult r = state_cli({"run", file, "--entrypoint", "nope"});
  EXPECT_EQ(r.exit_code, 2) << describe(r);
  EXPECT_NE(r.err.find("its templates: main, other"), std::string::npos) << describe(r);
  EXPECT_NE(state_cli({"get", "entry"}).exit_code, 0) << "a refused run stores nothing";
  EXPECT_EQ(state_cli({"run", file, "--entrypoint", "other"}).exit_code, 0);
}

TEST_F(CliTest, ReadingAStateFolderThatIsNotThereIsAnError) {
  const std::string typo = scratch_.path() + "/typo";
  for (const std::vector<std::string>& command :
       {std::vector<std::string>{"list", "--state", typo}, std::vector<std::string>{"get", "x", "--state", typo},
        std::vector<std::string>{"logs", "x", "--state", typo}}) {
    CliResult r = cli(command);
    EXPECT_EQ(r.exit_code, 1) << describe(r);
    EXPECT_NE(r.err.find("no such folder"), std::string::npos) << describe(r);
  }
  EXPECT_FALSE(std::filesystem::exists(typo)) << "reading must not make the folder";
}

TEST_F(CliTest, AWorkflowWhoseEngineWasKilledIsShownInterruptedWithTheCommandThatContinuesIt) {
  std::string wf = document("Workflow", "killed");
  const std::string quick = "command: [\"true\"]";
  wf.replace(wf.find(quick), quick.size(), "command: [sleep, \"60\"]");
  const std::string pid_file = scratch_.path() + "/pid";
  const std::string start = "setsid " + shell_quote(RAMPART_BINARY) + " run " + shell_quote(write_file("k.yaml", wf)) +
                            " --sandbox none --state " + shell_quote(state_.path()) + " >/dev/null 2>&1 & echo $! > " +
                            shell_quote(pid_file);
  ASSERT_EQ(std::system(start.c_str()), 0);
  const pid_t pid = static_cast<pid_t>(std::stol(read_text(pid_file)));
  // The run is seen Running through the store, as a user would see it: polled, since nothing
  // outside the engine is told.
  bool running = false;
  for (int i = 0; i < 1500 && !running; ++i) {
    Json got = Json::parse(state_cli({"get", "killed", "-o", "json"}).out, nullptr, false);
    running = got.is_object() && got["status"].value("phase", "") == "Running";
    if (!running) std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  ASSERT_TRUE(running);
  CliResult alive = state_cli({"get", "killed"});
  EXPECT_EQ(alive.out.find("interrupted"), std::string::npos) << "its engine still runs\n" << describe(alive);

  ::kill(-pid, SIGKILL);  // the engine and its step, as an OOM kill or a reboot would
  for (int i = 0; i < 1500 && ::kill(pid, 0) == 0; ++i) std::this_thread::sleep_for(std::chrono::milliseconds(20));
  CliResult get = state_cli({"get", "killed"});
  EXPECT_NE(get.out.find("interrupted"), std::string::npos) << describe(get);
  EXPECT_NE(get.out.find("rampart resume killed"), std::string::npos) << describe(get);
  CliResult list = state_cli({"list"});
  EXPECT_NE(list.out.find("Interrupted"), std::string::npos) << describe(list);
  // Machine-readable output keeps Argo's phase.
  Json object = Json::parse(state_cli({"get", "killed", "-o", "json"}).out, nullptr, false);
  EXPECT_EQ(object["status"].value("phase", ""), "Running");
}

TEST_F(CliTest, AParameterFileThatCannotBeUsedIsNamedWithTheReason) {
  const std::string file = write_file("wf.yaml", document("Workflow", "params"));
  CliResult missing = state_cli({"run", file, "--parameter-file", scratch_.path() + "/nonexist.yaml"});
  EXPECT_EQ(missing.exit_code, 2) << describe(missing);
  EXPECT_NE(missing.err.find("nonexist.yaml: no such file"), std::string::npos) << describe(missing);
  CliResult list = state_cli({"run", file, "--parameter-file", write_file("p.yaml", "x: 1\nmessage: [a, b]\n")});
  EXPECT_EQ(list.exit_code, 2) << describe(list);
  EXPECT_NE(list.err.find("p.yaml:2: message: expected a string or a number, got a list"), std::string::npos)
      << describe(list);
}

TEST_F(CliTest, LintOfNothingFails) {
  CliResult empty = cli({"lint", write_file("empty.yaml", "# only a comment\n")});
  EXPECT_EQ(empty.exit_code, 1) << describe(empty);
  EXPECT_NE(empty.err.find("nothing to check"), std::string::npos) << describe(empty);
  std::filesystem::create_directories(scratch_.path() + "/no-yaml");
  CliResult folder = cli({"lint", scratch_.path() + "/no-yaml"});
  EXPECT_EQ(folder.exit_code, 1) << describe(folder);
  EXPECT_NE(folder.err.find("no *.yaml"), std::string::npos) << describe(folder);
}

TEST_F(CliTest, InvalidYamlGivesFileLineColumn) {
  CliResult r = state_cli({"run", data_file("invalid.yaml")});
  EXPECT_EQ(r.exit_code, 1) << describe(r);
  std::regex located(R"(invalid\.yaml:[0-9]+:[0-9]+)");
  EXPECT_TRUE(std::regex_search(r.err, located)) << describe(r);
}

TEST_F(CliTest, HelpWorksForEverySubcommand) {
  CliResult top = cli({"--help"});
  EXPECT_EQ(top.exit_code, 0) << describe(top);
  for (const char* sub : {"run", "get", "list", "logs", "resume", "stop", "terminate", "delete"}) {
    EXPECT_NE(top.out.find(sub), std::string::npos) << "top-level help does not list " << sub;
    CliResult r = cli({sub, "--help"});
    EXPECT_EQ(r.exit_code, 0) << sub << ": " << describe(r);
    EXPECT_FALSE(r.out.empty()) << sub;
    EXPECT_NE(r.out.find(sub), std::string::npos) << sub << ": " << describe(r);
  }
}

// A loop of `count` steps that each print their item.
std::string loop_workflow(int count) {
  return "apiVersion: argoproj.io/v1alpha1\nkind: Workflow\nmetadata:\n  name: many\nspec:\n  entrypoint: main\n"
         "  parallelism: 4\n  templates:\n  - name: main\n    steps:\n    - - name: t\n        template: t\n"
         "        withSequence:\n          count: \"" +
         std::to_string(count) + "\"\n  - name: t\n    container:\n      image: busybox\n      command: [\"true\"]\n";
}

size_t occurrences(const std::string& text, const std::string& needle) {
  size_t n = 0;
  for (size_t at = text.find(needle); at != std::string::npos; at = text.find(needle, at + 1)) ++n;
  return n;
}

TEST_F(CliTest, RunShowsEachStepOnceAndTheTreeOnStdout) {
  CliResult r = state_cli({"run", data_file("hello.yaml")});
  ASSERT_EQ(r.exit_code, 0) << describe(r);
  EXPECT_EQ(occurrences(r.err, "Succeeded  hello[0].say"), 1u) << describe(r);
  EXPECT_NE(r.out.find("STEP"), std::string::npos) << describe(r);
  EXPECT_NE(r.out.find("✔ say"), std::string::npos) << describe(r);
  EXPECT_EQ(r.err.find("STEP"), std::string::npos) << describe(r);
  EXPECT_NE(r.err.find("rampart logs hello"), std::string::npos) << describe(r);
}

TEST_F(CliTest, LogPrintsEachStepsOutputPrefixedWithItsPod) {
  CliResult r = state_cli({"run", "--log", data_file("hello.yaml")});
  ASSERT_EQ(r.exit_code, 0) << describe(r);
  EXPECT_TRUE(std::regex_search(r.out, std::regex("(^|\n)hello-say-[0-9]+: line-one hello\n"))) << describe(r);
  EXPECT_TRUE(std::regex_search(r.out, std::regex("(^|\n)hello-say-[0-9]+: line-two\n"))) << describe(r);
  EXPECT_EQ(r.err.find("rampart logs"), std::string::npos) << describe(r);
}

TEST_F(CliTest, ABigLoopPrintsABoundedNumberOfLinesAndSumsUpTheRest) {
  CliResult r = state_cli({"run", write_file("many.yaml", loop_workflow(150)), "--sandbox", "none"});
  ASSERT_EQ(r.exit_code, 0) << describe(r);
  // The first steps get a line each, then a count; never a step twice.
  EXPECT_EQ(occurrences(r.err, "Succeeded  many[0].t("), 50u) << describe(r);
  EXPECT_NE(r.err.find("150 steps finished (150 Succeeded)"), std::string::npos) << describe(r);
  EXPECT_LT(occurrences(r.err, "\n"), 60u) << describe(r);
  // The tree: the first items in counting order, then the rest summed up.
  EXPECT_LT(r.out.find("t(0:0)"), r.out.find("t(4:4)")) << describe(r);
  EXPECT_NE(r.out.find("145 more"), std::string::npos) << describe(r);
  EXPECT_LT(occurrences(r.out, "\n"), 30u) << describe(r);

  CliResult all = state_cli({"get", "many", "--all"});
  EXPECT_EQ(occurrences(all.out, "✔ t("), 150u) << describe(all);
  CliResult wide = state_cli({"get", "many", "-o", "wide"});
  EXPECT_EQ(wide.out, all.out);
}

// On a terminal the status line is rewritten in place ("\r\x1b[K") while the run goes on.
TEST_F(CliTest, OnATerminalTheStatusLineIsRewrittenInPlace) {
  if (std::system("command -v script >/dev/null 2>&1") != 0) GTEST_SKIP() << "script (util-linux) is missing";
  std::string wf = loop_workflow(200);
  const std::string quick = "command: [\"true\"]";
  wf.replace(wf.find(quick), quick.size(), "command: [sleep, \"0.02\"]");
  const std::string command = shell_quote(RAMPART_BINARY) + " run " + shell_quote(write_file("slow.yaml", wf)) +
                              " --sandbox none --state " + shell_quote(state_.path()) + " >/dev/null";
  const std::string typescript = scratch_.path() + "/typescript";
  // script(1) gives the command a pseudo-terminal, as a user's terminal would.
  const std::string run = "script -qec " + shell_quote(command) + " " + shell_quote(typescript) + " >/dev/null";
  ASSERT_EQ(std::system(run.c_str()), 0);
  const std::string screen = read_text(typescript);
  EXPECT_GE(occurrences(screen, "\r\x1b[K"), 2u) << screen.substr(0, 3000);
  EXPECT_NE(screen.find("pending or running"), std::string::npos) << screen.substr(0, 3000);
  EXPECT_NE(screen.find("200 steps finished (200 Succeeded)"), std::string::npos) << screen.substr(0, 3000);
}

// --watch draws the live tree on the terminal and clears it at the end (the final one goes to stdout).
TEST_F(CliTest, WatchDrawsTheLiveTreeOnATerminalAndClearsIt) {
  if (std::system("command -v script >/dev/null 2>&1") != 0) GTEST_SKIP() << "script (util-linux) is missing";
  const std::string command = shell_quote(RAMPART_BINARY) + " run --watch " + shell_quote(data_file("hello.yaml")) +
                              " --sandbox none --state " + shell_quote(state_.path()) + " >/dev/null";
  const std::string typescript = scratch_.path() + "/typescript";
  const std::string run = "script -qec " + shell_quote(command) + " " + shell_quote(typescript) + " >/dev/null";
  ASSERT_EQ(std::system(run.c_str()), 0);
  const std::string screen = read_text(typescript);
  EXPECT_NE(screen.find("Name:                hello"), std::string::npos) << screen.substr(0, 3000);
  EXPECT_NE(screen.find("F\x1b[J"), std::string::npos) << "the live tree is cleared\n" << screen.substr(0, 3000);
}

TEST_F(CliTest, DeleteRemovesAWorkflow) {
  ASSERT_EQ(state_cli({"run", data_file("hello.yaml")}).exit_code, 0);
  CliResult del = state_cli({"delete", "hello"});
  EXPECT_EQ(del.exit_code, 0) << describe(del);
  EXPECT_NE(state_cli({"get", "hello"}).exit_code, 0);
  // The name is free again.
  EXPECT_EQ(state_cli({"run", data_file("hello.yaml")}).exit_code, 0);
}

}  // namespace
}  // namespace rampart::engine::testing
