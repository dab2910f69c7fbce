#include "common/object_names.h"

namespace rampart {

namespace {

bool lower_alnum(char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'); }
bool alnum(char c) { return lower_alnum(c) || (c >= 'A' && c <= 'Z'); }

std::string fail(std::string_view value, const char* rule) { return shown_name(value) + " " + rule; }

// One DNS-1123 label; "" or the reason.
std::string label_problem(std::string_view value) {
  if (value.empty()) return "is empty";
  if (value.size() > 63) return "is longer than 63 characters";
  for (char c : value) {
    if (!lower_alnum(c) && c != '-') return "may contain only lower-case letters, digits and '-'";
  }
  if (!lower_alnum(value.front()) || !lower_alnum(value.back())) return "must start and end with a letter or digit";
  return "";
}

// Kubernetes' IsDNS1123Subdomain: at most 253 characters, parts of a-z, 0-9 and '-' (each
// starting and ending with a letter or digit) joined by '.'; a part may be longer than 63.
std::string subdomain_problem(std::string_view value) {
  if (value.empty()) return "is empty";
  if (value.size() > 253) return "is longer than 253 characters";
  size_t start = 0;
  while (true) {
    size_t dot = value.find('.', start);
    std::string_view part = value.substr(start, dot == std::string_view::npos ? std::string_view::npos : dot - start);
    if (part.empty()) return "may not have empty parts between dots";
    for (char c : part) {
      if (!lower_alnum(c) && c != '-') return "may contain only lower-case letters, digits, '-' and '.'";
    }
    if (!lower_alnum(part.front()) || !lower_alnum(part.back())) return "must start and end with a letter or digit";
    if (dot == std::string_view::npos) return "";
    start = dot + 1;
  }
}

// The name part of a qualified name and a non-empty label value.
std::string name_part_problem(std::string_view value) {
  if (value.empty()) return "is empty";
  if (value.size() > 63) return "is longer than 63 characters";
  for (char c : value) {
    if (!alnum(c) && c != '-' && c != '_' && c != '.') return "may contain only letters, digits, '-', '_' and '.'";
  }
  if (!alnum(value.front()) || !alnum(value.back())) return "must start and end with a letter or digit";
  return "";
}

}  // namespace

std::string shown_name(std::string_view value) {
  std::string out = "\"";
  for (char c : value.substr(0, 64)) out += (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) ? '?' : c;
  return out + (value.size() > 64 ? "...\"" : "\"");
}

std::string check_dns1123_label(std::string_view value) {
  std::string why = label_problem(value);
  return why.empty() ? "" : fail(value, ("is not a valid DNS-1123 label: it " + why).c_str());
}

std::string check_dns1123_subdomain(std::string_view value) {
  std::string why = subdomain_problem(value);
  return why.empty() ? "" : fail(value, ("is not a valid name (DNS-1123 subdomain): it " + why).c_str());
}

std::string check_generate_name(std::string_view value) {
  if (value.size() > 248) return fail(value, "is not a valid generateName: it is longer than 248 characters");
  std::string completed = std::string(value) + "x1234";
  std::string why = subdomain_problem(completed);
  return why.empty() ? "" : fail(value, ("is not a valid generateName: it " + why).c_str());
}

std::string check_qualified_name(std::string_view value) {
  size_t slash = value.find('/');
  std::string_view name = slash == std::string_view::npos ? value : value.substr(slash + 1);
  if (slash != std::string_view::npos) {
    std::string_view prefix = value.substr(0, slash);
    if (std::string why = subdomain_problem(prefix); !why.empty()) {
      return fail(value, ("is not a valid key: its prefix " + why).c_str());
    }
  }
  if (std::string why = name_part_problem(name); !why.empty()) {
    return fail(value, ("is not a valid key: its name " + why).c_str());
  }
  return "";
}

std::string check_label_value(std::string_view value) {
  if (value.empty()) return "";
  std::string why = name_part_problem(value);
  return why.empty() ? "" : fail(value, ("is not a valid label value: it " + why).c_str());
}

std::string check_config_key(std::string_view value) {
  if (value.empty() || value == "." || value == "..") return fail(value, "is not a valid key: it must name a file");
  if (value.size() > 253) return fail(value, "is not a valid key: it is longer than 253 characters");
  for (char c : value) {
    if (!alnum(c) && c != '-' && c != '_' && c != '.') {
      return fail(value, "is not a valid key: it may contain only letters, digits, '-', '_' and '.'");
    }
  }
  return "";
}

}  // namespace rampart
