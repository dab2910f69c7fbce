// Spare step directories handed from one workflow run to the next in the same namespace. A
// server runs many short workflows; each made a step directory (and, sandboxed, a root of a
// dozen mount points) and removed it when it ended. On ext4 every new inode is checked against
// the recently deleted ones, so that churn was a tenth of a busy server's CPU. A run's pristine
// spares (see StepDirPool) go on the shelf when it ends and the next run of the namespace takes
// them. Only within a namespace: what a spare can still tell (the names of empty directories a
// step made) is no more than its namespace's users can read through the API anyway.
//
// Thread-safe: the runs of a server share one shelf.
#pragma once

#include <map>
#include <memory>
#include <mutex>
#include <cstdint>
#include <string>
#include <vector>

#include "common/confined_dir.h"

namespace rampart::engine {

class SpareShelf {
 public:
  // Opens (creating it) the directory `path`, removing whatever an earlier process left there.
  // nullptr and `*error` on failure.
  static std::shared_ptr<SpareShelf> open(const std::string& path, std::string* error);

  // Moves directory `name` of `from_fd` onto namespace `ns`'s shelf. False, with nothing moved,
  // when the shelf is full or the rename fails (another file system, say).
  bool put(const std::string& ns, int from_fd, const std::string& name);
  // Moves one of `ns`'s spares to `name` in `to_fd` (which must not exist). False when there is
  // none.
  bool take(const std::string& ns, int to_fd, const std::string& name);

  // Spares kept at most, over all namespaces.
  static constexpr size_t kMaxSpares = 64;

 private:
  explicit SpareShelf(ConfinedDir dir) : dir_(std::move(dir)) {}

  ConfinedDir dir_;
  std::mutex mutex_;
  std::map<std::string, std::vector<std::string>> spares_;  // namespace -> names on the shelf
  size_t count_ = 0;
  uint64_t next_ = 0;
};

}  // namespace rampart::engine
