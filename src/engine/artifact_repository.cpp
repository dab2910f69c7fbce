#include "engine/artifact_repository.h"

#include <archive.h>
#include <archive_entry.h>
#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <cstring>
#include <memory>
#include <vector>

#include "common/object_names.h"

namespace rampart::engine {

namespace fs = std::filesystem;

namespace {

struct WriteDeleter {
  void operator()(archive* a) const { archive_write_free(a); }
};

std::string archive_text(archive* a) {
  const char* text = archive_error_string(a);
  return text ? text : "unknown error";
}

bool is_gzip(int fd) {
  unsigned char magic[2] = {0, 0};
  bool gzip = ::pread(fd, magic, 2, 0) == 2 && magic[0] == 0x1f && magic[1] == 0x8b;
  return gzip;
}

// ("a/b", "c") for "a/b/c"; ("", "c") for "c".
std::pair<std::string, std::string> split_leaf(const std::string& relative) {
  auto slash = relative.find_last_of('/');
  if (slash == std::string::npos) return {"", relative};
  return {relative.substr(0, slash), relative.substr(slash + 1)};
}

// Writes one entry (`name` of directory `dir`) to the tarball; a directory is returned open for
// listing in `*descend`.
std::string write_entry(archive* out, int dir, const char* name, const std::string& entry_name, DIR** descend) {
  *descend = nullptr;
  struct stat st {};
  if (::fstatat(dir, name, &st, AT_SYMLINK_NOFOLLOW) != 0) return "";                   // gone meanwhile
  if (!S_ISREG(st.st_mode) && !S_ISDIR(st.st_mode) && !S_ISLNK(st.st_mode)) return "";  // devices, fifos
  std::unique_ptr<archive_entry, decltype(&archive_entry_free)> entry(archive_entry_new(), archive_entry_free);
  archive_entry_set_pathname(entry.get(), entry_name.c_str());
  archive_entry_copy_stat(entry.get(), &st);
  archive_entry_set_perm(entry.get(), st.st_mode & 0777);  // never setuid bits into an artifact
  UniqueFd file;
  if (S_ISLNK(st.st_mode)) {
    char target[4096];
    ssize_t n = ::readlinkat(dir, name, target, sizeof target - 1);
    target[n < 0 ? 0 : n] = '\0';
    archive_entry_set_symlink(entry.get(), target);
  } else if (S_ISREG(st.st_mode)) {
    file.reset(::openat(dir, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC));
    if (!file) return "cannot read " + entry_name;
  }
  if (archive_write_header(out, entry.get()) != ARCHIVE_OK) return archive_text(out);
  if (file) {
    std::vector<char> buf(1 << 16);
    ssize_t n;
    while ((n = ::read(file.get(), buf.data(), buf.size())) > 0) {
      if (archive_write_data(out, buf.data(), static_cast<size_t>(n)) < 0) return archive_text(out);
    }
  }
  if (S_ISDIR(st.st_mode)) {
    int fd = ::openat(dir, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    *descend = fd < 0 ? nullptr : ::fdopendir(fd);
    if (fd >= 0 && !*descend) ::close(fd);
  }
  return "";
}

std::atomic<uint64_t> scratch_counter{0};

}  // namespace

bool is_safe_key(const std::string& key) { return !key.empty() && ConfinedDir::check_relative(key).empty(); }

namespace {
// Argo's keys may name a "directory" with a trailing slash ("wf/parts/"): the same key.
std::string without_trailing_slash(std::string key) {
  while (key.size() > 1 && key.back() == '/') key.pop_back();
  return key;
}
}  // namespace

ArtifactRepository::ArtifactRepository(fs::path root, std::string ns, ArchiveLimits limits)
    : root_(std::move(root)), ns_(std::move(ns)), limits_(limits) {}

std::optional<ConfinedDir> ArtifactRepository::namespace_root(std::string* error) const {
  if (std::string why = check_dns1123_label(ns_); !why.empty()) {
    *error = "namespace " + why;
    return std::nullopt;
  }
  return ConfinedDir::open((root_ / ns_).string(), Create::Yes, error);
}

std::string ArtifactRepository::write_tarball(const ConfinedDir& base, const std::string& relative, int out_fd,
                                              int level) const {
  std::unique_ptr<archive, WriteDeleter> out(archive_write_new());
  archive_write_add_filter_gzip(out.get());
  archive_write_set_format_pax_restricted(out.get());
  if (level >= 0)
    archive_write_set_filter_option(out.get(), "gzip", "compression-level", std::to_string(level).c_str());
  if (archive_write_open_fd(out.get(), out_fd) != ARCHIVE_OK) return archive_text(out.get());
  auto [dir_part, leaf] = split_leaf(relative);
  std::string error;
  auto parent = base.subdir(dir_part, Create::No, &error);
  if (!parent) return error;
  std::string top = leaf.empty() ? fs::path(base.path()).filename().string() : leaf;
  struct Frame {
    DIR* dir;
    std::string prefix;
  };
  std::vector<Frame> stack;
  DIR* first = nullptr;
  if (leaf.empty()) {
    int fd = ::openat(parent->fd(), ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    first = fd < 0 ? nullptr : ::fdopendir(fd);
  } else {
    error = write_entry(out.get(), parent->fd(), leaf.c_str(), top, &first);
  }
  if (first) stack.push_back({first, top});
  size_t entries = 0;
  while (!stack.empty() && error.empty()) {
    dirent* e = ::readdir(stack.back().dir);
    if (!e) {
      ::closedir(stack.back().dir);
      stack.pop_back();
      continue;
    }
    if (!std::strcmp(e->d_name, ".") || !std::strcmp(e->d_name, "..")) continue;
    if (++entries > limits_.max_entries || stack.size() > 512) {
      error = "the artifact has more than " + std::to_string(limits_.max_entries) +
              " entries or is too deep (--max-artifact-entries)";
      break;
    }
    DIR* child = nullptr;
    std::string name = stack.back().prefix + "/" + e->d_name;
    error = write_entry(out.get(), ::dirfd(stack.back().dir), e->d_name, name, &child);
    if (child) stack.push_back({child, name});
  }
  for (auto& f : stack) ::closedir(f.dir);
  if (archive_write_close(out.get()) != ARCHIVE_OK && error.empty()) error = archive_text(out.get());
  return error;
}

std::string ArtifactRepository::save(const ConfinedDir& base, const std::string& relative, const std::string& raw_key,
                                     bool archive_it, int compression_level) const {
  const std::string key = without_trailing_slash(raw_key);
  if (!is_safe_key(key)) return "invalid artifact key " + shown_name(key);
  std::string error;
  auto root = namespace_root(&error);
  if (!root) return error;
  if (!base.status(relative, &error)) return error.empty() ? "no such file or directory" : error;
  if (!root->remove(key, &error)) return error;
  if (archive_it) {
    UniqueFd out = root->open_file(key, O_WRONLY | O_CREAT | O_TRUNC, 0644, &error);
    if (!out) return error;
    return write_tarball(base, relative, out.get(), compression_level);
  }
  auto [from_dir, from_leaf] = split_leaf(relative);
  auto [to_dir, to_leaf] = split_leaf(key);
  if (from_leaf.empty()) {
    // The path is a mapped directory itself (/tmp, a volume's mount point): its contents.
    auto target = root->subdir(key, Create::Yes, &error);
    return target && base.copy_contents(*target, &error) ? "" : "cannot copy: " + error;
  }
  auto source = base.subdir(from_dir, Create::No, &error);
  auto target = source ? root->subdir(to_dir, Create::Yes, &error) : std::nullopt;
  if (!source || !target) return error;
  return source->copy(from_leaf, *target, to_leaf, &error) ? "" : "cannot copy: " + error;
}

std::string ArtifactRepository::load(const std::string& raw_key, const ConfinedDir& base, const std::string& relative,
                                     const std::string& sub_path, const ConfinedDir& scratch) const {
  const std::string key = without_trailing_slash(raw_key);
  if (!is_safe_key(key)) return "invalid artifact key " + shown_name(key);
  if (!sub_path.empty() && !is_safe_key(sub_path)) return "invalid subPath " + shown_name(sub_path);
  auto [to_dir, to_leaf] = split_leaf(relative);
  std::string error;
  auto root = namespace_root(&error);
  auto destination = root ? base.subdir(to_dir, Create::Yes, &error) : std::nullopt;
  if (!destination) return error;
  if (to_leaf.empty()) return "an artifact cannot replace the directory it is loaded into";
  if (!destination->remove(to_leaf, &error)) return error;
  std::optional<struct stat> st = root->status(key, &error);
  if (!st) return "artifact " + shown_name(key) + " not found in the artifact repository";
  UniqueFd file = S_ISREG(st->st_mode) ? root->open_file(key, O_RDONLY, 0, &error) : UniqueFd();
  if (!file || !is_gzip(file.get())) {
    // Stored as it is: copy the key (or its sub_path) into place.
    std::string source_path = sub_path.empty() ? key : key + "/" + sub_path;
    auto [from_dir, from_leaf] = split_leaf(source_path);
    auto source = root->subdir(from_dir, Create::No, &error);
    if (!source || !source->status(from_leaf, &error))
      return "subPath " + shown_name(sub_path) + " not found in artifact " + shown_name(key);
    return source->copy(from_leaf, *destination, to_leaf, &error) ? "" : "cannot copy artifact: " + error;
  }
  // Extract into a scratch dir private to rampart, then move the selected part into place.
  std::string work_name = ".extract-" + std::to_string(::getpid()) + "-" + std::to_string(++scratch_counter);
  auto work = scratch.subdir(work_name, Create::Yes, &error);
  if (!work) return error;
  ExtractResult extracted = extract_archive(file.get(), *work, limits_);
  std::string result;
  if (!extracted.error.empty()) {
    result = "cannot extract artifact " + shown_name(key) + ": " + extracted.error;
  } else {
    std::string selected = extracted.top_level.size() == 1 ? extracted.top_level[0] : "";
    if (!sub_path.empty()) selected += (selected.empty() ? "" : "/") + sub_path;
    auto [from_dir, from_leaf] = split_leaf(selected);
    auto from = work->subdir(from_dir, Create::No, &error);
    if (from_leaf.empty()) {
      from = scratch.subdir("", Create::No, &error);
      from_leaf = work_name;
    }
    if (!from || !from->status(from_leaf, &error)) {
      result = "subPath " + shown_name(sub_path) + " not found in artifact " + shown_name(key);
    } else if (!from->move(from_leaf, *destination, to_leaf, &error)) {
      result = "cannot place artifact: " + error;
    }
  }
  scratch.remove(work_name, &error);
  return result;
}

std::string ArtifactRepository::put(const std::string& raw_key, const std::string& content) const {
  const std::string key = without_trailing_slash(raw_key);
  if (!is_safe_key(key)) return "invalid artifact key " + shown_name(key);
  std::string error;
  auto root = namespace_root(&error);
  UniqueFd out = root ? root->open_file(key, O_WRONLY | O_CREAT | O_TRUNC, 0644, &error) : UniqueFd();
  if (!out) return error;
  size_t written = 0;
  while (written < content.size()) {
    ssize_t n = ::write(out.get(), content.data() + written, content.size() - written);
    if (n <= 0) return "cannot write artifact " + shown_name(key);
    written += static_cast<size_t>(n);
  }
  return "";
}

std::string ArtifactRepository::put_file(const std::string& raw_key, int fd) const {
  const std::string key = without_trailing_slash(raw_key);
  if (!is_safe_key(key)) return "invalid artifact key " + shown_name(key);
  std::string error;
  auto root = namespace_root(&error);
  UniqueFd out = root ? root->open_file(key, O_WRONLY | O_CREAT | O_TRUNC, 0644, &error) : UniqueFd();
  if (!out) return error;
  std::vector<char> buf(1 << 16);
  ssize_t n;
  while ((n = ::read(fd, buf.data(), buf.size())) > 0) {
    if (::write(out.get(), buf.data(), static_cast<size_t>(n)) != n) return "cannot write artifact " + shown_name(key);
  }
  return "";
}

bool ArtifactRepository::exists(const std::string& raw_key) const {
  const std::string key = without_trailing_slash(raw_key);
  std::string error;
  auto root = is_safe_key(key) ? namespace_root(&error) : std::nullopt;
  return root && root->status(key, &error).has_value();
}

void ArtifactRepository::remove(const std::string& raw_key) const {
  const std::string key = without_trailing_slash(raw_key);
  std::string error;
  auto root = is_safe_key(key) ? namespace_root(&error) : std::nullopt;
  if (root) root->remove(key, &error);
}

UniqueFd ArtifactRepository::open(const std::string& raw_key, std::string* error) const {
  const std::string key = without_trailing_slash(raw_key);
  if (!is_safe_key(key)) {
    *error = "invalid artifact key " + shown_name(key);
    return UniqueFd();
  }
  auto root = namespace_root(error);
  return root ? root->open_file(key, O_RDONLY, 0, error) : UniqueFd();
}

}  // namespace rampart::engine
