// libFuzzer target: unpacking an input artifact (any archive format libarchive reads) must place
// entries only below the target directory, or refuse the archive; never crash, hang, leak, or
// write anywhere else. After each input the scratch tree is checked: nothing may be a device,
// setuid, or a link pointing outside, and nothing may appear beside the target.
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <string>

#include "common/confined_dir.h"
#include "engine/archive_extract.h"

namespace fs = std::filesystem;

namespace {

const fs::path& base() {
  static const fs::path dir = [] {
    fs::path d = fs::temp_directory_path() / ("rampart-archive-fuzz-" + std::to_string(::getpid()));
    fs::create_directories(d / "target");
    return d;
  }();
  return dir;
}

void check_tree(const fs::path& root) {
  std::error_code ec;
  for (auto it = fs::recursive_directory_iterator(root, ec); it != fs::recursive_directory_iterator();
       it.increment(ec)) {
    if (ec) break;
    struct stat st {};
    if (::lstat(it->path().c_str(), &st) != 0) continue;
    if (S_ISCHR(st.st_mode) || S_ISBLK(st.st_mode) || S_ISFIFO(st.st_mode) || S_ISSOCK(st.st_mode)) std::abort();
    if (st.st_mode & (S_ISUID | S_ISGID)) std::abort();
    if (S_ISLNK(st.st_mode)) {
      fs::path target = fs::read_symlink(it->path(), ec);
      if (target.is_absolute()) std::abort();
      fs::path joined = (it->path().parent_path() / target).lexically_normal();
      if (joined.lexically_relative(root).string().rfind("..", 0) == 0) std::abort();
    }
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const fs::path target = base() / "target";
  std::string error;
  auto into = rampart::ConfinedDir::open(target.string(), rampart::Create::Yes, &error);
  if (!into) std::abort();
  int fd = ::memfd_create("archive", MFD_CLOEXEC);
  if (fd < 0) return 0;
  if (size > 0 && ::write(fd, data, size) != static_cast<ssize_t>(size)) {
    ::close(fd);
    return 0;
  }
  ::lseek(fd, 0, SEEK_SET);
  rampart::engine::ArchiveLimits limits{1000, 1 << 20};
  rampart::engine::extract_archive(fd, *into, limits);
  ::close(fd);
  check_tree(target);
  // Nothing may be written beside the target directory.
  for (const auto& entry : fs::directory_iterator(base())) {
    if (entry.path() != target) std::abort();
  }
  fs::remove_all(target);
  fs::create_directories(target);
  return 0;
}
