// URLs as the HTTP client and the scanner need them: scheme, host, port, path+query.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

namespace rampart::net {

struct Url {
  std::string scheme;        // "http" or "https"
  std::string host;          // without IPv6 brackets
  uint16_t port = 0;         // always set: the scheme's default when the URL has none
  std::string target = "/";  // path and query, starting with '/'

  // "host:port" with brackets around IPv6 hosts.
  std::string authority() const;
  // scheme://authority (no path).
  std::string origin() const;
  std::string to_string() const { return origin() + target; }
};

// Parses http(s)://host[:port][/path]; nullopt on anything else (other schemes, user info,
// empty host, port out of range).
std::optional<Url> parse_url(const std::string& text);

// True for 127.0.0.0/8, ::1, ::ffff:127.x and "localhost".
bool is_loopback_host(const std::string& host);

}  // namespace rampart::net
