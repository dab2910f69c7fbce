#include "engine/step_dir_pool.h"

#include <dirent.h>
#include <fcntl.h>
#include <linux/fs.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cstring>
#include <utility>

#include "common/unique_fd.h"

namespace rampart::engine {
namespace {

// renameat2(RENAME_NOREPLACE): a name that is taken is left alone (a plain rename would replace
// an empty directory there).
bool rename_no_replace(int dir_fd, const std::string& from, const std::string& to) {
  return ::syscall(SYS_renameat2, dir_fd, from.c_str(), dir_fd, to.c_str(), RENAME_NOREPLACE) == 0;
}

// Calls `visit(name, d_type)` for each entry but "." and ".."; stops early (returning false) when
// `visit` does, or past `limit` entries.
template <class Visit>
bool for_each_entry(int dir_fd, size_t limit, Visit visit) {
  UniqueFd fd(::openat(dir_fd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (!fd) return false;
  DIR* dir = ::fdopendir(fd.get());
  if (dir == nullptr) return false;
  fd.release();  // closedir closes it
  size_t seen = 0;
  bool ok = true;
  while (dirent* entry = ::readdir(dir)) {
    if (std::strcmp(entry->d_name, ".") == 0 || std::strcmp(entry->d_name, "..") == 0) continue;
    if (++seen > limit || !visit(entry->d_name)) {
      ok = false;
      break;
    }
  }
  ::closedir(dir);
  return ok;
}

}  // namespace

StepDirPool::StepDirPool(std::shared_ptr<const ConfinedDir> run_dir) : run_(std::move(run_dir)) {}

std::optional<ConfinedDir> StepDirPool::take(const std::string& node_id, std::string* error) {
  if (!run_->remove(node_id, error)) return std::nullopt;
  while (!spares_.empty()) {
    std::string spare = std::move(spares_.back());
    spares_.pop_back();
    if (rename_no_replace(run_->fd(), spare, node_id)) break;
    std::string ignored;
    run_->remove(spare, &ignored);
  }
  return run_->subdir(node_id, Create::Yes, error);
}

void StepDirPool::give_back(const std::string& node_id) {
  std::string ignored;
  if (spares_.size() < kMaxSpares) {
    UniqueFd dir(::openat(run_->fd(), node_id.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
    if (dir && is_pristine(dir.get())) {
      std::string spare = ".spare-" + std::to_string(next_spare_++);
      if (rename_no_replace(run_->fd(), node_id, spare)) {
        spares_.push_back(std::move(spare));
        return;
      }
    }
  }
  run_->remove(node_id, &ignored);
}

bool StepDirPool::is_pristine(int dir_fd) const {
  struct stat st {};
  size_t budget = kMaxEntries;
  return ::fstat(dir_fd, &st) == 0 && is_plain_dir(st) && holds_only_empty_dirs(dir_fd, kMaxDepth, budget);
}

// A directory of the engine's user that it can use and no one else can write to: what the
// engine, bwrap (mount points) and the step itself make by default.
bool StepDirPool::is_plain_dir(const struct stat& st) {
  return S_ISDIR(st.st_mode) && st.st_uid == ::geteuid() && (st.st_mode & 0700) == 0700 && (st.st_mode & 07022) == 0;
}

bool StepDirPool::holds_only_empty_dirs(int dir_fd, int depth, size_t& budget) {
  return for_each_entry(dir_fd, budget, [&](const char* name) {
    struct stat child {};
    if (budget == 0 || depth == 0) return false;
    --budget;
    if (::fstatat(dir_fd, name, &child, AT_SYMLINK_NOFOLLOW) != 0 || !is_plain_dir(child)) return false;
    UniqueFd child_fd(::openat(dir_fd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
    return child_fd && holds_only_empty_dirs(child_fd.get(), depth - 1, budget);
  });
}

}  // namespace rampart::engine
