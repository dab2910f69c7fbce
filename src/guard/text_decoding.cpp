#include "guard/text_decoding.h"

#include "exec/kubernetes/output_framing.h"

namespace rampart::guard {

namespace {

bool is_base64_char(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '+' || c == '/' ||
         c == '-' || c == '_';
}

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

}  // namespace

bool decode_base64(std::string_view text, std::string* out) {
  // One decoder in the code base (exec's); the URL-safe alphabet and missing padding are mapped
  // onto it here.
  std::string normal;
  normal.reserve(text.size() + 2);
  for (char c : text) {
    if (c == ' ' || c == '\t' || c == '\n' || c == '\r') continue;
    normal += c == '-' ? '+' : c == '_' ? '/' : c;
  }
  if (normal.empty()) return false;
  size_t data = normal.find('=');
  size_t length = data == std::string::npos ? normal.size() : data;
  if (length % 4 == 1) return false;
  if (data == std::string::npos) normal.append((4 - length % 4) % 4, '=');
  bool ok = false;
  *out = exec::kube::base64_decode(normal, &ok);
  return ok;
}

bool decode_hex(std::string_view text, std::string* out) {
  out->clear();
  int high = -1;
  for (char c : text) {
    if (c == ' ' || c == '\t' || c == '\n' || c == '\r') continue;
    int v = hex_value(c);
    if (v < 0) return false;
    if (high < 0) {
      high = v;
    } else {
      *out += static_cast<char>(high * 16 + v);
      high = -1;
    }
  }
  return high < 0 && !out->empty();
}

std::string decode_ansi_c(std::string_view body) {
  std::string out;
  for (size_t i = 0; i < body.size(); ++i) {
    char c = body[i];
    if (c != '\\' || i + 1 >= body.size()) {
      out += c;
      continue;
    }
    char e = body[++i];
    auto digits = [&](size_t max, int base) {
      int value = 0;
      size_t n = 0;
      while (n < max && i + 1 < body.size()) {
        int d =
            base == 16 ? hex_value(body[i + 1]) : (body[i + 1] >= '0' && body[i + 1] <= '7' ? body[i + 1] - '0' : -1);
        if (d < 0) break;
        value = value * base + d;
        ++i;
        ++n;
      }
      return n ? value : -1;
    };
    switch (e) {
      case 'n': out += '\n'; break;
      case 't': out += '\t'; break;
      case 'r': out += '\r'; break;
      case 'a': out += '\a'; break;
      case 'e':
      case 'E': out += '\x1b'; break;
      case 'x': {
        int v = digits(2, 16);
        out += v < 0 ? std::string("\\x") : std::string(1, static_cast<char>(v));
        break;
      }
      case 'u': {
        int v = digits(4, 16);
        out += v < 0 || v > 0x7f ? std::string("?") : std::string(1, static_cast<char>(v));
        break;
      }
      case '0':
      case '1':
      case '2':
      case '3':
      case '4':
      case '5':
      case '6':
      case '7': {
        --i;  // the first digit is part of the number
        int v = digits(3, 8);
        out += static_cast<char>(v & 0xff);
        break;
      }
      default: out += e; break;
    }
  }
  return out;
}

bool is_printable_text(std::string_view text) {
  if (text.empty()) return false;
  size_t printable = 0;
  for (char ch : text) {
    auto c = static_cast<unsigned char>(ch);
    if ((c >= 0x20 && c < 0x7f) || c == '\n' || c == '\t' || c == '\r') ++printable;
  }
  return printable * 10 >= text.size() * 9;
}

std::vector<std::string_view> base64_candidates(std::string_view text, size_t min_length, size_t max_count) {
  std::vector<std::string_view> out;
  size_t i = 0;
  while (i < text.size() && out.size() < max_count) {
    if (!is_base64_char(text[i])) {
      ++i;
      continue;
    }
    size_t start = i;
    while (i < text.size() && is_base64_char(text[i])) ++i;
    size_t end = i;
    while (i < text.size() && text[i] == '=' && i - end < 2) ++i;
    if (end - start >= min_length) out.push_back(text.substr(start, i - start));
  }
  return out;
}

}  // namespace rampart::guard
