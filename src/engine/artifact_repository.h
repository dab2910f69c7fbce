// The local artifact repository: a directory standing in for Argo's default artifact
// repository (S3 and friends). Output artifacts are saved under a key, as a tar+gzip archive
// (Argo's default) or as they are (archive: none); input artifacts are loaded back from a key.
// Key-only artifacts (`s3: {key: ...}`) resolve here, as they would against Argo's default
// repository.
#pragma once

#include <filesystem>
#include <string>

namespace rampart::engine {

class ArtifactRepository {
 public:
  explicit ArtifactRepository(std::filesystem::path root) : root_(std::move(root)) {}

  // Saves `source` (a file or a directory) under `key`. Returns "" or an error for people.
  std::string save(const std::filesystem::path& source, const std::string& key, bool archive,
                   int compression_level = -1) const;

  // Writes the artifact at `key` to `destination` (which must not exist): a tarball is
  // extracted (its single top-level entry becomes `destination`), anything else is copied.
  // `sub_path` selects a path inside the artifact. Returns "" or an error.
  std::string load(const std::string& key, const std::filesystem::path& destination,
                   const std::string& sub_path) const;

  // Stores literal content (raw artifacts, logs) under `key`.
  std::string put(const std::string& key, const std::string& content) const;

  bool exists(const std::string& key) const;
  void remove(const std::string& key) const;
  std::filesystem::path path_of(const std::string& key) const;

 private:
  std::filesystem::path root_;
};

// Keys come from workflows: only relative paths without "..", so none escapes the repository.
bool is_safe_key(const std::string& key);

}  // namespace rampart::engine
