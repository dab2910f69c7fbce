#include "net/url.h"

#include <arpa/inet.h>

#include <algorithm>
#include <cctype>
#include <cstring>

namespace rampart::net {

std::string Url::authority() const {
  std::string h = host.find(':') != std::string::npos ? "[" + host + "]" : host;
  return h + ":" + std::to_string(port);
}

std::string Url::origin() const { return scheme + "://" + authority(); }

std::optional<Url> parse_url(const std::string& text) {
  Url url;
  auto sep = text.find("://");
  if (sep == std::string::npos) return std::nullopt;
  url.scheme = text.substr(0, sep);
  std::transform(url.scheme.begin(), url.scheme.end(), url.scheme.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  if (url.scheme != "http" && url.scheme != "https") return std::nullopt;
  std::string rest = text.substr(sep + 3);
  size_t end = rest.find_first_of("/?#");
  std::string authority = rest.substr(0, end);
  if (end != std::string::npos) {
    url.target = rest.substr(end);
    auto hash = url.target.find('#');
    if (hash != std::string::npos) url.target.erase(hash);
    if (url.target.empty() || url.target[0] != '/') url.target = "/" + url.target;
  }
  if (authority.empty() || authority.find('@') != std::string::npos) return std::nullopt;
  std::string port;
  if (authority[0] == '[') {
    auto close = authority.find(']');
    if (close == std::string::npos) return std::nullopt;
    url.host = authority.substr(1, close - 1);
    std::string after = authority.substr(close + 1);
    if (!after.empty()) {
      if (after[0] != ':') return std::nullopt;
      port = after.substr(1);
    }
  } else {
    auto colon = authority.rfind(':');
    if (colon != std::string::npos) {
      if (authority.find(':') != colon) return std::nullopt;  // bare IPv6 needs brackets
      port = authority.substr(colon + 1);
      url.host = authority.substr(0, colon);
    } else {
      url.host = authority;
    }
  }
  if (url.host.empty()) return std::nullopt;
  for (char& c : url.host) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  if (port.empty()) {
    url.port = url.scheme == "https" ? 443 : 80;
  } else {
    if (port.size() > 5 || !std::all_of(port.begin(), port.end(), [](unsigned char c) { return std::isdigit(c); })) {
      return std::nullopt;
    }
    int value = std::stoi(port);
    if (value < 1 || value > 65535) return std::nullopt;
    url.port = static_cast<uint16_t>(value);
  }
  return url;
}

bool is_loopback_host(const std::string& host) {
  if (host == "localhost" || host == "localhost.") return true;
  in_addr v4{};
  if (inet_pton(AF_INET, host.c_str(), &v4) == 1) return (ntohl(v4.s_addr) >> 24) == 127;
  in6_addr v6{};
  if (inet_pton(AF_INET6, host.c_str(), &v6) == 1) {
    static const unsigned char loopback[16] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1};
    if (std::memcmp(v6.s6_addr, loopback, 16) == 0) return true;
    static const unsigned char mapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
    return std::memcmp(v6.s6_addr, mapped, 12) == 0 && v6.s6_addr[12] == 127;
  }
  return false;
}

}  // namespace rampart::net
