#include "engine/run_lock.h"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <filesystem>

namespace rampart::engine {

namespace fs = std::filesystem;

RunLock::RunLock(const std::string& state_dir, const std::string& ns, const std::string& name) {
  fs::path dir = fs::path(state_dir) / "locks" / ns;
  std::error_code ec;
  fs::create_directories(dir, ec);
  path_ = (dir / (name + ".lock")).string();
}

RunLock::~RunLock() {
  if (fd_ >= 0) close(fd_);
}

bool RunLock::try_lock() {
  // Each RunLock opens its own descriptor, so two in one process also exclude each other.
  if (fd_ < 0) fd_ = open(path_.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
  if (fd_ < 0) return false;
  return flock(fd_, LOCK_EX | LOCK_NB) == 0;
}

}  // namespace rampart::engine
