#include "exec/container/image_store.h"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/evp.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <sstream>

#include <nlohmann/json.hpp>

#include "exec/container/registry_reference.h"
#include "exec/helper_command.h"

namespace rampart::exec {

namespace fs = std::filesystem;
using Json = nlohmann::json;

namespace {

constexpr auto kPullTimeout = std::chrono::minutes(10);

std::string hex(const unsigned char* bytes, size_t n) {
  static const char* digits = "0123456789abcdef";
  std::string out;
  for (size_t i = 0; i < n; ++i) {
    out += digits[bytes[i] >> 4];
    out += digits[bytes[i] & 15];
  }
  return out;
}

class Sha256 {
 public:
  Sha256() : ctx_(EVP_MD_CTX_new()) { EVP_DigestInit_ex(ctx_, EVP_sha256(), nullptr); }
  ~Sha256() { EVP_MD_CTX_free(ctx_); }
  void update(const void* data, size_t n) { EVP_DigestUpdate(ctx_, data, n); }
  std::string hex_digest() {
    unsigned char out[EVP_MAX_MD_SIZE];
    unsigned int n = 0;
    EVP_DigestFinal_ex(ctx_, out, &n);
    return hex(out, n);
  }

 private:
  EVP_MD_CTX* ctx_;
};

std::string sha256_of(const std::string& text) {
  Sha256 h;
  h.update(text.data(), text.size());
  return h.hex_digest();
}

std::string sha256_of_file(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw ImageError("cannot read " + path.string());
  Sha256 h;
  char buffer[1 << 16];
  while (in) {
    in.read(buffer, sizeof buffer);
    h.update(buffer, static_cast<size_t>(in.gcount()));
  }
  return h.hex_digest();
}

std::string read_text(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

// Serializes pulls and unpacks between processes sharing the cache (a server and a CLI run).
class CacheLock {
 public:
  explicit CacheLock(const fs::path& dir) {
    fd_ = ::open((dir / "lock").c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
    if (fd_ >= 0) {
      while (::flock(fd_, LOCK_EX) != 0 && errno == EINTR) {}
    }
  }
  ~CacheLock() {
    if (fd_ >= 0) ::close(fd_);
  }

 private:
  int fd_ = -1;
};

// The digest of `tag` in the layout's index, or empty.
std::string manifest_digest(const fs::path& layout, const std::string& tag) {
  std::ifstream in(layout / "index.json");
  if (!in) return "";
  Json index = Json::parse(in, nullptr, false);
  if (!index.is_object()) return "";
  for (const auto& m : index.value("manifests", Json::array())) {
    if (m.value("annotations", Json::object()).value("org.opencontainers.image.ref.name", "") == tag) {
      return m.value("digest", "");
    }
  }
  return "";
}

fs::path blob_path(const fs::path& layout, const std::string& digest) {
  if (digest.rfind("sha256:", 0) != 0 || digest.size() != 71 ||
      digest.find_first_not_of("0123456789abcdef", 7) != std::string::npos) {
    throw ImageError("unsupported or malformed digest \"" + digest + "\"");
  }
  return layout / "blobs" / "sha256" / digest.substr(7);
}

void verify_blob(const fs::path& layout, const std::string& digest) {
  fs::path path = blob_path(layout, digest);
  if (sha256_of_file(path) != digest.substr(7)) {
    throw ImageError("blob " + digest + " does not match its digest (corrupt cache or tampered registry); remove " +
                     path.string() + " and pull again");
  }
}

std::vector<std::string> strings(const Json& v) {
  std::vector<std::string> out;
  if (v.is_array()) {
    for (const auto& s : v) {
      if (s.is_string()) out.push_back(s.get<std::string>());
    }
  }
  return out;
}

ImageConfig parse_config(const Json& blob) {
  ImageConfig config;
  const Json c = blob.value("config", Json::object());
  if (!c.is_object()) return config;
  config.entrypoint = strings(c.value("Entrypoint", Json()));
  config.cmd = strings(c.value("Cmd", Json()));
  for (const auto& e : strings(c.value("Env", Json()))) {
    size_t eq = e.find('=');
    if (eq != std::string::npos) config.env.emplace_back(e.substr(0, eq), e.substr(eq + 1));
  }
  if (c.contains("WorkingDir") && c["WorkingDir"].is_string()) config.working_dir = c["WorkingDir"];
  if (c.contains("User") && c["User"].is_string()) config.user = c["User"];
  return config;
}

// A private file holding the pull credentials for the length of one pull.
class AuthFile {
 public:
  AuthFile(const fs::path& dir, const std::string& auth_json) {
    if (auth_json.empty()) return;
    Json parsed = Json::parse(auth_json, nullptr, false);
    // Never echo the content: it is a secret.
    if (!parsed.is_object() || !parsed.contains("auths") || !parsed["auths"].is_object()) {
      throw ImageError("the image pull secret is not a Docker config.json (an object with \"auths\")");
    }
    std::string pattern = (dir / "auth-XXXXXX").string();
    int fd = ::mkstemp(pattern.data());
    if (fd < 0) throw ImageError("cannot create a private file for registry credentials");
    path_ = pattern;
    ::fchmod(fd, 0600);
    const std::string text = parsed.dump();
    bool ok = ::write(fd, text.data(), text.size()) == static_cast<ssize_t>(text.size());
    ::close(fd);
    if (!ok) throw ImageError("cannot write registry credentials to a private file");
  }
  ~AuthFile() {
    if (!path_.empty()) ::unlink(path_.c_str());
  }
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

}  // namespace

ImageStore::ImageStore(std::string cache_dir, RegistryOptions options)
    : cache_dir_(std::move(cache_dir)), options_(std::move(options)) {}

PulledImage ImageStore::pull(const std::string& image, const std::string& policy, const std::string& auth_json) {
  std::string error;
  auto ref = parse_registry_reference(image, &error);
  if (!ref) throw ImageError(error);
  std::string effective = policy;
  if (effective.empty()) effective = (ref->digest.empty() && ref->tag == "latest") ? "Always" : "IfNotPresent";
  if (effective != "Always" && effective != "IfNotPresent" && effective != "Never") {
    throw ImageError("imagePullPolicy \"" + policy + "\" must be Always, IfNotPresent or Never");
  }
  RegistryReference source = ref->mirrored(options_.mirrors);
  if (!source.digest.empty()) source.tag.clear();  // skopeo takes a tag or a digest, not both

  std::lock_guard guard(mutex_);
  const std::string key = ref->to_string();
  if (auto it = pulled_.find(key); it != pulled_.end()) return it->second;

  std::error_code ec;
  fs::create_directories(fs::path(cache_dir_) / "rootfs", ec);
  if (ec) throw ImageError("cannot create the image cache " + cache_dir_ + ": " + ec.message());
  CacheLock lock(cache_dir_);
  const fs::path layout = fs::path(cache_dir_) / "oci";
  const std::string tag = "r-" + sha256_of(key).substr(0, 40);

  bool present = !manifest_digest(layout, tag).empty();
  if (!present && effective == "Never") {
    throw ImageError("image \"" + image + "\" is not in the image cache and its imagePullPolicy is Never");
  }
  if (!present || effective == "Always") {
    AuthFile auth(cache_dir_, auth_json);
    std::vector<std::string> argv = {"skopeo", "copy", "--quiet",
                                     // Signatures are not checked (no policy is configured for
                                     // them); every blob is checked against its digest instead.
                                     "--insecure-policy", "--retry-times", "2"};
    bool plain_http = is_loopback_registry(source.registry) || options_.insecure.count(source.registry);
    argv.push_back(std::string("--src-tls-verify=") + (plain_http ? "false" : "true"));
    if (!auth.path().empty()) {
      argv.insert(argv.end(), {"--src-authfile", auth.path()});
    } else {
      // Never the host's own credentials (~/.docker/config.json): a workflow gets only what its
      // imagePullSecrets give it.
      argv.push_back("--src-no-creds");
    }
    argv.push_back("docker://" + source.to_string());
    argv.push_back("oci:" + layout.string() + ":" + tag);
    const HelperResult r = run_helper({.argv = argv,
                                       .timeout = kPullTimeout,
                                       .environment = path_only_environment({"HOME=" + cache_dir_}),
                                       .merge_stderr = true});
    if (!r.ok()) {
      const std::string why = r.timed_out ? "timed out" : r.summary();
      throw ImageError("pulling image \"" + image + "\" from " + source.registry + " failed: " + why);
    }
  }
  PulledImage pulled = load_cached(tag, source.to_string());
  pulled_[key] = pulled;
  return pulled;
}

PulledImage ImageStore::load_cached(const std::string& tag, const std::string& reference) {
  const fs::path layout = fs::path(cache_dir_) / "oci";
  PulledImage out;
  out.reference = reference;
  out.digest = manifest_digest(layout, tag);
  if (out.digest.empty()) throw ImageError("image \"" + reference + "\" is missing from the cache's index");
  Json manifest = Json::parse(read_text(blob_path(layout, out.digest)), nullptr, false);
  if (!manifest.is_object() || !manifest.contains("config"))
    throw ImageError("image \"" + reference + "\": unreadable manifest");
  std::string config_digest = manifest["config"].value("digest", "");
  fs::path rootfs = fs::path(cache_dir_) / "rootfs" / out.digest.substr(7);
  if (!fs::exists(rootfs)) {
    // First use of this manifest: check every blob before unpacking it.
    verify_blob(layout, out.digest);
    verify_blob(layout, config_digest);
    for (const auto& layer : manifest.value("layers", Json::array())) verify_blob(layout, layer.value("digest", ""));
    fs::path scratch = rootfs.string() + ".unpacking";
    std::error_code ec;
    fs::remove_all(scratch, ec);
    const HelperResult r =
        run_helper({.argv = {"umoci", "raw", "unpack", "--image", layout.string() + ":" + tag, scratch.string()},
                    .timeout = kPullTimeout,
                    .environment = path_only_environment(),
                    .merge_stderr = true});
    if (!r.ok()) {
      fs::remove_all(scratch, ec);
      throw ImageError("unpacking image \"" + reference + "\" failed: " + r.summary());
    }
    fs::rename(scratch, rootfs, ec);
    if (ec) throw ImageError("cannot move the unpacked image into the cache: " + ec.message());
  }
  Json config = Json::parse(read_text(blob_path(layout, config_digest)), nullptr, false);
  if (!config.is_object()) throw ImageError("image \"" + reference + "\": unreadable image configuration");
  out.config = parse_config(config);
  out.rootfs = rootfs.string();
  return out;
}

}  // namespace rampart::exec
