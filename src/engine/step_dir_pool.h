// The directories of one workflow run's steps (<state>/run/<ns>/<workflow>/<node id>), kept for
// reuse. A step that leaves its directory as it found it (its `tmp`, `work` and the like empty)
// hands it back as a spare, and the next step gets it by a rename. Creating and removing three
// directories per step is most of what a short step costs ext4 (each new inode is checked
// against recently deleted ones), and a rename allocates nothing.
//
// A directory is reused only when it holds nothing but (nested) empty directories, each of the
// engine's user and writable by no one else: the step's tmp and work, and under a sandbox the
// root's mount points. The one exception is the links the executor itself makes in every step
// directory (bwrap's /bin -> usr/bin in the step's root): a link at exactly such a path with
// exactly its target is removed, and the directory reused. Anything else (a file, another link,
// a device, another owner, a directory others may write to, a tree too deep or too large) makes
// it go, as before. Removing a directory is what costs: ext4 frees its block, and on a disk
// mounted with `discard` the rmdir waits for the device. Spares live in the run directory as
// ".spare-<n>" (node ids never start with a dot) and go with it when the workflow ends.
//
// Not thread-safe: the workflow run's loop thread only.
#pragma once

#include <sys/stat.h>
#include <sys/types.h>

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "common/confined_dir.h"
#include "engine/spare_shelf.h"
#include "exec/executor.h"

namespace rampart::engine {

class StepDirPool {
 public:
  // A link the executor makes in every step directory: its path relative to the step
  // directory ("rootfs/bin") and its target ("usr/bin").
  using KnownLink = exec::Executor::StepDirLink;

  explicit StepDirPool(std::shared_ptr<const ConfinedDir> run_dir, std::vector<KnownLink> known_links = {});
  // With a shelf: take() falls back to a spare of namespace `ns` from it, and retire() puts this
  // run's spares on it.
  StepDirPool(std::shared_ptr<const ConfinedDir> run_dir, std::vector<KnownLink> known_links,
              std::shared_ptr<SpareShelf> shelf, std::string ns);

  // The directory of step `node_id`, empty but for empty directories: a spare renamed to
  // `node_id`, or a new directory. What was at `node_id` before (a previous attempt's leftovers
  // after a crash) is removed first. nullopt and `*error` on failure.
  std::optional<ConfinedDir> take(const std::string& node_id, std::string* error);

  // Step `node_id` has ended and nothing more will be read from its directory: it becomes a
  // spare when it holds only empty directories as described above, else it is removed. Errors
  // are ignored (what cannot be removed goes with the run directory).
  void give_back(const std::string& node_id);

  // The run is ending: its spares go on the shelf (those that do not fit go with the run
  // directory).
  void retire();

  // Spares kept at most; more are removed (their number follows the steps running at once).
  static constexpr size_t kMaxSpares = 256;
  // Entries, and levels of them, a reusable directory may hold.
  static constexpr size_t kMaxEntries = 64;
  static constexpr int kMaxDepth = 4;

 private:
  // What the walk of a given-back directory found: the known links to remove before reuse.
  struct Walk {
    size_t budget = kMaxEntries;
    std::vector<std::string> links;  // relative to the step directory
  };

  bool is_pristine(int dir_fd, Walk& walk) const;
  bool is_plain_dir(const struct stat& st) const;
  bool holds_only_empty_dirs(int dir_fd, const std::string& prefix, int depth, Walk& walk) const;
  bool is_known_link(int dir_fd, const char* name, const std::string& path) const;
  static bool remove_links(int dir_fd, const std::vector<std::string>& links);

  std::shared_ptr<const ConfinedDir> run_;
  std::vector<KnownLink> known_links_;
  std::shared_ptr<SpareShelf> shelf_;
  std::string ns_;
  uid_t uid_;
  std::vector<std::string> spares_;
  uint64_t next_spare_ = 0;
};

}  // namespace rampart::engine
