// The Pod the kubernetes executor creates: least privilege by default, Argo's labels, the
// policy's refusals, environment and inputs carried in the Secret, outputs on shared volumes.
#include <gtest/gtest.h>

#include "exec/kubernetes/pod_manifest.h"

namespace rampart::exec::kube {
namespace {

using Json = nlohmann::json;

StepRequest basic_request() {
  StepRequest r;
  r.id = "hello-123";
  r.pod_name = "hello-whalesay-123";
  r.workflow_name = "hello";
  r.workflow_namespace = "argo";
  r.node_name = "hello";
  r.template_name = "whalesay";
  r.image = "busybox";
  r.command = {"echo"};
  r.args = {"hi"};
  r.env = {{"A", "1"}, {"TOKEN", "s3cret"}, {"A", "2"}};
  return r;
}

const Json& main_container(const PodPlan& plan) { return plan.pod["spec"]["initContainers"][0]; }

TEST(PodManifest, LeastPrivilegeByDefault) {
  PodPlan plan = make_pod_plan(basic_request(), {}, PodPolicy{});
  ASSERT_EQ(plan.error, "");
  const Json& spec = plan.pod["spec"];
  EXPECT_EQ(spec["automountServiceAccountToken"], false);
  EXPECT_EQ(spec["enableServiceLinks"], false);
  EXPECT_EQ(spec["restartPolicy"], "Never");
  EXPECT_EQ(spec["securityContext"]["runAsNonRoot"], true);
  EXPECT_EQ(spec["securityContext"]["runAsUser"], 65534);
  EXPECT_EQ(spec["securityContext"]["seccompProfile"]["type"], "RuntimeDefault");
  EXPECT_FALSE(spec.contains("hostNetwork"));
  for (const Json* c : {&spec["initContainers"][0], &spec["containers"][0]}) {
    const Json& sc = (*c)["securityContext"];
    EXPECT_EQ(sc["allowPrivilegeEscalation"], false) << c->dump();
    EXPECT_EQ(sc["readOnlyRootFilesystem"], true);
    EXPECT_EQ(sc["capabilities"]["drop"], Json::array({"ALL"}));
    EXPECT_FALSE(sc.contains("privileged"));
    EXPECT_TRUE((*c)["resources"]["limits"].contains("cpu"));
    EXPECT_TRUE((*c)["resources"]["limits"].contains("memory"));
  }
  EXPECT_EQ(main_container(plan)["resources"]["limits"]["memory"], "2Gi");
  EXPECT_EQ(main_container(plan)["resources"]["limits"]["cpu"], "1");
  // /tmp is a writable scratch volume on the read-only root.
  EXPECT_EQ(main_container(plan)["volumeMounts"][0]["mountPath"], "/tmp");
  EXPECT_EQ(spec["volumes"][0]["emptyDir"]["sizeLimit"], "1Gi");
}

TEST(PodManifest, ArgoLabelsAndAnnotations) {
  PodPlan plan = make_pod_plan(basic_request(), {}, PodPolicy{});
  const Json& meta = plan.pod["metadata"];
  EXPECT_EQ(meta["name"], "hello-whalesay-123");
  EXPECT_EQ(meta["labels"]["workflows.argoproj.io/workflow"], "hello");
  EXPECT_EQ(meta["labels"]["workflows.argoproj.io/completed"], "false");
  EXPECT_EQ(meta["annotations"]["workflows.argoproj.io/node-name"], "hello");
  EXPECT_EQ(meta["annotations"]["workflows.argoproj.io/node-id"], "hello-123");
  EXPECT_EQ(main_container(plan)["name"], "main");
}

TEST(PodManifest, EnvironmentValuesLiveInTheSecretOnly) {
  PodPlan plan = make_pod_plan(basic_request(), {}, PodPolicy{});
  std::string pod = plan.pod.dump();
  EXPECT_EQ(pod.find("s3cret"), std::string::npos);
  const Json& env = main_container(plan)["env"];
  ASSERT_EQ(env.size(), 2u);  // A once: the later value wins, as in Kubernetes
  EXPECT_EQ(env[0]["name"], "A");
  std::string key = env[0]["valueFrom"]["secretKeyRef"]["key"];
  EXPECT_EQ(plan.secret["data"][key], "Mg==");  // "2"
  EXPECT_EQ(env[0]["valueFrom"]["secretKeyRef"]["name"], plan.secret["metadata"]["name"]);
}

TEST(PodManifest, ScriptAndInputFilesAreMountedFromTheSecret) {
  StepRequest r = basic_request();
  r.command = {"python"};
  r.args.clear();
  r.script_source = "print(1)";
  PodPlan plan =
      make_pod_plan(r, {{"/argo/staging/script", "print(1)", 0555}, {"/tmp/in.txt", "x", 0444}}, PodPolicy{});
  ASSERT_EQ(plan.error, "");
  EXPECT_EQ(main_container(plan)["args"], Json::array({"/argo/staging/script"}));
  const Json& mounts = main_container(plan)["volumeMounts"];
  bool script = false, input = false;
  for (const auto& m : mounts) {
    if (m["mountPath"] == "/argo/staging/script") script = m["subPath"] == "file-0" && m["readOnly"] == true;
    if (m["mountPath"] == "/tmp/in.txt") input = m["subPath"] == "file-1";
  }
  EXPECT_TRUE(script);
  EXPECT_TRUE(input);
  EXPECT_EQ(plan.secret["data"]["file-0"], "cHJpbnQoMSk=");
}

TEST(PodManifest, OutputPathsGetSharedVolumesAndAreCollectedInOrder) {
  StepRequest r = basic_request();
  r.output_files = {{"/tmp/a.txt", "/host/a"}, {"/work/out/b.txt", "/host/b"}};
  PodPlan plan = make_pod_plan(r, {}, PodPolicy{});
  ASSERT_EQ(plan.error, "");
  EXPECT_EQ(plan.output_host_paths, (std::vector<std::string>{"/host/a", "/host/b"}));
  const Json& collector = plan.pod["spec"]["containers"][0];
  EXPECT_EQ(collector["name"], "rampart-outputs");
  Json args = collector["args"];
  EXPECT_EQ(args[args.size() - 2], "/tmp/a.txt");
  EXPECT_EQ(args[args.size() - 1], "/work/out/b.txt");
  bool work_volume = false;
  for (const auto& m : collector["volumeMounts"]) work_volume |= m["mountPath"] == "/work/out" && m["readOnly"] == true;
  EXPECT_TRUE(work_volume);
}

TEST(PodManifest, OutputDirectlyUnderRootIsRefusedWithAReason) {
  StepRequest r = basic_request();
  r.output_files = {{"/out.txt", "/host/a"}};
  PodPlan plan = make_pod_plan(r, {}, PodPolicy{});
  EXPECT_NE(plan.error.find("/tmp"), std::string::npos) << plan.error;
  EXPECT_TRUE(plan.pod.is_null());
}

TEST(PodManifest, RefusesWhatThePolicyDoesNotAllow) {
  StepRequest r = basic_request();
  r.security.privileged = true;
  EXPECT_NE(make_pod_plan(r, {}, PodPolicy{}).error.find("--allow-privileged"), std::string::npos);
  PodPolicy allow;
  allow.allow_privileged = true;
  PodPlan plan = make_pod_plan(r, {}, allow);
  ASSERT_EQ(plan.error, "");
  EXPECT_EQ(main_container(plan)["securityContext"]["privileged"], true);
  EXPECT_FALSE(main_container(plan)["securityContext"].contains("allowPrivilegeEscalation"));

  r = basic_request();
  r.security.host_network = true;
  EXPECT_NE(make_pod_plan(r, {}, PodPolicy{}).error.find("--allow-host-namespaces"), std::string::npos);
  r = basic_request();
  r.security.add_capabilities = {"NET_ADMIN"};
  EXPECT_NE(make_pod_plan(r, {}, PodPolicy{}).error.find("--allow-capability NET_ADMIN"), std::string::npos);
  allow.allowed_capabilities = {"NET_ADMIN"};
  EXPECT_EQ(main_container(make_pod_plan(r, {}, allow))["securityContext"]["capabilities"]["add"],
            Json::array({"NET_ADMIN"}));
  r = basic_request();
  r.network = true;
  EXPECT_NE(make_pod_plan(r, {}, PodPolicy{}).error.find("--allow-network"), std::string::npos);
}

TEST(PodManifest, TemplateUserAndLimitsAreKept) {
  StepRequest r = basic_request();
  r.security.run_as_user = 0;
  r.limits.cpu_cores = 0.5;
  r.limits.memory_bytes = 64ull << 20;
  PodPlan plan = make_pod_plan(r, {}, PodPolicy{});
  EXPECT_EQ(plan.pod["spec"]["securityContext"]["runAsUser"], 0);
  EXPECT_EQ(plan.pod["spec"]["securityContext"]["runAsNonRoot"], false);
  EXPECT_EQ(main_container(plan)["resources"]["limits"]["cpu"], "500m");
  EXPECT_EQ(main_container(plan)["resources"]["limits"]["memory"], "64Mi");
  EXPECT_EQ(main_container(plan)["resources"]["requests"]["cpu"], "100m");
  // The collector never runs as root.
  EXPECT_EQ(plan.pod["spec"]["containers"][0]["securityContext"]["runAsUser"], 65534);
}

TEST(PodManifest, NamesBecomeValidKubernetesNames) {
  StepRequest r = basic_request();
  r.pod_name = "My_Workflow[0].step(1:b)";
  r.workflow_name = std::string(100, 'w');
  PodPlan plan = make_pod_plan(r, {}, PodPolicy{});
  std::string name = plan.pod["metadata"]["name"];
  EXPECT_EQ(name, "my-workflow-0-step-1-b");
  std::string label = plan.pod["metadata"]["labels"]["workflows.argoproj.io/workflow"];
  EXPECT_LE(label.size(), 63u);
}

TEST(PodManifest, PullCredentialsGoToTheirOwnSecret) {
  StepRequest r = basic_request();
  r.registry_auth = R"({"auths":{"r.example":{"auth":"dTpw"}}})";
  PodPlan plan = make_pod_plan(r, {}, PodPolicy{});
  ASSERT_FALSE(plan.pull_secret.is_null());
  EXPECT_EQ(plan.pull_secret["type"], "kubernetes.io/dockerconfigjson");
  EXPECT_EQ(plan.pod["spec"]["imagePullSecrets"][0]["name"], plan.pull_secret["metadata"]["name"]);
  EXPECT_EQ(plan.pod.dump().find("dTpw"), std::string::npos);
}

}  // namespace
}  // namespace rampart::exec::kube
