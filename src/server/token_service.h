// API tokens: random secrets (libsodium) shown once, stored only as keyed hashes, with a
// subject, an expiry and revocation. The wire format is "rampart_<id>_<secret>", so that a
// lookup needs no scan and a leaked token is easy to recognise (secret scanners, logs).
#pragma once

#include <cstdint>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "server/access.h"
#include "store/access_store.h"

namespace rampart::server {

struct CreatedToken {
  store::TokenRecord record;
  std::string token;  // the full bearer value; the only time it exists outside the client
};

class TokenService {
 public:
  // `hash_key_path`: a 32-byte random key file (created 0600 if missing) that keys the token
  // hashes, so a stolen access.db alone cannot be used to test guesses offline.
  TokenService(store::AccessStore& store, std::string hash_key_path);

  // ttl_seconds 0 = never expires.
  CreatedToken create(const std::string& subject, int64_t ttl_seconds, const std::string& description, int64_t now_ms);

  // The subject (with its role bindings) for a bearer token, or nullopt when the token is
  // malformed, unknown, expired or revoked. Constant-time comparison of hashes. Results are
  // cached for at most a second, so revocation from another process takes effect within 1 s.
  // Thread-safe.
  std::optional<Subject> authenticate(std::string_view token, int64_t now_ms);

  // The token id of a well-formed token (for rate limiting by token), or "".
  static std::string token_id_of(std::string_view token);

  std::vector<store::TokenRecord> list();
  bool revoke(const std::string& id, int64_t now_ms);

  // Role bindings of a subject, as a Subject without token.
  Subject subject_named(const std::string& name);

 private:
  std::mutex mutex_;
  store::AccessStore& store_;
  std::string key_;  // 32 bytes
  struct Cached {
    std::optional<Subject> subject;
    int64_t checked_ms = 0;
  };
  std::unordered_map<std::string, Cached> cache_;  // keyed by hash of the full token
};

}  // namespace rampart::server
