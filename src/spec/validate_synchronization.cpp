// Synchronization: every mutex is named, every semaphore says which ConfigMap key holds its limit.
#include "spec/validate_internal.h"

namespace rampart::spec::validation {
namespace {

// The loader folds the deprecated single `mutex:` / `semaphore:` into the lists; point at the
// field the user actually wrote.
std::string item_path(const std::string& path, const char* single, const char* list, size_t index,
                      bool written_single) {
  if (written_single && index == 0) return path + "." + single;
  return path + "." + list + "[" + std::to_string(written_single ? index - 1 : index) + "]";
}

}  // namespace

void check_synchronization(const Checker& checker, const Synchronization& sync, const std::string& path) {
  const SourceLocation single_mutex = checker.doc.source.find(path + ".mutex");
  const SourceLocation whole = checker.doc.source.find(path);
  // find() falls back to the parent, so a distinct position means `mutex:` itself was written.
  const bool mutex_single = single_mutex.line != whole.line || single_mutex.column != whole.column;
  const SourceLocation single_semaphore = checker.doc.source.find(path + ".semaphore");
  const bool semaphore_single = single_semaphore.line != whole.line || single_semaphore.column != whole.column;

  for (size_t i = 0; i < sync.mutexes.size(); ++i) {
    if (sync.mutexes[i].name.empty()) {
      checker.report(item_path(path, "mutex", "mutexes", i, mutex_single) + ".name", "mutex name is required");
    }
  }
  for (size_t i = 0; i < sync.semaphores.size(); ++i) {
    const SemaphoreRef& semaphore = sync.semaphores[i];
    if (semaphore.database) continue;
    const std::string semaphore_path = item_path(path, "semaphore", "semaphores", i, semaphore_single);
    if (!semaphore.config_map_key_ref || semaphore.config_map_key_ref->name.empty() ||
        semaphore.config_map_key_ref->key.empty()) {
      checker.report(semaphore_path + ".configMapKeyRef", "semaphore needs configMapKeyRef with name and key");
    }
  }
}

}  // namespace rampart::spec::validation
