#include "exec/kubernetes/kube_names.h"

#include <cctype>
#include <cstdint>
#include <cstdio>

namespace rampart::exec::kube {

namespace {

// FNV-1a: short, stable across builds; it only has to tell truncated names apart.
std::string short_hash(const std::string& s) {
  uint32_t h = 2166136261u;
  for (unsigned char c : s) h = (h ^ c) * 16777619u;
  char buf[9];
  std::snprintf(buf, sizeof buf, "%08x", h);
  return buf;
}

bool alnum(char c) { return std::isalnum(static_cast<unsigned char>(c)) != 0; }

std::string trim_to_alnum(std::string s) {
  while (!s.empty() && !alnum(s.front())) s.erase(s.begin());
  while (!s.empty() && !alnum(s.back())) s.pop_back();
  return s;
}

std::string shorten(const std::string& cleaned, const std::string& original, size_t max) {
  if (cleaned.size() <= max) return cleaned;
  return trim_to_alnum(cleaned.substr(0, max - 9)) + "-" + short_hash(original);
}

}  // namespace

std::string dns_subdomain(const std::string& name, size_t max) {
  // Dots become dashes too: each dot-separated part would have to start and end alphanumeric,
  // and one DNS label's worth of rules is simpler to keep.
  std::string out;
  for (char c : name) {
    char l = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    char next = alnum(l) ? l : '-';
    if (next == '-' && !out.empty() && out.back() == '-') continue;
    out += next;
  }
  out = trim_to_alnum(out);
  bool changed = out != name;
  out = shorten(out, name, max);
  if (changed && out.empty()) return "";
  return out;
}

std::string label_value(const std::string& value) {
  std::string out;
  for (char c : value) out += (alnum(c) || c == '-' || c == '_' || c == '.') ? c : '-';
  return trim_to_alnum(shorten(trim_to_alnum(out), value, 63));
}

}  // namespace rampart::exec::kube
