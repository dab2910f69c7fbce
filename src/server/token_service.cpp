#include "server/token_service.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sodium.h>

#include <cerrno>
#include <cstring>
#include <stdexcept>

namespace rampart::server {

namespace {

constexpr size_t kIdBytes = 8;       // 16 hex characters: a lookup key, not a secret
constexpr size_t kSecretBytes = 32;  // 256 bits
constexpr int64_t kCacheMs = 1000;
constexpr int64_t kMaxTtlSeconds = int64_t{100} * 366 * 86400;  // keeps expiry arithmetic far from overflow

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

std::string read_key(int fd, const std::string& path) {
  unsigned char key[crypto_generichash_KEYBYTES + 1];
  ssize_t n = ::read(fd, key, sizeof key);
  // Not the key's bytes: they are a secret, and the path says enough.
  if (n != static_cast<ssize_t>(crypto_generichash_KEYBYTES)) {
    throw std::runtime_error(path +
                             " is damaged (expected 32 bytes); remove it to start over (every token is then invalid)");
  }
  std::string out(reinterpret_cast<char*>(key), crypto_generichash_KEYBYTES);
  sodium_memzero(key, sizeof key);
  return out;
}

// Reads the 32-byte hashing key, creating it (0600) on first use. Created under a temporary name
// and linked into place, so a concurrent reader (the CLI while the server starts) never sees a
// half-written key, and two creators agree on one key.
std::string load_or_create_key(const std::string& path) {
  ensure_sodium();
  for (int attempt = 0; attempt < 3; ++attempt) {
    int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd >= 0) {
      struct stat st {};
      // A key readable by others lets them test guesses offline against a copied access.db.
      if (::fstat(fd, &st) == 0 && (st.st_mode & 077) != 0 && st.st_uid == ::geteuid()) ::fchmod(fd, 0600);
      try {
        std::string key = read_key(fd, path);
        ::close(fd);
        return key;
      } catch (...) {
        ::close(fd);
        throw;
      }
    }
    if (errno != ENOENT) throw std::runtime_error("cannot open " + path + ": " + std::strerror(errno));

    std::string temp = path + ".tmp-XXXXXX";
    fd = ::mkstemp(temp.data());  // mode 0600
    if (fd < 0) throw std::runtime_error("cannot create " + path + ": " + std::strerror(errno));
    unsigned char key[crypto_generichash_KEYBYTES];
    randombytes_buf(key, sizeof key);
    bool ok =
        ::fchmod(fd, 0600) == 0 && ::write(fd, key, sizeof key) == static_cast<ssize_t>(sizeof key) && ::fsync(fd) == 0;
    sodium_memzero(key, sizeof key);
    ::close(fd);
    int linked = ok ? ::link(temp.c_str(), path.c_str()) : -1;
    int link_errno = errno;
    ::unlink(temp.c_str());
    if (!ok) throw std::runtime_error("cannot write " + path);
    if (linked != 0 && link_errno != EEXIST) {
      throw std::runtime_error("cannot create " + path + ": " + std::strerror(link_errno));
    }
    // Linked (ours) or EEXIST (another process won): either way, read what is there now.
  }
  throw std::runtime_error("cannot create " + path);
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
  if (!is_valid_subject(subject)) {
    throw std::invalid_argument("a token's subject must be 1 to 128 letters, digits or . _ @ + -");
  }
  if (ttl_seconds < 0 || ttl_seconds > kMaxTtlSeconds)
    throw std::invalid_argument("a token's lifetime must be 0 (never expires) to 100 years");
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
  if (auto it = cache_.find(cache_key);
      it != cache_.end() && now_ms >= it->second.checked_ms && now_ms - it->second.checked_ms < kCacheMs) {
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
  if (result && record->expires_ms != 0 && record->expires_ms - now_ms < kCacheMs)
    checked = record->expires_ms - kCacheMs;
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
