// The local artifact repository: a directory standing in for Argo's default artifact
// repository (S3 and friends). Output artifacts are saved under a key, as a tar+gzip archive
// (Argo's default) or as they are (archive: none); input artifacts are loaded back from a key.
// Key-only artifacts (`s3: {key: ...}`) resolve here, as they would against Argo's default
// repository.
//
// Keys come from workflows. Each repository object sees one namespace: a key resolves below
// <root>/<namespace>/ through ConfinedDir (no `..`, no absolute keys, no links), so a workflow
// can neither read nor overwrite another namespace's artifacts by naming their keys, nor reach
// anything outside the repository. Sources and destinations inside a step are given as a
// ConfinedDir and a relative path, for the same reason. Archives are unpacked by
// extract_archive (archive_extract.h), which refuses ZipSlip-style entries.
//
// Not thread-safe per object; objects for the same root may be used from several threads.
#pragma once

#include <filesystem>
#include <optional>
#include <string>

#include "common/confined_dir.h"
#include "engine/archive_extract.h"

namespace rampart::engine {

class ArtifactRepository {
 public:
  // `root`: <state>/artifacts. `ns` must be a DNS-1123 label; every method fails otherwise.
  ArtifactRepository(std::filesystem::path root, std::string ns, ArchiveLimits limits = {});

  // Saves the file or directory at `relative` below `base` under `key`. Links inside a directory
  // are saved as links, never followed. Returns "" or an error for people.
  std::string save(const ConfinedDir& base, const std::string& relative, const std::string& key, bool archive,
                   int compression_level = -1) const;

  // Writes the artifact at `key` to `relative` below `base` (replacing what is there): a tarball
  // is extracted (its single top-level entry becomes the destination), anything else is copied.
  // `sub_path` selects a path inside the artifact. `scratch` is a directory private to rampart on
  // the same file system, used while extracting. Returns "" or an error.
  std::string load(const std::string& key, const ConfinedDir& base, const std::string& relative,
                   const std::string& sub_path, const ConfinedDir& scratch) const;

  // Stores literal content (raw artifacts) under `key`.
  std::string put(const std::string& key, const std::string& content) const;
  // Stores a copy of the file read from `fd` under `key`.
  std::string put_file(const std::string& key, int fd) const;

  bool exists(const std::string& key) const;
  void remove(const std::string& key) const;
  // Opens the artifact at `key` for reading (a file: a tarball, or an unarchived file).
  UniqueFd open(const std::string& key, std::string* error) const;

 private:
  std::optional<ConfinedDir> namespace_root(std::string* error) const;
  std::string write_tarball(const ConfinedDir& base, const std::string& relative, int out_fd, int level) const;

  std::filesystem::path root_;
  std::string ns_;
  ArchiveLimits limits_;
};

// Keys come from workflows: only relative paths without "..", so none escapes the repository.
bool is_safe_key(const std::string& key);

}  // namespace rampart::engine
