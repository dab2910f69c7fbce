#include "engine/spare_shelf.h"

#include <filesystem>

namespace rampart::engine {

std::shared_ptr<SpareShelf> SpareShelf::open(const std::string& path, std::string* error) {
  const std::filesystem::path where(path);
  auto parent = ConfinedDir::open(where.parent_path().string(), Create::Yes, error);
  const std::string name = where.filename().string();
  // An earlier process's spares: not known to be pristine, not reused.
  if (!parent || !parent->remove(name, error)) return nullptr;
  auto dir = parent->subdir(name, Create::Yes, error);
  if (!dir) return nullptr;
  return std::shared_ptr<SpareShelf>(new SpareShelf(std::move(*dir)));
}

bool SpareShelf::put(const std::string& ns, int from_fd, const std::string& name) {
  std::lock_guard lock(mutex_);
  if (count_ >= kMaxSpares) return false;
  std::string shelved = std::to_string(next_++);
  if (!rename_no_replace(from_fd, name, dir_.fd(), shelved)) return false;
  spares_[ns].push_back(std::move(shelved));
  ++count_;
  return true;
}

bool SpareShelf::take(const std::string& ns, int to_fd, const std::string& name) {
  std::lock_guard lock(mutex_);
  auto it = spares_.find(ns);
  while (it != spares_.end() && !it->second.empty()) {
    std::string shelved = std::move(it->second.back());
    it->second.pop_back();
    --count_;
    if (rename_no_replace(dir_.fd(), shelved, to_fd, name)) return true;
    std::string ignored;
    dir_.remove(shelved, &ignored);
  }
  return false;
}

}  // namespace rampart::engine
