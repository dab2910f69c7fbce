#include "server/session_store.h"

#include <sodium.h>

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

std::string SessionStore::create(const std::string& token, int64_t now_ms, std::string* csrf) {
  std::string cookie = random_hex(32);
  Session s{token, random_hex(32), now_ms + kLifetimeMs};
  *csrf = s.csrf;
  std::lock_guard lock(mutex_);
  if (sessions_.size() > 100000) {
    for (auto it = sessions_.begin(); it != sessions_.end();) {
      it = it->second.expires_ms <= now_ms ? sessions_.erase(it) : std::next(it);
    }
  }
  sessions_[key_of(cookie)] = std::move(s);
  return cookie;
}

std::optional<Session> SessionStore::find(const std::string& cookie_value, int64_t now_ms) {
  if (cookie_value.size() != 64) return std::nullopt;
  std::lock_guard lock(mutex_);
  auto it = sessions_.find(key_of(cookie_value));
  if (it == sessions_.end()) return std::nullopt;
  if (it->second.expires_ms <= now_ms) {
    sessions_.erase(it);
    return std::nullopt;
  }
  return it->second;
}

void SessionStore::remove(const std::string& cookie_value) {
  std::lock_guard lock(mutex_);
  sessions_.erase(key_of(cookie_value));
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
