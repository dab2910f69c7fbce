#include "engine/artifact_repository.h"

#include <archive.h>
#include <archive_entry.h>
#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <fstream>
#include <memory>
#include <vector>

namespace rampart::engine {

namespace fs = std::filesystem;

namespace {

struct ReadDeleter {
  void operator()(archive* a) const { archive_read_free(a); }
};
struct WriteDeleter {
  void operator()(archive* a) const { archive_write_free(a); }
};

bool is_gzip_tarball(const fs::path& file) {
  std::ifstream in(file, std::ios::binary);
  unsigned char magic[2] = {0, 0};
  in.read(reinterpret_cast<char*>(magic), 2);
  return in.gcount() == 2 && magic[0] == 0x1f && magic[1] == 0x8b;
}

std::string write_entry(archive* out, const fs::path& path, const std::string& name) {
  struct stat st {};
  if (lstat(path.c_str(), &st) != 0) return "cannot read " + path.string();
  std::unique_ptr<archive_entry, decltype(&archive_entry_free)> entry(archive_entry_new(), archive_entry_free);
  archive_entry_set_pathname(entry.get(), name.c_str());
  archive_entry_copy_stat(entry.get(), &st);
  if (S_ISLNK(st.st_mode)) {
    std::error_code ec;
    archive_entry_set_symlink(entry.get(), fs::read_symlink(path, ec).c_str());
  }
  if (archive_write_header(out, entry.get()) != ARCHIVE_OK) return archive_error_string(out);
  if (S_ISREG(st.st_mode)) {
    std::ifstream in(path, std::ios::binary);
    std::vector<char> buf(1 << 16);
    while (in) {
      in.read(buf.data(), static_cast<std::streamsize>(buf.size()));
      auto n = in.gcount();
      if (n > 0 && archive_write_data(out, buf.data(), static_cast<size_t>(n)) < 0) return archive_error_string(out);
    }
  }
  return "";
}

}  // namespace

bool is_safe_key(const std::string& key) {
  if (key.empty() || key.front() == '/') return false;
  for (const auto& part : fs::path(key)) {
    if (part == "..") return false;
  }
  return true;
}

fs::path ArtifactRepository::path_of(const std::string& key) const { return root_ / key; }

bool ArtifactRepository::exists(const std::string& key) const {
  std::error_code ec;
  return is_safe_key(key) && fs::exists(path_of(key), ec);
}

void ArtifactRepository::remove(const std::string& key) const {
  std::error_code ec;
  if (is_safe_key(key)) fs::remove_all(path_of(key), ec);
}

std::string ArtifactRepository::put(const std::string& key, const std::string& content) const {
  if (!is_safe_key(key)) return "invalid artifact key \"" + key + "\"";
  std::error_code ec;
  fs::create_directories(path_of(key).parent_path(), ec);
  std::ofstream out(path_of(key), std::ios::binary | std::ios::trunc);
  out << content;
  return out ? "" : "cannot write artifact " + key;
}

std::string ArtifactRepository::save(const fs::path& source, const std::string& key, bool archive_it,
                                      int compression_level) const {
  if (!is_safe_key(key)) return "invalid artifact key \"" + key + "\"";
  std::error_code ec;
  if (!fs::exists(fs::symlink_status(source, ec))) return "no such file or directory";
  fs::path target = path_of(key);
  fs::create_directories(target.parent_path(), ec);
  fs::remove_all(target, ec);
  if (!archive_it) {
    fs::copy(source, target, fs::copy_options::recursive | fs::copy_options::copy_symlinks, ec);
    return ec ? "cannot copy: " + ec.message() : "";
  }
  std::unique_ptr<archive, WriteDeleter> out(archive_write_new());
  archive_write_add_filter_gzip(out.get());
  archive_write_set_format_pax_restricted(out.get());
  if (compression_level >= 0) {
    archive_write_set_filter_option(out.get(), "gzip", "compression-level", std::to_string(compression_level).c_str());
  }
  if (archive_write_open_filename(out.get(), target.c_str()) != ARCHIVE_OK) return archive_error_string(out.get());
  std::string base = source.filename().string();
  if (base.empty()) base = source.parent_path().filename().string();
  std::string error = write_entry(out.get(), source, base);
  if (error.empty() && fs::is_directory(fs::symlink_status(source, ec))) {
    for (auto it = fs::recursive_directory_iterator(source, fs::directory_options::none, ec);
         it != fs::recursive_directory_iterator() && error.empty(); it.increment(ec)) {
      if (ec) break;
      error = write_entry(out.get(), it->path(), base + "/" + fs::relative(it->path(), source, ec).string());
    }
  }
  if (archive_write_close(out.get()) != ARCHIVE_OK && error.empty()) error = archive_error_string(out.get());
  return error;
}

std::string ArtifactRepository::load(const std::string& key, const fs::path& destination,
                                     const std::string& sub_path) const {
  if (!is_safe_key(key)) return "invalid artifact key \"" + key + "\"";
  if (!sub_path.empty() && !is_safe_key(sub_path)) return "invalid subPath \"" + sub_path + "\"";
  fs::path source = path_of(key);
  std::error_code ec;
  if (!fs::exists(source, ec)) return "artifact \"" + key + "\" not found in the artifact repository";
  fs::create_directories(destination.parent_path(), ec);
  if (!fs::is_regular_file(source) || !is_gzip_tarball(source)) {
    fs::path from = sub_path.empty() ? source : source / sub_path;
    if (!fs::exists(from, ec)) return "subPath \"" + sub_path + "\" not found in artifact \"" + key + "\"";
    fs::copy(from, destination, fs::copy_options::recursive | fs::copy_options::copy_symlinks, ec);
    return ec ? "cannot copy artifact: " + ec.message() : "";
  }
  // Extract into a scratch dir beside the destination, refusing entries that would escape it.
  fs::path scratch = destination.parent_path() / (".extract-" + destination.filename().string());
  fs::remove_all(scratch, ec);
  fs::create_directories(scratch, ec);
  std::unique_ptr<archive, ReadDeleter> in(archive_read_new());
  archive_read_support_filter_all(in.get());
  archive_read_support_format_all(in.get());
  if (archive_read_open_filename(in.get(), source.c_str(), 1 << 16) != ARCHIVE_OK) return archive_error_string(in.get());
  std::unique_ptr<archive, WriteDeleter> disk(archive_write_disk_new());
  archive_write_disk_set_options(disk.get(), ARCHIVE_EXTRACT_TIME | ARCHIVE_EXTRACT_PERM |
                                                 ARCHIVE_EXTRACT_SECURE_NODOTDOT | ARCHIVE_EXTRACT_SECURE_SYMLINKS);
  std::vector<std::string> tops;
  archive_entry* entry = nullptr;
  std::string error;
  while (error.empty()) {
    int r = archive_read_next_header(in.get(), &entry);
    if (r == ARCHIVE_EOF) break;
    if (r != ARCHIVE_OK) {
      error = archive_error_string(in.get());
      break;
    }
    std::string name = archive_entry_pathname(entry);
    // Entries are placed under the scratch dir: an absolute name or ".." would escape it.
    if (!is_safe_key(name)) {
      error = "unsafe entry name \"" + name + "\"";
      break;
    }
    if (const char* link = archive_entry_hardlink(entry)) {
      if (!is_safe_key(link)) {
        error = "unsafe hard link \"" + std::string(link) + "\"";
        break;
      }
      archive_entry_set_hardlink(entry, (scratch / link).c_str());
    }
    std::string top = fs::path(name).begin()->string();
    if (std::find(tops.begin(), tops.end(), top) == tops.end()) tops.push_back(top);
    archive_entry_set_pathname(entry, (scratch / name).c_str());
    if (archive_write_header(disk.get(), entry) != ARCHIVE_OK) {
      error = archive_error_string(disk.get());
      break;
    }
    const void* block = nullptr;
    size_t size = 0;
    la_int64_t offset = 0;
    while ((r = archive_read_data_block(in.get(), &block, &size, &offset)) == ARCHIVE_OK) {
      if (archive_write_data_block(disk.get(), block, size, offset) != ARCHIVE_OK) {
        error = archive_error_string(disk.get());
        break;
      }
    }
    archive_write_finish_entry(disk.get());
  }
  if (!error.empty()) {
    fs::remove_all(scratch, ec);
    return "cannot extract artifact \"" + key + "\": " + error;
  }
  fs::path root = tops.size() == 1 ? scratch / tops[0] : scratch;
  fs::path from = sub_path.empty() ? root : root / sub_path;
  if (!fs::exists(fs::symlink_status(from, ec))) {
    fs::remove_all(scratch, ec);
    return "subPath \"" + sub_path + "\" not found in artifact \"" + key + "\"";
  }
  fs::rename(from, destination, ec);
  if (ec) fs::copy(from, destination, fs::copy_options::recursive | fs::copy_options::copy_symlinks, ec);
  std::error_code ignore;
  fs::remove_all(scratch, ignore);
  return ec ? "cannot place artifact: " + ec.message() : "";
}

}  // namespace rampart::engine
