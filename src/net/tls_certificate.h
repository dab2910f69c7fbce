// The server's TLS identity. TLS is always on: when no certificate is given, rampart makes a
// self-signed one on first start and keeps it, so that clients can pin its fingerprint.
#pragma once

#include <string>
#include <vector>

namespace rampart::net {

// Creates `cert_path` and `key_path` (mode 0600) with a fresh P-256 key and a self-signed
// certificate valid for ten years for `hosts` (DNS names or IP addresses, as subjectAltName),
// unless both files exist already. Returns true when it created them.
// Throws std::runtime_error naming the file on failure.
bool ensure_self_signed(const std::string& cert_path, const std::string& key_path,
                        const std::vector<std::string>& hosts);

// "sha256:AB:CD:..." of the DER form of the first certificate in a PEM file, as
// `openssl x509 -fingerprint -sha256` prints it. Throws std::runtime_error on failure.
std::string certificate_fingerprint(const std::string& cert_path);

}  // namespace rampart::net
