// Durable state of who may do what on a server: API tokens (hashes only), role bindings and
// the audit trail. Beside the workflow store, in its own SQLite file (access.db) so that a
// workflow database can be copied or inspected without carrying credentials along.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace rampart::store {

struct TokenRecord {
  std::string id;           // public part of the token, e.g. "k3f9..." (lookup key)
  std::string subject;      // who the token speaks for, e.g. "admin", "alice", "ci-bot"
  std::string secret_hash;  // hex of a keyed hash of the secret part; the secret itself is never stored
  std::string description;
  int64_t created_ms = 0;
  int64_t expires_ms = 0;  // 0 = never
  int64_t revoked_ms = 0;  // 0 = not revoked
};

struct RoleBinding {
  std::string subject;
  std::string namespace_;  // "*" = every namespace
  std::string role;        // viewer | submitter | author | admin
};

struct AuditRecord {
  int64_t seq = 0;  // assigned by the store
  int64_t time_ms = 0;
  std::string subject;   // "" when the request was not authenticated
  std::string source;    // client address
  std::string method;    // GET, POST, PUT, DELETE, or "cli" for local commands
  std::string route;     // the route pattern, e.g. /api/v1/workflows/{namespace}
  std::string object;    // namespace/name the request acted on, "" when none
  std::string decision;  // allowed | denied | unauthenticated | rate-limited | failed
  int status = 0;        // HTTP status answered
};

class AccessStore {
 public:
  virtual ~AccessStore() = default;

  virtual void put_token(const TokenRecord& token) = 0;  // insert or replace
  virtual std::optional<TokenRecord> get_token(const std::string& id) = 0;
  virtual std::vector<TokenRecord> list_tokens() = 0;
  virtual bool revoke_token(const std::string& id, int64_t now_ms) = 0;  // false when unknown

  virtual void put_binding(const RoleBinding& binding) = 0;  // replaces (subject, namespace)
  virtual bool delete_binding(const std::string& subject, const std::string& ns) = 0;
  virtual std::vector<RoleBinding> bindings_of(const std::string& subject) = 0;
  virtual std::vector<RoleBinding> list_bindings() = 0;

  virtual int64_t append_audit(const AuditRecord& record) = 0;
  virtual std::vector<AuditRecord> audit_since(int64_t since_ms, int64_t limit) = 0;  // oldest first
};

// Opens (creating if needed) the access database at `path` (file mode 0600).
// Safe to open from several processes; one AccessStore per thread.
std::unique_ptr<AccessStore> open_sqlite_access(const std::string& path);

}  // namespace rampart::store
