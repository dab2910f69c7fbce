#include "server/token_service.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sodium.h>

#include <stdexcept>

namespace rampart::server {

namespace {

constexpr size_t kIdBytes = 8;       // 16 hex characters: a lookup key, not a secret
constexpr size_t kSecretBytes = 32;  // 256 bits
constexpr int64_t kCacheMs = 1000;

void ensure_sodium() {
  static const bool ready = sodium_init() >= 0;
  if (!ready) throw std::runtime_error("libsodium failed to initialise");
}

std::string hex(const unsigned char* data, size_t size) {
  std::string out(size * 2 + 1, '\0');
  sodium_bin2hex(out.data(), out.size(), data, size);
  out.pop_back();
  return out;
}

bool is_hex(std::string_view s, size_t length) {
  return s.size() == length && s.find_first_not_of("0123456789abcdef") == std::string_view::npos;
}

// Reads the 32-byte hashing key, creating it (0600) on first use.
std::string load_or_create_key(const std::string& path) {
  ensure_sodium();
  unsigned char key[crypto_generichash_KEYBYTES];
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd >= 0) {
    ssize_t n = ::read(fd, key, sizeof key);
    ::close(fd);
    if (n != static_cast<ssize_t>(sizeof key)) throw std::runtime_error(path + " is damaged (expected 32 bytes)");
    return std::string(reinterpret_cast<char*>(key), sizeof key);
  }
  randombytes_buf(key, sizeof key);
  fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (fd < 0) {
    // Another process created it first: use theirs.
    return load_or_create_key(path);
  }
  bool ok = ::write(fd, key, sizeof key) == static_cast<ssize_t>(sizeof key) && ::fsync(fd) == 0;
  ::close(fd);
  if (!ok) throw std::runtime_error("cannot write " + path);
  return std::string(reinterpret_cast<char*>(key), sizeof key);
}

}  // namespace

TokenService::TokenService(store::AccessStore& store, std::string hash_key_path)
    : store_(store), key_(load_or_create_key(hash_key_path)) {}

std::string TokenService::token_id_of(std::string_view token) {
  // rampart_<16 hex id>_<64 hex secret>
  if (token.size() != 8 + kIdBytes * 2 + 1 + kSecretBytes * 2 || token.substr(0, 8) != "rampart_") return {};
  std::string_view id = token.substr(8, kIdBytes * 2);
  if (!is_hex(id, kIdBytes * 2) || token[8 + kIdBytes * 2] != '_') return {};
  return std::string(id);
}

namespace {
std::string keyed_hash(const std::string& key, std::string_view text) {
  unsigned char out[32];
  crypto_generichash(out, sizeof out, reinterpret_cast<const unsigned char*>(text.data()), text.size(),
                     reinterpret_cast<const unsigned char*>(key.data()), key.size());
  return hex(out, sizeof out);
}
}  // namespace

CreatedToken TokenService::create(const std::string& subject, int64_t ttl_seconds, const std::string& description,
                                  int64_t now_ms) {
  if (subject.empty() || subject.size() > 128) throw std::invalid_argument("a token's subject must be 1 to 128 characters");
  unsigned char id[kIdBytes], secret[kSecretBytes];
  randombytes_buf(id, sizeof id);
  randombytes_buf(secret, sizeof secret);
  CreatedToken created;
  created.record.id = hex(id, sizeof id);
  std::string secret_hex = hex(secret, sizeof secret);
  sodium_memzero(secret, sizeof secret);
  created.token = "rampart_" + created.record.id + "_" + secret_hex;
  created.record.subject = subject;
  created.record.secret_hash = keyed_hash(key_, secret_hex);
  sodium_memzero(secret_hex.data(), secret_hex.size());
  created.record.description = description;
  created.record.created_ms = now_ms;
  created.record.expires_ms = ttl_seconds > 0 ? now_ms + ttl_seconds * 1000 : 0;
  std::lock_guard lock(mutex_);
  store_.put_token(created.record);
  return created;
}

std::optional<Subject> TokenService::authenticate(std::string_view token, int64_t now_ms) {
  std::string id = token_id_of(token);
  if (id.empty()) return std::nullopt;
  std::string_view secret = token.substr(8 + kIdBytes * 2 + 1);
  if (!is_hex(secret, kSecretBytes * 2)) return std::nullopt;
  std::string presented = keyed_hash(key_, secret);
  std::string cache_key = id + ":" + presented;

  std::lock_guard lock(mutex_);
  if (auto it = cache_.find(cache_key); it != cache_.end() && now_ms >= it->second.checked_ms &&
                                        now_ms - it->second.checked_ms < kCacheMs) {
    auto& cached = it->second.subject;
    if (!cached) return std::nullopt;
    if (cached->token_id.empty()) return std::nullopt;
    return cached;
  }
  if (cache_.size() > 10000) cache_.clear();  // bounded: wrong guesses must not grow it forever

  std::optional<Subject> result;
  auto record = store_.get_token(id);
  if (record && record->secret_hash.size() == presented.size() &&
      sodium_memcmp(record->secret_hash.data(), presented.data(), presented.size()) == 0 && record->revoked_ms == 0 &&
      (record->expires_ms == 0 || now_ms < record->expires_ms)) {
    Subject subject;
    subject.name = record->subject;
    subject.token_id = record->id;
    for (const auto& b : store_.bindings_of(record->subject)) {
      if (auto role = parse_role(b.role)) subject.roles[b.namespace_] = *role;
    }
    result = std::move(subject);
  }
  // An expiry inside the cache window must still take effect on time.
  int64_t checked = now_ms;
  if (result && record->expires_ms != 0 && record->expires_ms - now_ms < kCacheMs) checked = record->expires_ms - kCacheMs;
  cache_[cache_key] = Cached{result, checked};
  return result;
}

std::vector<store::TokenRecord> TokenService::list() {
  std::lock_guard lock(mutex_);
  return store_.list_tokens();
}

bool TokenService::revoke(const std::string& id, int64_t now_ms) {
  std::lock_guard lock(mutex_);
  bool known = store_.revoke_token(id, now_ms);
  for (auto it = cache_.begin(); it != cache_.end();) {
    it = it->first.rfind(id + ":", 0) == 0 ? cache_.erase(it) : std::next(it);
  }
  return known;
}

Subject TokenService::subject_named(const std::string& name) {
  std::lock_guard lock(mutex_);
  Subject subject;
  subject.name = name;
  for (const auto& b : store_.bindings_of(name)) {
    if (auto role = parse_role(b.role)) subject.roles[b.namespace_] = *role;
  }
  return subject;
}

}  // namespace rampart::server
