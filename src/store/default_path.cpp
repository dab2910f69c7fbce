#include <pwd.h>
#include <unistd.h>

#include <cstdlib>
#include <stdexcept>
#include <string>
#include <vector>

#include "store/store.h"

namespace rampart::store {
namespace {

std::string home_directory() {
  if (const char* home = std::getenv("HOME"); home != nullptr && *home != '\0') return home;
  // HOME is unset under some service managers and in containers; ask the user database.
  std::vector<char> buffer(16384);
  passwd entry{};
  passwd* found = nullptr;
  if (getpwuid_r(getuid(), &entry, buffer.data(), buffer.size(), &found) == 0 && found != nullptr &&
      found->pw_dir != nullptr && *found->pw_dir != '\0') {
    return found->pw_dir;
  }
  return {};
}

}  // namespace

std::string default_sqlite_path() {
  // The XDG Base Directory spec says to ignore a relative XDG_STATE_HOME.
  if (const char* state = std::getenv("XDG_STATE_HOME"); state != nullptr && state[0] == '/') {
    return std::string(state) + "/rampart/rampart.db";
  }
  const std::string home = home_directory();
  if (home.empty()) {
    throw std::runtime_error("cannot locate the state directory: neither XDG_STATE_HOME nor HOME is set");
  }
  return home + "/.local/state/rampart/rampart.db";
}

}  // namespace rampart::store
