#include "guard/alert_log.h"

#include <fcntl.h>
#include <unistd.h>

#include <fstream>

namespace rampart::guard {

AlertLog::AlertLog(std::string path) : path_(std::move(path)) {}

void AlertLog::append(const Alert& alert) {
  std::string line = alert.to_json().dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) + "\n";
  std::lock_guard lock(mutex_);
  int fd = ::open(path_.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
  if (fd < 0) return;
  ssize_t written = ::write(fd, line.data(), line.size());
  (void)written;
  ::fsync(fd);
  ::close(fd);
}

std::vector<Alert> AlertLog::read_all() const {
  std::lock_guard lock(mutex_);
  std::vector<Alert> out;
  std::ifstream in(path_);
  std::string line;
  while (std::getline(in, line)) {
    auto j = nlohmann::json::parse(line, nullptr, false);
    if (!j.is_object()) continue;
    Alert a;
    a.time_ms = j.value("time_ms", int64_t{0});
    a.namespace_ = j.value("namespace", "");
    a.workflow = j.value("workflow", "");
    a.node_id = j.value("node", "");
    a.rule = j.value("rule", "");
    a.severity = j.value("severity", "");
    a.evidence = j.value("evidence", "");
    a.action = j.value("action", "");
    out.push_back(std::move(a));
  }
  return out;
}

}  // namespace rampart::guard
