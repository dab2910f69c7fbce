// The one way rampart turns workflow input into host paths.
//
// Volume and claim names, subPath, artifact keys, and the paths a step declares for its inputs and
// outputs all end up naming files on the host, in directories that steps themselves can write
// (their scratch directory, shared volumes). A ConfinedDir is an open directory; every path below
// it is walked one component at a time with openat(O_NOFOLLOW), from the descriptor of the
// previous component. So:
//   - an absolute path, a `..` component, or a symbolic link anywhere on the way (the last
//     component included) is refused with a message naming it;
//   - a component swapped for a link while the walk runs is refused too (there is no second
//     lookup by name that a link could redirect);
//   - nothing reached through a ConfinedDir is ever outside it.
// Sandboxes that bind a directory are given pinned_path(), which names the very directory that
// was walked to, not whatever sits at its path later.
//
// Thread safety: a ConfinedDir is immutable after construction; const methods may be called from
// several threads at once. Errors are returned as text for people (and never contain file
// contents); no method throws.
#pragma once

#include <sys/stat.h>
#include <sys/types.h>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/unique_fd.h"

namespace rampart {

enum class Create { No, Yes };

class ConfinedDir {
 public:
  // Opens `path`, a directory formed by rampart from trusted parts only (the state directory,
  // fixed names, validated object names); links in `path` itself are followed, since the operator
  // may place the state directory anywhere. With Create::Yes missing directories are made (0755).
  // Returns nullopt and sets `*error` when it is not a directory or cannot be opened.
  static std::optional<ConfinedDir> open(const std::string& path, Create create, std::string* error);

  ConfinedDir(ConfinedDir&&) = default;
  ConfinedDir& operator=(ConfinedDir&&) = default;

  // The directory at `relative` below this one ("" and "." name this one again, as a new
  // descriptor). `relative` comes from workflow input: see the file comment for what is refused.
  // With Create::Yes missing directories are made (0755). nullopt and `*error` on failure.
  std::optional<ConfinedDir> subdir(std::string_view relative, Create create, std::string* error) const;

  // Opens the file at `relative` with `flags` (O_NOFOLLOW and O_CLOEXEC are added). With O_CREAT
  // missing parent directories are made first. An invalid UniqueFd and `*error` on failure.
  UniqueFd open_file(std::string_view relative, int flags, mode_t mode, std::string* error) const;

  // Removes `relative` and everything below it, never following a link (a link is removed, not
  // its target). A missing entry is not an error. `relative` may not be empty.
  bool remove(std::string_view relative, std::string* error) const;

  // Moves the entry `name` of this directory to `to_name` in `to` (renameat). Across file systems
  // (EXDEV) the tree is copied (links as links) and the original removed.
  bool move(std::string_view name, const ConfinedDir& to, std::string_view to_name, std::string* error) const;

  // Copies the entry `name` of this directory (a file, a link as a link, or a directory tree) to
  // `to_name` in `to`, which must not exist yet. Devices, FIFOs and sockets are skipped.
  bool copy(std::string_view name, const ConfinedDir& to, std::string_view to_name, std::string* error) const;

  // Copies everything in this directory into `to` (which should be empty), as copy() does for
  // each entry.
  bool copy_contents(const ConfinedDir& to, std::string* error) const;

  // lstat of `relative` without following links; nullopt when it does not exist or a component
  // on the way is refused (`*error` set only in the second case).
  std::optional<struct stat> status(std::string_view relative, std::string* error) const;

  int fd() const { return fd_.get(); }
  // The path this directory was reached by, for messages and for tools that take path strings.
  const std::string& path() const { return path_; }
  // "/proc/<pid>/fd/<fd>": names exactly this directory for as long as this object lives.
  std::string pinned_path() const;

  // "" when `relative` is a path this class would walk (relative, no `..`, not too long, no NUL),
  // else why not. Links are only found by walking.
  static std::string check_relative(std::string_view relative);

  // Bounds on what a walk accepts from input.
  static constexpr size_t kMaxPathBytes = 4096;
  static constexpr size_t kMaxComponents = 256;
  // remove() and move()'s copy visit at most this many entries (a tree larger than that is left
  // partly in place with an error naming the bound).
  static constexpr size_t kMaxTreeEntries = 1'000'000;

 private:
  ConfinedDir(UniqueFd fd, std::string path) : fd_(std::move(fd)), path_(std::move(path)) {}

  UniqueFd fd_;
  std::string path_;
};

// The components of `relative` ("a//b/./c" -> a, b, c), or `*error` when check_relative refuses it.
std::optional<std::vector<std::string>> split_relative(std::string_view relative, std::string* error);

// renameat2(RENAME_NOREPLACE): moves `from` of directory `from_dir` to `to` of `to_dir` unless
// that name is taken (a plain rename would replace an empty directory there). False, with errno
// set, when nothing moved.
bool rename_no_replace(int from_dir, const std::string& from, int to_dir, const std::string& to);

}  // namespace rampart
