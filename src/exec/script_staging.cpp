#include "exec/script_staging.h"

#include <filesystem>
#include <fstream>
#include <stdexcept>

namespace rampart::exec {

namespace fs = std::filesystem;

std::string stage_script(const std::string& step_dir, const std::string& source) {
  fs::path dir = fs::path(step_dir) / "staging";
  fs::create_directories(dir);
  fs::path file = dir / "script";
  {
    std::ofstream out(file, std::ios::binary | std::ios::trunc);
    out << source;
    if (!out) throw std::runtime_error("cannot write " + file.string());
  }
  fs::permissions(file, fs::perms(0755), fs::perm_options::replace);
  return file.string();
}

}  // namespace rampart::exec
