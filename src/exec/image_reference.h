// An image reference as written in a template ("busybox", "docker.io/library/python:3.12@sha256:..")
// reduced to the two parts the image catalog matches on.
#pragma once

#include <string>

namespace rampart::exec {

struct ImageReference {
  std::string repository;  // "busybox", "argoproj/argosay", "ghcr.io/org/tool"
  std::string tag;         // "latest" when the reference names none

  std::string to_string() const { return repository + ":" + tag; }
};

// Normalizes the ways Docker Hub images are commonly spelled so that they compare equal:
// surrounding blanks are trimmed, "docker.io/", "index.docker.io/" and "library/" prefixes and a
// trailing "@sha256:..." digest are dropped, and the tag defaults to "latest".
ImageReference parse_image_reference(const std::string& image);

}  // namespace rampart::exec
