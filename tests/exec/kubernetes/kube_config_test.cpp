// kubeconfig and in-cluster credentials: what is read, and clear errors that never quote a secret.
#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>

#include "exec/kubernetes/kube_config.h"

namespace rampart::exec::kube {
namespace {

namespace fs = std::filesystem;

const char* kConfig = R"(apiVersion: v1
kind: Config
current-context: dev
contexts:
- name: dev
  context: {cluster: c1, user: u1, namespace: work}
- name: certs
  context: {cluster: c2, user: u2}
clusters:
- name: c1
  cluster: {server: "https://10.0.0.1:6443/", certificate-authority-data: Q0EtUEVN}
- name: c2
  cluster: {server: "https://k8s.example:443", certificate-authority: ca.pem}
- name: open
  cluster: {server: "https://x:1", insecure-skip-tls-verify: true}
users:
- name: u1
  user: {token: tok-SECRET-value}
- name: u2
  user: {client-certificate-data: Q0VSVA==, client-key: key.pem}
)";

TEST(KubeConfig, ReadsTheCurrentContext) {
  auto r = parse_kubeconfig(kConfig, "/nowhere", "");
  ASSERT_TRUE(r.credentials) << r.error;
  EXPECT_EQ(r.credentials->server, "https://10.0.0.1:6443");
  EXPECT_EQ(r.credentials->namespace_name, "work");
  EXPECT_EQ(r.credentials->ca_pem, "CA-PEM");
  EXPECT_EQ(r.credentials->token, "tok-SECRET-value");
}

TEST(KubeConfig, ReadsFilesRelativeToTheKubeconfig) {
  fs::path dir = fs::temp_directory_path() / ("rampart-kubeconfig-" + std::to_string(::getpid()));
  fs::create_directories(dir);
  std::ofstream(dir / "ca.pem") << "CA FILE";
  std::ofstream(dir / "key.pem") << "KEY FILE";
  std::ofstream(dir / "config") << kConfig;
  auto r = load_kubeconfig((dir / "config").string(), "certs");
  ASSERT_TRUE(r.credentials) << r.error;
  EXPECT_EQ(r.credentials->ca_pem, "CA FILE");
  EXPECT_EQ(r.credentials->client_cert_pem, "CERT");
  EXPECT_EQ(r.credentials->client_key_pem, "KEY FILE");
  EXPECT_EQ(r.credentials->namespace_name, "default");
  fs::remove(dir / "key.pem");
  r = load_kubeconfig((dir / "config").string(), "certs");
  EXPECT_NE(r.error.find("cannot read client-key file"), std::string::npos) << r.error;
  fs::remove_all(dir);
}

TEST(KubeConfig, BadInputGivesClearErrors) {
  EXPECT_NE(parse_kubeconfig("a: [unclosed", ".", "").error.find("not valid YAML (line 1"), std::string::npos);
  EXPECT_NE(parse_kubeconfig("- a list", ".", "").error.find("not a kubeconfig"), std::string::npos);
  EXPECT_NE(parse_kubeconfig("clusters: []", ".", "").error.find("no current-context"), std::string::npos);
  EXPECT_NE(parse_kubeconfig(kConfig, ".", "nope").error.find("context \"nope\" is not defined"), std::string::npos);
  auto r =
      parse_kubeconfig(std::string(kConfig).replace(std::string(kConfig).find("user: u1"), 8, "user: zz"), ".", "");
  EXPECT_NE(r.error.find("user \"zz\", which is not defined"), std::string::npos) << r.error;
  r = parse_kubeconfig(
      std::string(kConfig).replace(std::string(kConfig).find("https://10.0.0.1:6443/"), 22, "http://10.0.0.1"), ".",
      "");
  EXPECT_NE(r.error.find("must be an https:// URL"), std::string::npos) << r.error;
  r = parse_kubeconfig(std::string(kConfig).replace(std::string(kConfig).find("Q0EtUEVN"), 8, "not*b64!"), ".", "");
  EXPECT_NE(r.error.find("certificate-authority-data is not valid base64"), std::string::npos) << r.error;
  EXPECT_EQ(r.error.find("tok-SECRET"), std::string::npos);
}

TEST(KubeConfig, InsecureSkipVerifyIsRefusedUnlessAllowed) {
  std::string config = kConfig;  // a context "lax" using the cluster that skips verification
  config.insert(config.find("clusters:"), "- name: lax\n  context: {cluster: open, user: u1}\n");
  auto r = parse_kubeconfig(config, ".", "lax");
  EXPECT_NE(r.error.find("insecure-skip-tls-verify"), std::string::npos) << r.error;
  EXPECT_EQ(r.error.find("tok-SECRET"), std::string::npos);
  r = parse_kubeconfig(config, ".", "lax", true);
  ASSERT_TRUE(r.credentials) << r.error;
  EXPECT_TRUE(r.credentials->insecure_skip_tls_verify);
}

TEST(KubeConfig, InCluster) {
  fs::path dir = fs::temp_directory_path() / ("rampart-sa-" + std::to_string(::getpid()));
  fs::create_directories(dir);
  std::ofstream(dir / "token") << "sa-token\n";
  std::ofstream(dir / "ca.crt") << "CA";
  std::ofstream(dir / "namespace") << "jobs\n";
  ::setenv("KUBERNETES_SERVICE_HOST", "10.96.0.1", 1);
  ::setenv("KUBERNETES_SERVICE_PORT", "443", 1);
  auto r = load_in_cluster(dir.string());
  ASSERT_TRUE(r.credentials) << r.error;
  EXPECT_EQ(r.credentials->server, "https://10.96.0.1:443");
  EXPECT_EQ(r.credentials->token, "sa-token");
  EXPECT_EQ(r.credentials->namespace_name, "jobs");
  ::unsetenv("KUBERNETES_SERVICE_HOST");
  EXPECT_NE(load_in_cluster(dir.string()).error.find("KUBERNETES_SERVICE_HOST"), std::string::npos);
  fs::remove_all(dir);
}

}  // namespace
}  // namespace rampart::exec::kube
