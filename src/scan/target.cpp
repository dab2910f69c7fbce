#include "scan/target.h"

#include <algorithm>
#include <cctype>
#include <fstream>
#include <stdexcept>

#include "net/url.h"

namespace rampart::scan {

namespace {

bool valid_host(const std::string& host) {
  if (host.empty() || host.size() > 253) return false;
  if (host.find(':') != std::string::npos) {  // IPv6
    return std::all_of(host.begin(), host.end(),
                       [](unsigned char c) { return std::isxdigit(c) || c == ':' || c == '.'; });
  }
  if (host.front() == '-' || host.front() == '.') return false;
  return std::all_of(host.begin(), host.end(),
                     [](unsigned char c) { return std::isalnum(c) || c == '-' || c == '.' || c == '_'; });
}

std::optional<uint16_t> parse_port(const std::string& text) {
  if (text.empty() || text.size() > 5 ||
      !std::all_of(text.begin(), text.end(), [](unsigned char c) { return std::isdigit(c); })) {
    return std::nullopt;
  }
  int v = std::stoi(text);
  if (v < 1 || v > 65535) return std::nullopt;
  return static_cast<uint16_t>(v);
}

std::string lower(std::string s) {
  for (auto& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

}  // namespace

std::optional<std::vector<Candidate>> expand_target(const std::string& text, std::string* error) {
  auto fail = [&](const std::string& why) -> std::optional<std::vector<Candidate>> {
    if (error) *error = "invalid target \"" + text + "\": " + why;
    return std::nullopt;
  };
  if (text.empty()) return fail("empty");
  if (text.find("://") != std::string::npos) {
    auto url = net::parse_url(text);
    if (!url) return fail("not an http(s) URL");
    if (!valid_host(url->host)) return fail("bad host");
    Candidate c{text, url->host, url->port, url->scheme, ""};
    std::string path = url->target.substr(0, url->target.find('?'));
    while (!path.empty() && path.back() == '/') path.pop_back();
    c.base_path = path;
    return std::vector<Candidate>{c};
  }
  if (text.find('/') != std::string::npos) return fail("a path needs a scheme (http:// or https://)");
  std::string host = text;
  std::optional<uint16_t> port;
  if (text.front() == '[') {
    auto close = text.find(']');
    if (close == std::string::npos) return fail("unclosed '['");
    host = text.substr(1, close - 1);
    std::string rest = text.substr(close + 1);
    if (!rest.empty()) {
      if (rest.front() != ':' || !(port = parse_port(rest.substr(1)))) return fail("bad port");
    }
  } else if (std::count(text.begin(), text.end(), ':') == 1) {
    auto colon = text.find(':');
    host = text.substr(0, colon);
    if (!(port = parse_port(text.substr(colon + 1)))) return fail("bad port");
  }
  host = lower(host);
  if (!valid_host(host)) return fail("bad host");
  std::vector<Candidate> out;
  if (port) {
    out.push_back({text, host, *port, "", ""});
  } else {
    for (uint16_t p : kDefaultPorts) out.push_back({text, host, p, "", ""});
  }
  return out;
}

std::vector<std::string> read_targets_file(const std::string& path) {
  std::ifstream in(path);
  if (!in) throw std::runtime_error("cannot read targets file " + path);
  std::vector<std::string> out;
  for (std::string line; std::getline(in, line);) {
    auto hash = line.find('#');
    if (hash != std::string::npos) line.erase(hash);
    auto first = line.find_first_not_of(" \t\r");
    if (first == std::string::npos) continue;
    auto last = line.find_last_not_of(" \t\r");
    out.push_back(line.substr(first, last - first + 1));
  }
  return out;
}

}  // namespace rampart::scan
