#include "engine/archive_extract.h"

#include <archive.h>
#include <archive_entry.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <memory>
#include <set>

#include "common/object_names.h"

namespace rampart::engine {

namespace {

struct ReadDeleter {
  void operator()(archive* a) const { archive_read_free(a); }
};

// libarchive's last error, which may be null.
std::string archive_text(archive* a) {
  const char* text = archive_error_string(a);
  return text ? text : "unknown error";
}

std::string entry_error(const std::string& name, const std::string& why) {
  return "entry " + shown_name(name) + " " + why;
}

// A symlink's target must stay inside the archive: relative, and never above its root once
// joined to the link's own directory.
bool link_stays_inside(const std::string& link_name, const std::string& target) {
  if (target.empty() || target.front() == '/') return false;
  std::filesystem::path joined = std::filesystem::path(link_name).parent_path() / target;
  std::filesystem::path normal = joined.lexically_normal();
  return normal.empty() || (*normal.begin() != ".." && !normal.is_absolute());
}

// Splits "a/b/c" into ("a/b", "c").
std::pair<std::string, std::string> split_leaf(const std::string& name) {
  auto slash = name.find_last_of('/');
  if (slash == std::string::npos) return {"", name};
  return {name.substr(0, slash), name.substr(slash + 1)};
}

// Writes the data of the current entry to `fd`, counting bytes against the limit.
std::string copy_data(archive* in, int fd, const std::string& name, uint64_t* total, const ArchiveLimits& limits) {
  const void* block = nullptr;
  size_t size = 0;
  la_int64_t offset = 0;
  int r;
  while ((r = archive_read_data_block(in, &block, &size, &offset)) == ARCHIVE_OK) {
    *total += size;
    if (*total > limits.max_bytes || static_cast<uint64_t>(offset) + size > limits.max_bytes) {
      return "the archive holds more than " + std::to_string(limits.max_bytes) + " bytes (--max-artifact-bytes)";
    }
    if (::pwrite(fd, block, size, offset) != static_cast<ssize_t>(size))
      return entry_error(name, "could not be written");
  }
  if (r != ARCHIVE_EOF) return entry_error(name, std::string("is damaged: ") + archive_text(in));
  return "";
}

// The entry's name without "./" in front or "/" behind ("" for the archive's root itself).
std::string entry_name(archive_entry* entry) {
  const char* raw = archive_entry_pathname(entry);
  std::string name = raw ? raw : "";
  while (name.rfind("./", 0) == 0) name.erase(0, 2);
  while (!name.empty() && name.back() == '/') name.pop_back();
  return name == "." ? "" : name;
}

// Places one entry below `into`. "" or why the archive is refused.
std::string place_entry(archive* in, archive_entry* entry, const std::string& name, const ConfinedDir& into,
                        uint64_t* total, const ArchiveLimits& limits) {
  if (name.empty()) return "";  // the archive's root itself
  if (std::string why = ConfinedDir::check_relative(name); !why.empty()) return entry_error(name, "is refused: " + why);
  mode_t type = archive_entry_filetype(entry);
  mode_t mode = archive_entry_perm(entry);
  if (mode & (S_ISUID | S_ISGID | S_ISVTX)) return entry_error(name, "has the setuid, setgid or sticky bit");
  std::string error;
  if (const char* hard = archive_entry_hardlink(entry)) {
    std::string target = hard;
    if (std::string why = ConfinedDir::check_relative(target); !why.empty() || target.empty()) {
      return entry_error(name, "is a hard link to a name outside the archive");
    }
    auto [target_dir, target_leaf] = split_leaf(target);
    auto [dir, leaf] = split_leaf(name);
    auto from = into.subdir(target_dir, Create::No, &error);
    auto to = from ? into.subdir(dir, Create::Yes, &error) : std::nullopt;
    if (!from || !to) return entry_error(name, "is a hard link that cannot be placed: " + error);
    struct stat st {};
    if (::fstatat(from->fd(), target_leaf.c_str(), &st, AT_SYMLINK_NOFOLLOW) != 0 || !S_ISREG(st.st_mode) ||
        ::linkat(from->fd(), target_leaf.c_str(), to->fd(), leaf.c_str(), 0) != 0) {
      return entry_error(name, "is a hard link to something that is not a file of the archive");
    }
    return "";
  }
  if (type == AE_IFDIR) {
    auto dir = into.subdir(name, Create::Yes, &error);
    return dir ? "" : entry_error(name, "cannot be created: " + error);
  }
  if (type == AE_IFLNK) {
    const char* raw_target = archive_entry_symlink(entry);
    std::string target = raw_target ? raw_target : "";
    if (!link_stays_inside(name, target)) return entry_error(name, "is a symbolic link pointing outside the archive");
    auto [dir, leaf] = split_leaf(name);
    auto parent = into.subdir(dir, Create::Yes, &error);
    if (!parent || ::symlinkat(target.c_str(), parent->fd(), leaf.c_str()) != 0) {
      return entry_error(name, "cannot be created" + (error.empty() ? "" : ": " + error));
    }
    return "";
  }
  if (type != AE_IFREG) return entry_error(name, "is a device, FIFO or socket, which artifacts may not hold");
  UniqueFd fd = into.open_file(name, O_WRONLY | O_CREAT | O_EXCL, mode & 0777, &error);
  if (!fd) return entry_error(name, "cannot be created: " + error);
  ::fchmod(fd.get(), mode & 0777);
  return copy_data(in, fd.get(), name, total, limits);
}

}  // namespace

ExtractResult extract_archive(int fd, const ConfinedDir& into, const ArchiveLimits& limits) {
  ExtractResult result;
  std::unique_ptr<archive, ReadDeleter> in(archive_read_new());
  archive_read_support_filter_all(in.get());
  archive_read_support_format_all(in.get());
  if (archive_read_open_fd(in.get(), fd, 1 << 16) != ARCHIVE_OK) {
    result.error = std::string("not a readable archive: ") + archive_text(in.get());
    return result;
  }
  uint64_t entries = 0, total = 0;
  std::set<std::string> tops;
  archive_entry* entry = nullptr;
  while (result.error.empty()) {
    int r = archive_read_next_header(in.get(), &entry);
    if (r == ARCHIVE_EOF) break;
    if (r != ARCHIVE_OK && r != ARCHIVE_WARN) {
      result.error = std::string("the archive is damaged: ") + archive_text(in.get());
      break;
    }
    if (++entries > limits.max_entries) {
      result.error =
          "the archive has more than " + std::to_string(limits.max_entries) + " entries (--max-artifact-entries)";
      break;
    }
    std::string name = entry_name(entry);
    result.error = place_entry(in.get(), entry, name, into, &total, limits);
    std::string top = name.substr(0, name.find('/'));
    if (result.error.empty() && !top.empty() && tops.insert(top).second) result.top_level.push_back(top);
  }
  return result;
}

}  // namespace rampart::engine
