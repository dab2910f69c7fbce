// The audit trail: every request that changes state and every denied request, appended to the
// access store's audit table and to a JSON-lines file (audit.jsonl, mode 0600) that log
// shippers can tail. Never contains secrets: no tokens, no bodies.
#pragma once

#include <mutex>
#include <string>

#include <nlohmann/json.hpp>

#include "store/access_store.h"

namespace rampart::server {

class AuditLog {
 public:
  AuditLog(store::AccessStore& store, std::string jsonl_path);
  // Thread-safe. Fills time_ms when 0.
  void append(store::AuditRecord record);

  // One record as written to the JSON-lines file: time (RFC 3339 with milliseconds, UTC),
  // subject, source, method, route, object, decision, status.
  static nlohmann::json to_json(const store::AuditRecord& record);

 private:
  std::mutex mutex_;
  store::AccessStore& store_;
  std::string jsonl_path_;
};

}  // namespace rampart::server
