#include "server/audit_log.h"

#include <fcntl.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <ctime>

#include <nlohmann/json.hpp>

namespace rampart::server {

namespace {

std::string rfc3339(int64_t ms) {
  std::time_t seconds = static_cast<std::time_t>(ms / 1000);
  std::tm tm{};
  gmtime_r(&seconds, &tm);
  char buf[40];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%S", &tm);
  char out[48];
  std::snprintf(out, sizeof out, "%s.%03dZ", buf, static_cast<int>(ms % 1000));
  return out;
}

}  // namespace

AuditLog::AuditLog(store::AccessStore& store, std::string jsonl_path)
    : store_(store), jsonl_path_(std::move(jsonl_path)) {}

nlohmann::json AuditLog::to_json(const store::AuditRecord& record) {
  return {{"time", rfc3339(record.time_ms)}, {"subject", record.subject}, {"source", record.source},
          {"method", record.method},         {"route", record.route},     {"object", record.object},
          {"decision", record.decision},     {"status", record.status}};
}

void AuditLog::append(store::AuditRecord record) {
  if (record.time_ms == 0) {
    record.time_ms =
        std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
            .count();
  }
  // Invalid UTF-8 (a hostile path) is replaced, never thrown on: the record must be written.
  std::string text = to_json(record).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) + "\n";
  std::lock_guard lock(mutex_);
  store_.append_audit(record);
  // O_APPEND: one write per line, so concurrent writers (the CLI) never interleave inside one.
  int fd = ::open(jsonl_path_.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
  if (fd >= 0) {
    // The table in access.db is the record of truth; the file is a copy for log shippers, so
    // a full disk there must not fail the request that is being audited.
    ssize_t ignored = ::write(fd, text.data(), text.size());
    (void)ignored;
    ::close(fd);
  }
}

}  // namespace rampart::server
