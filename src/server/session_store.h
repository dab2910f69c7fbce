// Browser sessions for the dashboard. A browser logs in by presenting a bearer token once
// (POST /api/v1/session with Authorization: Bearer ...); it gets an HttpOnly, Secure,
// SameSite=Strict cookie and a CSRF token that every state-changing request must echo in the
// X-CSRF-Token header. Sessions live in memory (a restart logs everyone out), last at most
// 12 hours, and die with the token they came from.
//
// Bounded: each subject holds at most `max_per_subject` live sessions (logging in once more
// ends that subject's oldest session, as signing in on one device too many does elsewhere), and
// the store as a whole at most `max_total` (beyond that a new login is refused until sessions
// expire or log out), so logging in in a loop cannot grow the server's memory.
#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <mutex>
#include <optional>
#include <set>
#include <stdexcept>
#include <string>
#include <unordered_map>

namespace rampart::server {

struct Session {
  std::string token;  // the bearer token it was made from, re-checked on every use
  std::string csrf;   // 64 hex characters
  int64_t expires_ms = 0;
};

struct SessionLimits {
  size_t max_per_subject = 32;  // --max-sessions-per-user
  size_t max_total = 100'000;   // --max-sessions
};

// Thrown by create() when the store holds max_total live sessions.
struct SessionStoreFull : std::runtime_error {
  using std::runtime_error::runtime_error;
};

class SessionStore {
 public:
  static constexpr int64_t kLifetimeMs = 12 * 3600 * 1000;
  static constexpr const char* kCookie = "rampart_session";

  explicit SessionStore(SessionLimits limits = {});

  // Starts a session for `subject` made from `token`; returns the cookie value (shown to the
  // browser only) and sets *csrf. Ends the subject's oldest session when it already holds
  // max_per_subject. Throws SessionStoreFull (naming the limit and its flag) when the whole
  // store is full of live sessions. Thread-safe.
  std::string create(const std::string& subject, const std::string& token, int64_t now_ms, std::string* csrf);
  // The live session for a cookie value, or nullopt (unknown, ended or expired). Thread-safe.
  std::optional<Session> find(const std::string& cookie_value, int64_t now_ms);
  // Ends a session; unknown values are ignored. Thread-safe.
  void remove(const std::string& cookie_value);
  // Live and not yet purged sessions (for tests and metrics). Thread-safe.
  size_t size();
  size_t sessions_of(const std::string& subject);

  // The value of the session cookie in a Cookie header, or "".
  static std::string cookie_from_header(const std::string& cookie_header);

 private:
  struct Entry {
    Session session;
    std::string subject;
    uint64_t serial = 0;  // creation order, which is also expiry order (one fixed lifetime)
  };
  // With mutex_ held.
  void purge_expired(int64_t now_ms);
  void erase(std::unordered_map<std::string, Entry>::iterator it);

  std::mutex mutex_;
  SessionLimits limits_;
  uint64_t next_serial_ = 0;
  std::unordered_map<std::string, Entry> sessions_;       // keyed by a hash of the cookie value
  std::map<uint64_t, std::string> by_age_;                // serial -> key, oldest first
  std::map<std::string, std::set<uint64_t>> by_subject_;  // subject -> serials of its sessions
};

}  // namespace rampart::server
