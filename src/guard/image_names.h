// Image references normalised (registry, repository, tag, digest, lower case, Docker Hub's
// defaults) and compared with the names of known miners by meaning: the same name respelled
// with digits or separators (xmrig2, x-m-r-i-g, xmr1g), with look-alike digits (1 for i, 0 for
// o, 3 for e, 4 for a, 5 for s, 7 for t), or one letter away (xrmig, xmrg) from a miner's name
// of five letters or more.
#pragma once

#include <string>
#include <string_view>

namespace rampart::guard {

struct ImageName {
  std::string registry;    // "docker.io", "ghcr.io", "localhost:5000"
  std::string repository;  // "library/busybox", "argoproj/argosay"
  std::string tag;         // "latest" when the reference names none
  std::string digest;      // "sha256:..." or ""

  // "docker.io/library/busybox:latest", with "@digest" when pinned.
  std::string to_string() const;
};

// Any string: a reference that is not a valid one still yields its parts as best it can.
ImageName parse_image_name(std::string_view image);

// When a repository component of `image` is a known miner's name or a look-alike of one:
// true, with the miner's name and how the image's name relates to it ("spelled xmr1g").
bool looks_like_miner_image(const ImageName& image, std::string* miner, std::string* how);

// Optimal string alignment distance (insertions, deletions, substitutions, transpositions of
// neighbours), computed only up to `limit`: any larger distance is reported as limit + 1.
size_t edit_distance(std::string_view a, std::string_view b, size_t limit);

}  // namespace rampart::guard
