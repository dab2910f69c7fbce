// The image catalog: which local runtime stands in for each container image. rampart runs steps
// as host processes, so an image reference is only a name; the catalog says which entrypoint,
// CMD, PATH and environment that name means. An image the catalog does not list is an error,
// never a silent fallback to the host: see docs/executor.md for the file format.
#pragma once

#include <optional>
#include <stdexcept>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "exec/image_reference.h"

namespace rampart::exec {

// A directory on the step's PATH. Host directories keep their path inside the sandbox; tool
// directories shipped with rampart (share/rampart/bin, ...) are bound read-only under /rampart.
struct PathDir {
  std::string container_dir;  // as it appears in the step's PATH
  std::string host_dir;       // where it is on the host (bound at container_dir when different)
};

struct ImageRuntime {
  std::string image;                                     // normalized reference, "busybox:latest"
  std::vector<std::string> entrypoint;                   // Docker ENTRYPOINT
  std::vector<std::string> cmd;                          // Docker CMD
  std::vector<PathDir> path;                             // PATH, in order
  std::vector<std::pair<std::string, std::string>> env;  // image ENV, before the step's own
  std::string workdir = "/";                             // Docker WORKDIR: the cwd when the step sets none

  // "/rampart/bin:/usr/local/bin:/usr/bin:/bin"; `host` gives host paths (sandbox "none").
  std::string path_variable(bool host) const;
};

// Either a runtime or a message for people saying what to do.
struct ImageResolution {
  std::optional<ImageRuntime> runtime;
  std::string error;
};

class CatalogError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

class ImageCatalog {
 public:
  // Reads and validates a catalog file; throws CatalogError naming the file and line.
  static ImageCatalog load(const std::string& path);
  // The same, shared: a file read before and not changed since (same inode, size and mtime) is
  // not read again. A server makes an executor per workflow. Thread-safe.
  static std::shared_ptr<const ImageCatalog> load_shared(const std::string& path);
  // Same, from text; relative tool directories resolve against `base_dir`.
  static ImageCatalog parse(const std::string& yaml_text, const std::string& source_name, const std::string& base_dir);

  // The first entry whose pattern matches the normalized reference.
  ImageResolution resolve(const std::string& image) const;

  const std::string& source() const { return source_; }

  // Where tool directories (relative `path` entries) appear inside the sandbox.
  static constexpr const char* kToolsMountPoint = "/rampart";

 private:
  struct Entry {
    std::vector<ImageReference> patterns;  // tag "*" or a glob; repository matched exactly
    ImageRuntime runtime;
  };
  std::string source_;
  std::vector<Entry> entries_;
};

}  // namespace rampart::exec
