#include "common/secret_forms.h"

#include <algorithm>
#include <set>

#include <nlohmann/json.hpp>

namespace rampart {
namespace {

constexpr size_t kMinLineBytes = 4;
constexpr size_t kMinBase64Fragment = 4;

bool is_blank(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\f' || c == '\v'; }

std::string_view trim(std::string_view s) {
  while (!s.empty() && is_blank(s.front())) s.remove_prefix(1);
  while (!s.empty() && is_blank(s.back())) s.remove_suffix(1);
  return s;
}

bool is_alnum(unsigned char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }

std::string json_contents(std::string_view value, bool ascii) {
  std::string quoted =
      nlohmann::json(std::string(value)).dump(-1, ' ', ascii, nlohmann::json::error_handler_t::replace);
  return quoted.substr(1, quoted.size() - 2);
}

std::string replace_all(std::string_view text, char from, std::string_view to) {
  std::string out;
  for (char c : text) {
    if (c == from)
      out += to;
    else
      out += c;
  }
  return out;
}

std::string backslash_escaped(std::string_view text, std::string_view special) {
  std::string out;
  for (char c : text) {
    if (special.find(c) != std::string_view::npos) out += '\\';
    out += c;
  }
  return out;
}

// Unquoted shell words: what printf %q and hand-written scripts escape.
std::string shell_word(std::string_view text) { return backslash_escaped(text, " \t!\"#$&'()*;<>?[\\]`{|}~^"); }

std::string url_encoded(std::string_view text, bool upper, std::string_view keep, bool plus_for_space) {
  const char* digits = upper ? "0123456789ABCDEF" : "0123456789abcdef";
  std::string out;
  for (unsigned char c : text) {
    if (is_alnum(c) || c == '-' || c == '.' || c == '_' || c == '~' ||
        keep.find(static_cast<char>(c)) != std::string_view::npos) {
      out += static_cast<char>(c);
    } else if (plus_for_space && c == ' ') {
      out += '+';
    } else {
      out += '%';
      out += digits[c >> 4];
      out += digits[c & 15];
    }
  }
  return out;
}

std::string url_safe(std::string text) {
  std::replace(text.begin(), text.end(), '+', '-');
  std::replace(text.begin(), text.end(), '/', '_');
  return text;
}

std::string without_padding(std::string text) {
  while (!text.empty() && text.back() == '=') text.pop_back();
  return text;
}

// The characters of base64(blob) fixed by `value` alone when it starts `offset` bytes into a
// 3-byte group of the blob: character k encodes bits [6k, 6k+6) of the group-aligned data, and
// only those wholly inside the value's bits [8*offset, 8*(offset+n)) are fixed.
std::string embedded_base64(std::string_view value, size_t offset) {
  std::string data(offset, '\0');
  data.append(value);
  std::string encoded = base64_standard(data);
  size_t first = (8 * offset + 5) / 6;
  size_t last = 8 * (offset + value.size()) / 6;
  if (last <= first) return "";
  return encoded.substr(first, last - first);
}

void add_base64_forms(std::string_view c, std::set<std::string>& forms) {
  std::vector<std::string> standard = {base64_standard(c), base64_standard(std::string(c) + "\n")};
  for (const auto& s : standard) {
    forms.insert(s);
    forms.insert(without_padding(s));
    forms.insert(url_safe(s));
    forms.insert(without_padding(url_safe(s)));
  }
  for (size_t offset = 0; offset < 3; ++offset) {
    std::string fragment = embedded_base64(c, offset);
    if (fragment.size() < kMinBase64Fragment) continue;
    forms.insert(fragment);
    forms.insert(url_safe(fragment));
  }
  // Wrapped output: each line is a slice of the value's aligned characters; the last line also
  // encodes whatever followed the value (a newline, padding), so only its fixed start is used.
  const std::string aligned = embedded_base64(c, 0);
  for (size_t width : {64u, 76u}) {
    if (aligned.size() <= width) continue;
    for (size_t at = 0; at < aligned.size(); at += width) {
      std::string line = aligned.substr(at, width);
      if (line.size() >= kMinBase64Fragment) forms.insert(line);
    }
  }
}

void add_text_forms(std::string_view c, std::set<std::string>& forms) {
  forms.emplace(c);
  forms.insert(json_contents(c, false));
  forms.insert(json_contents(c, true));
  forms.insert(replace_all(c, '\'', "'\\''"));
  forms.insert(replace_all(c, '\'', "'\"'\"'"));
  forms.insert(backslash_escaped(c, "\\\"$`"));
  forms.insert(shell_word(c));
  forms.insert(url_encoded(c, true, "", false));
  forms.insert(url_encoded(c, false, "", false));
  forms.insert(url_encoded(c, true, "/", false));
  forms.insert(url_encoded(c, true, "", true));
}

}  // namespace

std::string base64_standard(std::string_view bytes) {
  static constexpr char kAlphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  out.reserve((bytes.size() + 2) / 3 * 4);
  size_t i = 0;
  for (; i + 3 <= bytes.size(); i += 3) {
    uint32_t v = (uint32_t(uint8_t(bytes[i])) << 16) | (uint32_t(uint8_t(bytes[i + 1])) << 8) | uint8_t(bytes[i + 2]);
    for (int shift : {18, 12, 6, 0}) out += kAlphabet[(v >> shift) & 63];
  }
  size_t rest = bytes.size() - i;
  if (rest > 0) {
    uint32_t v = uint32_t(uint8_t(bytes[i])) << 16;
    if (rest == 2) v |= uint32_t(uint8_t(bytes[i + 1])) << 8;
    out += kAlphabet[(v >> 18) & 63];
    out += kAlphabet[(v >> 12) & 63];
    out += rest == 2 ? kAlphabet[(v >> 6) & 63] : '=';
    out += '=';
  }
  return out;
}

std::vector<std::string> secret_lines(std::string_view value) {
  std::vector<std::string> out;
  if (trim(value).find('\n') == std::string_view::npos) return out;
  size_t start = 0;
  while (start <= value.size()) {
    size_t end = value.find('\n', start);
    if (end == std::string_view::npos) end = value.size();
    std::string_view line = trim(value.substr(start, end - start));
    if (line.size() >= kMinLineBytes) out.emplace_back(line);
    start = end + 1;
  }
  return out;
}

std::vector<std::string> secret_forms(std::string_view value) {
  std::set<std::string> forms;
  if (value.empty()) return {};
  std::string_view trimmed = trim(value);
  for (std::string_view whole : {value, trimmed}) {
    if (whole.empty()) continue;
    add_text_forms(whole, forms);
    add_base64_forms(whole, forms);
  }
  for (const auto& line : secret_lines(value)) add_text_forms(line, forms);
  forms.erase("");
  return {forms.begin(), forms.end()};
}

}  // namespace rampart
