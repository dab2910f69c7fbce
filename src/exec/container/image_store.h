// Images pulled from OCI registries and kept content-addressed on disk: the registry's blobs in
// one OCI image layout (shared by every image, so a layer is stored once), and each image's
// unpacked root filesystem under the digest of its manifest. Pulling and unpacking are done by
// skopeo and umoci (Debian's packages); this class decides when to pull, checks every blob
// against its digest, and reads the image configuration.
#pragma once

#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

namespace rampart::exec {

// The parts of an image's configuration a runtime needs (Docker's ENTRYPOINT, CMD, ENV, ...).
struct ImageConfig {
  std::vector<std::string> entrypoint;
  std::vector<std::string> cmd;
  std::vector<std::pair<std::string, std::string>> env;
  std::string working_dir;
  std::string user;
};

struct PulledImage {
  std::string reference;  // as pulled, after any mirror: "127.0.0.1:5000/library/alpine:3.7"
  std::string digest;     // of the manifest: "sha256:..."
  std::string rootfs;     // unpacked, read-only by convention: containers see it through an overlay
  ImageConfig config;
};

struct RegistryOptions {
  std::map<std::string, std::string> mirrors;  // registry -> mirror ("docker.io" -> "127.0.0.1:5000")
  std::set<std::string> insecure;              // registries spoken to over HTTP (loopback always is)
};

class ImageError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

class ImageStore {
 public:
  // `cache_dir` holds the layout ("oci/") and root filesystems ("rootfs/<hex>/").
  ImageStore(std::string cache_dir, RegistryOptions options);

  // Blocking and thread-safe (pulls are serialized, also across processes sharing the cache).
  // `policy`: Always, IfNotPresent, Never, or empty for Kubernetes' default (Always for
  // ":latest" and untagged, IfNotPresent otherwise). "Always" contacts the registry once per
  // ImageStore, i.e. once per run or server lifetime, and reuses every blob already stored.
  // `auth_json`: a Docker config.json with credentials, or empty. Throws ImageError.
  PulledImage pull(const std::string& image, const std::string& policy, const std::string& auth_json);

  const std::string& cache_dir() const { return cache_dir_; }

 private:
  PulledImage load_cached(const std::string& layout_tag, const std::string& reference);

  std::string cache_dir_;
  RegistryOptions options_;
  std::mutex mutex_;
  std::map<std::string, PulledImage> pulled_;  // by the reference as written, this instance only
};

}  // namespace rampart::exec
