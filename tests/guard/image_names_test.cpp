// Images by meaning: normalised references, and miners' names however they are respelled.
#include <gtest/gtest.h>

#include "guard/admission.h"
#include "guard/image_names.h"
#include "guard/signatures.h"

namespace rampart::guard {
namespace {

TEST(ImageNamesTest, ReferencesAreNormalised) {
  ImageName a = parse_image_name("BusyBox");
  EXPECT_EQ(a.to_string(), "docker.io/library/busybox:latest");
  ImageName b = parse_image_name("index.docker.io/Org/Tool:1.2@sha256:ABC");
  EXPECT_EQ(b.registry, "docker.io");
  EXPECT_EQ(b.repository, "org/tool");
  EXPECT_EQ(b.tag, "1.2");
  EXPECT_EQ(b.digest, "sha256:abc");
  ImageName c = parse_image_name("localhost:5000/team/app");
  EXPECT_EQ(c.registry, "localhost:5000");
  EXPECT_EQ(c.repository, "team/app");
  EXPECT_EQ(c.tag, "latest");
  EXPECT_EQ(parse_image_name("ghcr.io/a/b:v1").to_string(), "ghcr.io/a/b:v1");
  EXPECT_EQ(normalize_image("python:3.12"), "docker.io/library/python:3.12");
  EXPECT_EQ(normalize_image("Busybox@sha256:abc"), "docker.io/library/busybox@sha256:abc");
}

TEST(ImageNamesTest, EditDistanceCountsNeighbourSwapsAsOne) {
  EXPECT_EQ(edit_distance("xmrig", "xmrig", 1), 0u);
  EXPECT_EQ(edit_distance("xrmig", "xmrig", 1), 1u);
  EXPECT_EQ(edit_distance("xmig", "xmrig", 1), 1u);
  EXPECT_EQ(edit_distance("xmrigg", "xmrig", 1), 1u);
  EXPECT_EQ(edit_distance("alpine", "xmrig", 1), 2u);  // capped at limit + 1
}

TEST(ImageNamesTest, MinerLookAlikesAreKnownMiners) {
  for (const char* image :
       {"u/xmrig2", "u/xmr1g", "u/x-m-r-i-g", "u/xmrig-proxy", "XMRig/XMRig:Latest", "docker.io/u/xmr1g:latest",
        "ghcr.io/a/xrmig", "u/xmrigg", "u/mlnerd", "u/cpum1ner", "u/c-p-u-m-i-n-e-r", "u/nbm1ner", "u/k4nnix",
        "u/my-xmrig-build", "u/xm_r_ig:v6", "quay.io/x/m0ner0-miner", "u/7rex", "u/l0lminer",
        "registry.example.com:5000/team/xmr1g@sha256:0123"}) {
    std::string matched;
    EXPECT_TRUE(is_known_miner_image(image, &matched)) << image;
  }
}

TEST(ImageNamesTest, ArgoAndCommonImagesAreNotLookAlikes) {
  for (const char* image : {"mariadb",
                            "argoproj/argosay:v2",
                            "argoproj/argosay:v1",
                            "alpine:3.23",
                            "python:alpine3.23",
                            "busybox",
                            "docker/whalesay",
                            "debian",
                            "ubuntu",
                            "golang:1.21",
                            "nginx:1.25",
                            "minio/minio",
                            "redis:7",
                            "postgres:16",
                            "node:20",
                            "bitnami/kubectl",
                            "curlimages/curl",
                            "amazon/aws-cli",
                            "quay.io/argoproj/argoexec:v3.5.0",
                            "ghcr.io/org/data-miner",
                            "ghcr.io/org/data-mixer",
                            "python:3.12",
                            "openjdk:17",
                            "gcr.io/google.com/cloudsdktool/cloud-sdk",
                            "mongo",
                            "mysql:8",
                            "rust:1.75",
                            "hashicorp/terraform",
                            "grafana/grafana",
                            "prom/prometheus",
                            "jenkins/jenkins"}) {
    std::string matched;
    EXPECT_FALSE(is_known_miner_image(image, &matched)) << image << " matched " << matched;
  }
}

TEST(ImageNamesTest, AdmissionNamesTheMinerAndHowTheImageRelatesToIt) {
  PolicyRules rules;
  exec::StepRequest step;
  step.image = "someone/xmr1g:6.21";
  Admission a = admit_step(rules, step);
  ASSERT_TRUE(a.denied());
  EXPECT_NE(a.denial_message().find("image.miner"), std::string::npos);
  EXPECT_NE(a.denial_message().find("xmrig"), std::string::npos) << a.denial_message();
}

}  // namespace
}  // namespace rampart::guard
