#include "spec/source_map.h"

namespace rampart::spec {

SourceLocation SourceMap::find(std::string_view path) const {
  std::string key(path);
  while (true) {
    auto it = locations_.find(key);
    if (it != locations_.end()) return it->second;
    if (key.empty()) return {};
    // Strip the last ".field" or "[index]" segment.
    size_t cut = key.find_last_of(".[");
    key.resize(cut == std::string::npos ? 0 : cut);
  }
}

Diagnostic SourceMap::diagnose(std::string path, std::string message) const {
  Diagnostic d;
  d.file = file_;
  d.where = find(path);
  d.path = std::move(path);
  d.message = std::move(message);
  return d;
}

}  // namespace rampart::spec
