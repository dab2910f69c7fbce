// Where alerts are kept: one JSON object per line in <state>/alerts.jsonl (mode 0600), read by
// `rampart alerts`, the API and /metrics.
#pragma once

#include <mutex>
#include <string>
#include <vector>

#include "guard/watch.h"

namespace rampart::guard {

class AlertLog {
 public:
  explicit AlertLog(std::string path);
  void append(const Alert& alert);      // thread-safe
  std::vector<Alert> read_all() const;  // oldest first; damaged lines are skipped
  const std::string& path() const { return path_; }

 private:
  std::string path_;
  mutable std::mutex mutex_;
};

}  // namespace rampart::guard
