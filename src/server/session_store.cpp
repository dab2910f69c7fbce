#include "server/session_store.h"

#include <sodium.h>

#include <stdexcept>

namespace rampart::server {

namespace {

std::string random_hex(size_t bytes) {
  if (sodium_init() < 0) throw std::runtime_error("libsodium failed to initialise");
  std::string raw(bytes, '\0');
  randombytes_buf(raw.data(), raw.size());
  std::string out(bytes * 2 + 1, '\0');
  sodium_bin2hex(out.data(), out.size(), reinterpret_cast<const unsigned char*>(raw.data()), raw.size());
  out.pop_back();
  return out;
}

// Sessions are looked up by a hash, so the map never holds a usable cookie value.
std::string key_of(const std::string& cookie) {
  unsigned char out[32];
  crypto_generichash(out, sizeof out, reinterpret_cast<const unsigned char*>(cookie.data()), cookie.size(), nullptr, 0);
  return std::string(reinterpret_cast<char*>(out), sizeof out);
}

}  // namespace

SessionStore::SessionStore(SessionLimits limits) : limits_(limits) {
  if (limits_.max_per_subject == 0 || limits_.max_total == 0) {
    throw std::invalid_argument("session limits must be at least 1");
  }
}

std::string SessionStore::create(const std::string& subject, const std::string& token, int64_t now_ms,
                                 std::string* csrf) {
  std::string cookie = random_hex(32);
  Session s{token, random_hex(32), now_ms + kLifetimeMs};
  std::lock_guard lock(mutex_);
  purge_expired(now_ms);
  // One more login by the same subject ends its oldest session rather than being refused: the
  // user is at the keyboard, and the oldest browser is the one most likely forgotten.
  for (auto mine = by_subject_.find(subject);
       mine != by_subject_.end() && mine->second.size() >= limits_.max_per_subject; mine = by_subject_.find(subject)) {
    erase(sessions_.find(by_age_.at(*mine->second.begin())));
  }
  if (sessions_.size() >= limits_.max_total) {
    throw SessionStoreFull("the server holds its maximum of " + std::to_string(limits_.max_total) +
                           " browser sessions (--max-sessions); try again when some have ended");
  }
  *csrf = s.csrf;
  std::string key = key_of(cookie);
  uint64_t serial = next_serial_++;
  sessions_[key] = Entry{std::move(s), subject, serial};
  by_age_.emplace(serial, key);
  by_subject_[subject].insert(serial);
  return cookie;
}

std::optional<Session> SessionStore::find(const std::string& cookie_value, int64_t now_ms) {
  if (cookie_value.size() != 64) return std::nullopt;
  std::lock_guard lock(mutex_);
  auto it = sessions_.find(key_of(cookie_value));
  if (it == sessions_.end()) return std::nullopt;
  if (it->second.session.expires_ms <= now_ms) {
    erase(it);
    return std::nullopt;
  }
  return it->second.session;
}

void SessionStore::remove(const std::string& cookie_value) {
  std::lock_guard lock(mutex_);
  auto it = sessions_.find(key_of(cookie_value));
  if (it != sessions_.end()) erase(it);
}

size_t SessionStore::size() {
  std::lock_guard lock(mutex_);
  return sessions_.size();
}

size_t SessionStore::sessions_of(const std::string& subject) {
  std::lock_guard lock(mutex_);
  auto it = by_subject_.find(subject);
  return it == by_subject_.end() ? 0 : it->second.size();
}

void SessionStore::purge_expired(int64_t now_ms) {
  // Oldest first: every session lives kLifetimeMs, so the expired ones are a prefix.
  while (!by_age_.empty()) {
    auto it = sessions_.find(by_age_.begin()->second);
    if (it->second.session.expires_ms > now_ms) break;
    erase(it);
  }
}

void SessionStore::erase(std::unordered_map<std::string, Entry>::iterator it) {
  by_age_.erase(it->second.serial);
  auto subject = by_subject_.find(it->second.subject);
  subject->second.erase(it->second.serial);
  if (subject->second.empty()) by_subject_.erase(subject);
  sessions_.erase(it);
}

std::string SessionStore::cookie_from_header(const std::string& header) {
  std::string name = std::string(kCookie) + "=";
  size_t pos = 0;
  while (pos < header.size()) {
    while (pos < header.size() && (header[pos] == ' ' || header[pos] == ';')) ++pos;
    size_t end = header.find(';', pos);
    if (end == std::string::npos) end = header.size();
    if (header.compare(pos, name.size(), name) == 0) return header.substr(pos + name.size(), end - pos - name.size());
    pos = end;
  }
  return {};
}

}  // namespace rampart::server
