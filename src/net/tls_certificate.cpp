#include "net/tls_certificate.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <memory>
#include <stdexcept>

#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

namespace rampart::net {

namespace {

template <typename T, void (*Free)(T*)>
struct Deleter {
  void operator()(T* p) const { Free(p); }
};
using KeyPtr = std::unique_ptr<EVP_PKEY, Deleter<EVP_PKEY, EVP_PKEY_free>>;
using CertPtr = std::unique_ptr<X509, Deleter<X509, X509_free>>;

[[noreturn]] void fail(const std::string& what) { throw std::runtime_error(what); }

bool is_ip_address(const std::string& host) {
  return host.find_first_not_of("0123456789.") == std::string::npos || host.find(':') != std::string::npos;
}

// Opens a new file for writing with `mode`, replacing any partial leftover.
FILE* create_private(const std::string& path, mode_t mode) {
  ::unlink(path.c_str());
  int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode);
  if (fd < 0) fail("cannot create " + path);
  FILE* f = ::fdopen(fd, "w");
  if (!f) {
    ::close(fd);
    fail("cannot open " + path);
  }
  return f;
}

}  // namespace

bool ensure_self_signed(const std::string& cert_path, const std::string& key_path,
                        const std::vector<std::string>& hosts) {
  namespace fs = std::filesystem;
  if (fs::exists(cert_path) && fs::exists(key_path)) return false;

  KeyPtr key(EVP_EC_gen("P-256"));
  if (!key) fail("cannot generate a TLS key");

  CertPtr cert(X509_new());
  X509_set_version(cert.get(), 2);
  unsigned char serial[16];
  FILE* urandom = std::fopen("/dev/urandom", "rb");
  if (!urandom || std::fread(serial, 1, sizeof serial, urandom) != sizeof serial) fail("cannot read /dev/urandom");
  std::fclose(urandom);
  serial[0] &= 0x7f;  // positive
  BIGNUM* bn = BN_bin2bn(serial, sizeof serial, nullptr);
  BN_to_ASN1_INTEGER(bn, X509_get_serialNumber(cert.get()));
  BN_free(bn);
  X509_gmtime_adj(X509_getm_notBefore(cert.get()), -3600);
  X509_gmtime_adj(X509_getm_notAfter(cert.get()), 10L * 365 * 24 * 3600);
  X509_set_pubkey(cert.get(), key.get());
  X509_NAME* name = X509_get_subject_name(cert.get());
  X509_NAME_add_entry_by_txt(name, "O", MBSTRING_ASC, reinterpret_cast<const unsigned char*>("rampart"), -1, -1, 0);
  X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC,
                             reinterpret_cast<const unsigned char*>(hosts.empty() ? "localhost" : hosts[0].c_str()), -1,
                             -1, 0);
  X509_set_issuer_name(cert.get(), name);

  std::string san;
  for (const auto& h : hosts) {
    if (!san.empty()) san += ",";
    san += (is_ip_address(h) ? "IP:" : "DNS:") + h;
  }
  X509V3_CTX ctx;
  X509V3_set_ctx_nodb(&ctx);
  X509V3_set_ctx(&ctx, cert.get(), cert.get(), nullptr, nullptr, 0);
  auto add_ext = [&](int nid, const std::string& value) {
    X509_EXTENSION* ext = X509V3_EXT_conf_nid(nullptr, &ctx, nid, value.c_str());
    if (!ext) fail("cannot build certificate extension " + value);
    X509_add_ext(cert.get(), ext, -1);
    X509_EXTENSION_free(ext);
  };
  if (!san.empty()) add_ext(NID_subject_alt_name, san);
  add_ext(NID_basic_constraints, "critical,CA:FALSE");
  add_ext(NID_ext_key_usage, "serverAuth");
  if (!X509_sign(cert.get(), key.get(), EVP_sha256())) fail("cannot sign the TLS certificate");

  fs::create_directories(fs::path(key_path).parent_path());
  FILE* kf = create_private(key_path, 0600);
  bool key_ok = PEM_write_PrivateKey(kf, key.get(), nullptr, nullptr, 0, nullptr, nullptr) == 1;
  if (std::fclose(kf) != 0 || !key_ok) fail("cannot write " + key_path);
  FILE* cf = create_private(cert_path, 0644);
  bool cert_ok = PEM_write_X509(cf, cert.get()) == 1;
  if (std::fclose(cf) != 0 || !cert_ok) fail("cannot write " + cert_path);
  return true;
}

std::string certificate_fingerprint(const std::string& cert_path) {
  FILE* f = std::fopen(cert_path.c_str(), "r");
  if (!f) fail("cannot read " + cert_path);
  CertPtr cert(PEM_read_X509(f, nullptr, nullptr, nullptr));
  std::fclose(f);
  if (!cert) fail(cert_path + " is not a PEM certificate");
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  if (!X509_digest(cert.get(), EVP_sha256(), digest, &length)) fail("cannot hash " + cert_path);
  static const char* hex = "0123456789ABCDEF";
  std::string out = "sha256:";
  for (unsigned i = 0; i < length; ++i) {
    if (i) out += ':';
    out += hex[digest[i] >> 4];
    out += hex[digest[i] & 15];
  }
  return out;
}

}  // namespace rampart::net
