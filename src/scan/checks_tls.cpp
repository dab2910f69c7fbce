// TLS: missing, old protocol, weak cipher, legacy protocols still accepted, certificate.
#include <algorithm>
#include <cctype>

#include "scan/checks.h"

namespace rampart::scan {

namespace {

bool weak_cipher(std::string cipher) {
  for (auto& c : cipher) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  for (const char* bad : {"RC4", "DES", "NULL", "EXP", "MD5", "ADH", "AECDH", "ANON"}) {
    if (cipher.find(bad) != std::string::npos) return true;
  }
  return false;
}

bool old_protocol(const std::string& protocol) {
  return protocol == "TLSv1" || protocol == "TLSv1.1" || protocol == "SSLv3" || protocol == "SSLv2";
}

}  // namespace

void check_tls(const Probe& probe, std::vector<Finding>& out) {
  const auto* info = probe.get(kInfoPath);
  if (!info || !info->ok()) return;
  if (probe.scheme == "http") {
    // Only where an API answers (open, asking for a login, or redirecting to one).
    if (info->status == 200 || info->status == 401 || info->status == 403 || is_redirect(info)) {
      out.push_back(
          make_finding("tls.missing", probe.url(kInfoPath),
                       {{"scheme", "http"}, {"https_tried", probe.scheme_guessed}, {"status", info->status}}));
    }
    return;
  }
  const auto& tls = info->tls;
  if (old_protocol(tls.protocol)) {
    out.push_back(make_finding("tls.weak-protocol", probe.base, {{"protocol", tls.protocol}, {"cipher", tls.cipher}}));
  }
  if (weak_cipher(tls.cipher)) {
    out.push_back(make_finding("tls.weak-cipher", probe.base, {{"protocol", tls.protocol}, {"cipher", tls.cipher}}));
  }
  if (probe.legacy_tls && probe.legacy_tls->tls.used && !old_protocol(tls.protocol)) {
    out.push_back(
        make_finding("tls.legacy-protocol-accepted", probe.base,
                     {{"protocol", probe.legacy_tls->tls.protocol}, {"cipher", probe.legacy_tls->tls.cipher}}));
  }
  if (!probe.pinned_fingerprint.empty()) {
    if (tls.fingerprint != probe.pinned_fingerprint) {
      out.push_back(make_finding("tls.fingerprint-mismatch", probe.base,
                                 {{"expected", probe.pinned_fingerprint}, {"served", tls.fingerprint}}));
    }
  } else if (!tls.verified) {
    out.push_back(make_finding("tls.certificate-unverified", probe.base,
                               {{"verify_error", tls.verify_error},
                                {"fingerprint", tls.fingerprint},
                                {"subject", tls.subject.substr(0, 120)}}));
  }
}

}  // namespace rampart::scan
