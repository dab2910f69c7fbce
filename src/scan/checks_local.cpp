// --self: the local server's state directory and secret files must not be readable by others.
#include <sys/stat.h>

#include <cstdio>
#include <filesystem>

#include "scan/checks.h"

namespace rampart::scan {

namespace {

std::string octal(mode_t mode) {
  char buf[8];
  std::snprintf(buf, sizeof buf, "%04o", static_cast<unsigned>(mode & 07777));
  return buf;
}

}  // namespace

void check_state_files(const std::string& state_dir, std::vector<Finding>& out) {
  struct stat st {};
  if (::stat(state_dir.c_str(), &st) == 0 && (st.st_mode & 077) != 0) {
    out.push_back(make_finding("self.state-dir.mode", "file://" + std::filesystem::absolute(state_dir).string(),
                               {{"path", state_dir}, {"mode", octal(st.st_mode)}, {"expected", "0700"}}));
  }
  for (const char* name : {"admin.token", "tls.key", "token.key", "access.db"}) {
    std::string path = (std::filesystem::path(state_dir) / name).string();
    if (::lstat(path.c_str(), &st) != 0) continue;  // not every server has every file
    if ((st.st_mode & 077) != 0) {
      out.push_back(make_finding("self.file.mode", "file://" + std::filesystem::absolute(path).string(),
                                 {{"path", path}, {"mode", octal(st.st_mode)}, {"expected", "0600"}}));
    }
  }
}

}  // namespace rampart::scan
