#include "engine/step_dir_pool.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <climits>
#include <cstring>
#include <utility>

#include "common/unique_fd.h"

namespace rampart::engine {
namespace {

// Calls `visit(name)` for each entry of the open directory `dir_fd` but "." and ".."; stops early
// (returning false) when `visit` does, or past `limit` entries. getdents64 on the descriptor the
// walk already holds, into a buffer on the stack: no second open, and no opendir buffer.
template <class Visit>
bool for_each_entry(int dir_fd, size_t limit, Visit visit) {
  alignas(8) char buffer[4096];
  size_t seen = 0;
  for (;;) {
    ssize_t n = ::getdents64(dir_fd, buffer, sizeof buffer);
    if (n < 0) return false;
    if (n == 0) return true;
    for (ssize_t offset = 0; offset < n;) {
      const auto* entry = reinterpret_cast<const struct dirent64*>(buffer + offset);
      offset += entry->d_reclen;
      const char* name = entry->d_name;
      if (std::strcmp(name, ".") == 0 || std::strcmp(name, "..") == 0) continue;
      if (++seen > limit || !visit(name)) return false;
    }
  }
}

}  // namespace

StepDirPool::StepDirPool(std::shared_ptr<const ConfinedDir> run_dir, std::vector<KnownLink> known_links)
    : StepDirPool(std::move(run_dir), std::move(known_links), nullptr, "") {}

StepDirPool::StepDirPool(std::shared_ptr<const ConfinedDir> run_dir, std::vector<KnownLink> known_links,
                         std::shared_ptr<SpareShelf> shelf, std::string ns)
    : run_(std::move(run_dir)),
      known_links_(std::move(known_links)),
      shelf_(std::move(shelf)),
      ns_(std::move(ns)),
      uid_(::geteuid()) {}

void StepDirPool::retire() {
  if (!shelf_) return;
  for (const auto& spare : spares_) {
    if (!shelf_->put(ns_, run_->fd(), spare)) break;
  }
  spares_.clear();  // what did not fit is removed with the run directory
}

std::optional<ConfinedDir> StepDirPool::take(const std::string& node_id, std::string* error) {
  if (!run_->remove(node_id, error)) return std::nullopt;
  bool reused = false;
  while (!reused && !spares_.empty()) {
    std::string spare = std::move(spares_.back());
    spares_.pop_back();
    reused = rename_no_replace(run_->fd(), spare, run_->fd(), node_id);
    std::string ignored;
    if (!reused) run_->remove(spare, &ignored);
  }
  if (!reused && shelf_) shelf_->take(ns_, run_->fd(), node_id);
  return run_->subdir(node_id, Create::Yes, error);
}

void StepDirPool::give_back(const std::string& node_id) {
  std::string ignored;
  if (spares_.size() < kMaxSpares) {
    UniqueFd dir(::openat(run_->fd(), node_id.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
    Walk walk;
    if (dir && is_pristine(dir.get(), walk) && remove_links(dir.get(), walk.links)) {
      std::string spare = ".spare-" + std::to_string(next_spare_++);
      if (rename_no_replace(run_->fd(), node_id, run_->fd(), spare)) {
        spares_.push_back(std::move(spare));
        return;
      }
    }
  }
  run_->remove(node_id, &ignored);
}

bool StepDirPool::is_pristine(int dir_fd, Walk& walk) const {
  struct stat st {};
  return ::fstat(dir_fd, &st) == 0 && is_plain_dir(st) && holds_only_empty_dirs(dir_fd, "", kMaxDepth, walk);
}

// A directory of the engine's user that it can use and no one else can write to: what the
// engine, bwrap (mount points) and the step itself make by default.
bool StepDirPool::is_plain_dir(const struct stat& st) const {
  return S_ISDIR(st.st_mode) && st.st_uid == uid_ && (st.st_mode & 0700) == 0700 && (st.st_mode & 07022) == 0;
}

bool StepDirPool::holds_only_empty_dirs(int dir_fd, const std::string& prefix, int depth, Walk& walk) const {
  return for_each_entry(dir_fd, walk.budget, [&](const char* name) {
    struct stat child {};
    if (walk.budget == 0 || depth == 0) return false;
    --walk.budget;
    if (::fstatat(dir_fd, name, &child, AT_SYMLINK_NOFOLLOW) != 0) return false;
    std::string path = prefix + name;
    if (S_ISLNK(child.st_mode) && child.st_uid == uid_ && is_known_link(dir_fd, name, path)) {
      walk.links.push_back(std::move(path));
      return true;
    }
    if (!is_plain_dir(child)) return false;
    UniqueFd child_fd(::openat(dir_fd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
    return child_fd && holds_only_empty_dirs(child_fd.get(), path + "/", depth - 1, walk);
  });
}

bool StepDirPool::is_known_link(int dir_fd, const char* name, const std::string& path) const {
  for (const auto& link : known_links_) {
    if (link.path != path) continue;
    char target[PATH_MAX];
    ssize_t n = ::readlinkat(dir_fd, name, target, sizeof target);
    return n >= 0 && static_cast<size_t>(n) == link.target.size() && link.target.compare(0, n, target, n) == 0;
  }
  return false;
}

// Each directory on the way is opened without following links, so a link swapped in for one
// of them after the walk cannot send the unlink elsewhere.
bool StepDirPool::remove_links(int dir_fd, const std::vector<std::string>& links) {
  for (const auto& link : links) {
    UniqueFd parent(::fcntl(dir_fd, F_DUPFD_CLOEXEC, 0));
    size_t begin = 0;
    for (size_t slash; parent && (slash = link.find('/', begin)) != std::string::npos; begin = slash + 1) {
      std::string part = link.substr(begin, slash - begin);
      parent = UniqueFd(::openat(parent.get(), part.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
    }
    if (!parent || ::unlinkat(parent.get(), link.c_str() + begin, 0) != 0) return false;
  }
  return true;
}

}  // namespace rampart::engine
