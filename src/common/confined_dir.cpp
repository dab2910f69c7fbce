#include "common/confined_dir.h"

#include <dirent.h>
#include <fcntl.h>
#include <linux/fs.h>
#include <sys/syscall.h>
#include <sys/sendfile.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>

namespace rampart {

namespace {

constexpr int kDirFlags = O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC;
// Frames of an iterative tree walk hold one descriptor each: deeper trees are refused.
constexpr size_t kMaxTreeDepth = 512;

std::string quoted(std::string_view s) { return "\"" + std::string(s) + "\""; }

std::string errno_text(int err) { return std::strerror(err); }

// Why `name` in `dir` could not be entered as a directory, for people.
std::string why_not_directory(int dir, const std::string& name, const std::string& shown, int err) {
  struct stat st {};
  if ((err == ENOTDIR || err == ELOOP) && ::fstatat(dir, name.c_str(), &st, AT_SYMLINK_NOFOLLOW) == 0) {
    if (S_ISLNK(st.st_mode)) return shown + " is a symbolic link, which rampart does not follow here";
    return shown + " is not a directory";
  }
  return shown + ": " + errno_text(err);
}

// One directory entered from `dir`, made first when asked.
UniqueFd enter(int dir, const std::string& name, Create create, const std::string& shown, std::string* error) {
  int fd = ::openat(dir, name.c_str(), kDirFlags);
  if (fd < 0 && errno == ENOENT && create == Create::Yes) {
    if (::mkdirat(dir, name.c_str(), 0755) != 0 && errno != EEXIST) {
      *error = "cannot create " + shown + ": " + errno_text(errno);
      return UniqueFd();
    }
    fd = ::openat(dir, name.c_str(), kDirFlags);
  }
  if (fd < 0) *error = errno == ENOENT ? shown + " does not exist" : why_not_directory(dir, name, shown, errno);
  return UniqueFd(fd);
}

// Opens a directory (not a link) for reading its entries; null on failure.
DIR* open_listing(int parent, const char* name) {
  int fd = ::openat(parent, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
  if (fd < 0) return nullptr;
  DIR* d = ::fdopendir(fd);
  if (!d) ::close(fd);
  return d;
}

// The next entry other than . and .., or null.
dirent* next_entry(DIR* d) {
  while (dirent* e = ::readdir(d)) {
    if (std::strcmp(e->d_name, ".") != 0 && std::strcmp(e->d_name, "..") != 0) return e;
  }
  return nullptr;
}

// Removes the directory `name` of `parent` and its contents, iteratively (no recursion an
// attacker's tree could drive), without following links.
bool remove_tree(int parent, const std::string& name, const std::string& shown, std::string* error) {
  struct Frame {
    DIR* dir;
    std::string name;
  };
  std::vector<Frame> stack;
  DIR* root = open_listing(parent, name.c_str());
  if (!root) {
    *error = "cannot remove " + shown + ": " + errno_text(errno);
    return false;
  }
  stack.push_back({root, name});
  size_t visited = 0;
  bool ok = true;
  while (!stack.empty()) {
    Frame& top = stack.back();
    dirent* e = ok ? next_entry(top.dir) : nullptr;
    if (e) {
      struct stat st {};
      int dfd = ::dirfd(top.dir);
      if (++visited > ConfinedDir::kMaxTreeEntries) {
        *error = "cannot remove " + shown + ": more than " + std::to_string(ConfinedDir::kMaxTreeEntries) + " entries";
        ok = false;
      } else if (::fstatat(dfd, e->d_name, &st, AT_SYMLINK_NOFOLLOW) == 0 && S_ISDIR(st.st_mode)) {
        DIR* child = stack.size() < kMaxTreeDepth ? open_listing(dfd, e->d_name) : nullptr;
        if (!child) {
          *error = "cannot remove " + shown + ": a directory below it is too deep or unreadable";
          ok = false;
        } else {
          stack.push_back({child, e->d_name});
        }
      } else {
        ::unlinkat(dfd, e->d_name, 0);
      }
      continue;
    }
    std::string done = top.name;
    ::closedir(top.dir);
    stack.pop_back();
    int above = stack.empty() ? parent : ::dirfd(stack.back().dir);
    if (ok && ::unlinkat(above, done.c_str(), AT_REMOVEDIR) != 0 && errno != ENOENT) {
      *error = "cannot remove " + shown + ": " + errno_text(errno);
      ok = false;
    }
  }
  return ok;
}

bool copy_file(int from_dir, const char* name, int to_dir, const char* to_name, const struct stat& st,
               std::string* error) {
  UniqueFd in(::openat(from_dir, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC));
  UniqueFd out(::openat(to_dir, to_name, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, st.st_mode & 0777));
  if (!in || !out) {
    *error = std::string("cannot copy ") + name + ": " + errno_text(errno);
    return false;
  }
  off_t remaining = st.st_size;
  while (remaining > 0) {
    ssize_t n = ::sendfile(out.get(), in.get(), nullptr, static_cast<size_t>(remaining));
    if (n <= 0) {
      if (n < 0 && errno == EINTR) continue;
      break;  // the file shrank while copied: keep what was read
    }
    remaining -= n;
  }
  return true;
}

// Copies one entry (file, link or directory header) `name` of `from` to `to_name` in `to`; a
// directory is created and returned open for listing so the caller can descend.
bool copy_entry(int from, const char* name, int to, const char* to_name, DIR** descend, std::string* error) {
  struct stat st {};
  *descend = nullptr;
  if (::fstatat(from, name, &st, AT_SYMLINK_NOFOLLOW) != 0) return true;  // gone meanwhile
  if (S_ISREG(st.st_mode)) return copy_file(from, name, to, to_name, st, error);
  if (S_ISLNK(st.st_mode)) {
    char target[4096];
    ssize_t n = ::readlinkat(from, name, target, sizeof target - 1);
    if (n < 0) return true;
    target[n] = '\0';
    if (::symlinkat(target, to, to_name) != 0)
      *error = std::string("cannot copy link ") + name + ": " + errno_text(errno);
    return error->empty();
  }
  if (!S_ISDIR(st.st_mode)) return true;  // devices, fifos, sockets: not copied
  if (::mkdirat(to, to_name, st.st_mode & 0777) != 0) {
    *error = std::string("cannot create ") + name + ": " + errno_text(errno);
    return false;
  }
  *descend = open_listing(from, name);
  return true;
}

// Copies the tree `name` of `from` (a file, link or directory) to `to_name` in `to`.
bool copy_tree(int from, const std::string& name, int to, const std::string& to_name, std::string* error) {
  struct Frame {
    DIR* source;
    UniqueFd target;
  };
  DIR* first = nullptr;
  if (!copy_entry(from, name.c_str(), to, to_name.c_str(), &first, error)) return false;
  if (!first) return true;
  std::vector<Frame> stack;
  stack.push_back({first, UniqueFd(::openat(to, to_name.c_str(), O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC))});
  size_t visited = 0;
  while (!stack.empty() && error->empty()) {
    Frame& top = stack.back();
    dirent* e = next_entry(top.source);
    if (!e) {
      ::closedir(top.source);
      stack.pop_back();
      continue;
    }
    if (++visited > ConfinedDir::kMaxTreeEntries || stack.size() >= kMaxTreeDepth) {
      *error = "the tree is larger or deeper than rampart copies";
      break;
    }
    DIR* child = nullptr;
    if (!copy_entry(::dirfd(top.source), e->d_name, top.target.get(), e->d_name, &child, error)) break;
    if (child) {
      UniqueFd target(::openat(top.target.get(), e->d_name, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
      stack.push_back({child, std::move(target)});
    }
  }
  for (auto& f : stack) ::closedir(f.source);
  return error->empty();
}

// ("a/b", "c") for the components a, b, c (which must not be empty).
std::pair<std::string, std::string> parent_and_leaf(std::vector<std::string> parts) {
  std::string leaf = std::move(parts.back());
  parts.pop_back();
  std::string parent;
  for (const auto& p : parts) parent += (parent.empty() ? "" : "/") + p;
  return {parent, leaf};
}

}  // namespace

std::string ConfinedDir::check_relative(std::string_view relative) {
  if (relative.size() > kMaxPathBytes) return "the path is longer than " + std::to_string(kMaxPathBytes) + " bytes";
  if (relative.find('\0') != std::string_view::npos) return "the path contains a NUL byte";
  if (!relative.empty() && relative.front() == '/')
    return "the path " + quoted(relative) + " is absolute; it must be relative";
  size_t components = 0;
  size_t start = 0;
  while (start <= relative.size()) {
    size_t end = relative.find('/', start);
    if (end == std::string_view::npos) end = relative.size();
    std::string_view part = relative.substr(start, end - start);
    if (part == "..") return "the path " + quoted(relative) + " contains \"..\"";
    if (!part.empty() && part != "." && ++components > kMaxComponents) {
      return "the path has more than " + std::to_string(kMaxComponents) + " components";
    }
    start = end + 1;
  }
  return "";
}

std::optional<std::vector<std::string>> split_relative(std::string_view relative, std::string* error) {
  if (std::string why = ConfinedDir::check_relative(relative); !why.empty()) {
    *error = why;
    return std::nullopt;
  }
  std::vector<std::string> parts;
  size_t start = 0;
  while (start <= relative.size()) {
    size_t end = relative.find('/', start);
    if (end == std::string_view::npos) end = relative.size();
    std::string_view part = relative.substr(start, end - start);
    if (!part.empty() && part != ".") parts.emplace_back(part);
    start = end + 1;
  }
  return parts;
}

std::optional<ConfinedDir> ConfinedDir::open(const std::string& path, Create create, std::string* error) {
  std::error_code ec;
  if (create == Create::Yes) std::filesystem::create_directories(path, ec);
  int fd = ::open(path.c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) {
    *error = "cannot open the directory " + path + ": " + errno_text(errno);
    return std::nullopt;
  }
  return ConfinedDir(UniqueFd(fd), path);
}

std::optional<ConfinedDir> ConfinedDir::subdir(std::string_view relative, Create create, std::string* error) const {
  auto parts = split_relative(relative, error);
  if (!parts) return std::nullopt;
  UniqueFd current(::openat(fd_.get(), ".", kDirFlags));
  if (!current) {
    *error = "cannot open " + path_ + ": " + errno_text(errno);
    return std::nullopt;
  }
  std::string reached = path_;
  for (const auto& part : *parts) {
    reached += "/" + part;
    UniqueFd next = enter(current.get(), part, create, reached, error);
    if (!next) return std::nullopt;
    current = std::move(next);
  }
  return ConfinedDir(std::move(current), reached);
}

UniqueFd ConfinedDir::open_file(std::string_view relative, int flags, mode_t mode, std::string* error) const {
  auto parts = split_relative(relative, error);
  if (!parts) return UniqueFd();
  if (parts->empty()) {
    *error = "an empty path names no file";
    return UniqueFd();
  }
  auto [parent_relative, leaf] = parent_and_leaf(std::move(*parts));
  auto parent = subdir(parent_relative, (flags & O_CREAT) ? Create::Yes : Create::No, error);
  if (!parent) return UniqueFd();
  int fd = ::openat(parent->fd(), leaf.c_str(), flags | O_NOFOLLOW | O_CLOEXEC, mode);
  if (fd < 0) {
    std::string shown = parent->path() + "/" + leaf;
    int err = errno;
    struct stat st {};
    if (err == ELOOP && ::fstatat(parent->fd(), leaf.c_str(), &st, AT_SYMLINK_NOFOLLOW) == 0 && S_ISLNK(st.st_mode)) {
      *error = shown + " is a symbolic link, which rampart does not follow here";
    } else {
      *error = err == ENOENT ? shown + " does not exist" : shown + ": " + errno_text(err);
    }
  }
  return UniqueFd(fd);
}

std::optional<struct stat> ConfinedDir::status(std::string_view relative, std::string* error) const {
  auto parts = split_relative(relative, error);
  if (!parts) return std::nullopt;
  struct stat st {};
  if (parts->empty()) {
    if (::fstat(fd_.get(), &st) != 0) return std::nullopt;
    return st;
  }
  auto [parent_relative, leaf] = parent_and_leaf(std::move(*parts));
  std::string ignored;
  auto parent = subdir(parent_relative, Create::No, &ignored);
  if (!parent) {
    if (ignored.find("symbolic link") != std::string::npos || ignored.find("not a directory") != std::string::npos)
      *error = ignored;
    return std::nullopt;
  }
  if (::fstatat(parent->fd(), leaf.c_str(), &st, AT_SYMLINK_NOFOLLOW) != 0) return std::nullopt;
  return st;
}

bool ConfinedDir::remove(std::string_view relative, std::string* error) const {
  auto parts = split_relative(relative, error);
  if (!parts) return false;
  if (parts->empty()) {
    *error = "refusing to remove a directory through itself";
    return false;
  }
  auto [parent_relative, leaf] = parent_and_leaf(std::move(*parts));
  std::string missing;
  auto parent = subdir(parent_relative, Create::No, &missing);
  if (!parent) return true;  // nothing there to remove (or not reachable without a link)
  struct stat st {};
  if (::fstatat(parent->fd(), leaf.c_str(), &st, AT_SYMLINK_NOFOLLOW) != 0) return true;
  if (!S_ISDIR(st.st_mode)) {
    if (::unlinkat(parent->fd(), leaf.c_str(), 0) == 0 || errno == ENOENT) return true;
    *error = "cannot remove " + parent->path() + "/" + leaf + ": " + errno_text(errno);
    return false;
  }
  return remove_tree(parent->fd(), leaf, parent->path() + "/" + leaf, error);
}

bool ConfinedDir::move(std::string_view name, const ConfinedDir& to, std::string_view to_name,
                       std::string* error) const {
  for (std::string_view n : {name, to_name}) {
    if (n.empty() || n == "." || n == ".." || n.find('/') != std::string_view::npos ||
        n.find('\0') != std::string_view::npos) {
      *error = "cannot move " + quoted(n) + ": not a single name";
      return false;
    }
  }
  std::string from(name), target(to_name);
  if (::renameat(fd_.get(), from.c_str(), to.fd(), target.c_str()) == 0) return true;
  if (errno != EXDEV) {
    *error = "cannot move " + path_ + "/" + from + " to " + to.path() + "/" + target + ": " + errno_text(errno);
    return false;
  }
  // Different file systems: copy, then remove the original.
  return copy(from, to, target, error) && remove(from, error);
}

bool ConfinedDir::copy(std::string_view name, const ConfinedDir& to, std::string_view to_name,
                       std::string* error) const {
  for (std::string_view n : {name, to_name}) {
    if (n.empty() || n == "." || n == ".." || n.find('/') != std::string_view::npos ||
        n.find('\0') != std::string_view::npos) {
      *error = "cannot copy " + quoted(n) + ": not a single name";
      return false;
    }
  }
  // Listing needs descriptors opened for reading; this object's are O_PATH.
  UniqueFd readable(::openat(fd_.get(), ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  UniqueFd writable(::openat(to.fd(), ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (!readable || !writable) {
    *error = "cannot copy " + path_ + "/" + std::string(name) + ": " + errno_text(errno);
    return false;
  }
  return copy_tree(readable.get(), std::string(name), writable.get(), std::string(to_name), error);
}

bool ConfinedDir::copy_contents(const ConfinedDir& to, std::string* error) const {
  DIR* listing = open_listing(fd_.get(), ".");
  if (!listing) {
    *error = "cannot list " + path_ + ": " + errno_text(errno);
    return false;
  }
  std::vector<std::string> names;
  while (dirent* e = next_entry(listing)) {
    if (names.size() >= kMaxTreeEntries) break;
    names.emplace_back(e->d_name);
  }
  ::closedir(listing);
  for (const auto& name : names) {
    if (!copy(name, to, name, error)) return false;
  }
  return true;
}

std::string ConfinedDir::pinned_path() const {
  return "/proc/" + std::to_string(::getpid()) + "/fd/" + std::to_string(fd_.get());
}

bool rename_no_replace(int from_dir, const std::string& from, int to_dir, const std::string& to) {
  return ::syscall(SYS_renameat2, from_dir, from.c_str(), to_dir, to.c_str(), RENAME_NOREPLACE) == 0;
}

}  // namespace rampart
