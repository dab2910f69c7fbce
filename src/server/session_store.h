// Browser sessions for the dashboard. A browser logs in by presenting a bearer token once
// (POST /api/v1/session with Authorization: Bearer ...); it gets an HttpOnly, Secure,
// SameSite=Strict cookie and a CSRF token that every state-changing request must echo in the
// X-CSRF-Token header. Sessions live in memory (a restart logs everyone out), last at most
// 12 hours, and die with the token they came from.
#pragma once

#include <cstdint>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>

namespace rampart::server {

struct Session {
  std::string token;       // the bearer token it was made from, re-checked on every use
  std::string csrf;        // 64 hex characters
  int64_t expires_ms = 0;
};

class SessionStore {
 public:
  static constexpr int64_t kLifetimeMs = 12 * 3600 * 1000;
  static constexpr const char* kCookie = "rampart_session";

  // Returns the cookie value (shown to the browser only).
  std::string create(const std::string& token, int64_t now_ms, std::string* csrf);
  std::optional<Session> find(const std::string& cookie_value, int64_t now_ms);
  void remove(const std::string& cookie_value);

  // The value of the session cookie in a Cookie header, or "".
  static std::string cookie_from_header(const std::string& cookie_header);

 private:
  std::mutex mutex_;
  std::unordered_map<std::string, Session> sessions_;  // keyed by a hash of the cookie value
};

}  // namespace rampart::server
