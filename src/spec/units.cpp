#include "spec/units.h"

#include <cctype>
#include <cmath>
#include <string>

namespace rampart::spec {
namespace {

bool fail(std::string* error, std::string message) {
  if (error) *error = std::move(message);
  return false;
}

bool is_digit(char c) { return c >= '0' && c <= '9'; }

// Reads "123", "1.5", ".5" or "5." (Go accepts all four in durations) starting at `pos`.
bool read_decimal(std::string_view text, size_t& pos, double& value) {
  size_t start = pos;
  bool digits = false;
  while (pos < text.size() && is_digit(text[pos])) {
    ++pos;
    digits = true;
  }
  if (pos < text.size() && text[pos] == '.') {
    ++pos;
    while (pos < text.size() && is_digit(text[pos])) {
      ++pos;
      digits = true;
    }
  }
  if (!digits) return false;
  value = std::stod(std::string(text.substr(start, pos - start)));
  return true;
}

// Seconds per Go duration unit; longest units first so that "ms" wins over "m".
struct DurationUnit {
  std::string_view name;
  double seconds;
};
constexpr DurationUnit kDurationUnits[] = {
    {"ns", 1e-9}, {"us", 1e-6}, {"\xC2\xB5s", 1e-6}, {"\xCE\xBCs", 1e-6},
    {"ms", 1e-3}, {"s", 1},     {"m", 60},           {"h", 3600},
};

bool is_integer(std::string_view text) {
  size_t pos = (!text.empty() && (text[0] == '-' || text[0] == '+')) ? 1 : 0;
  if (pos == text.size()) return false;
  for (; pos < text.size(); ++pos) {
    if (!is_digit(text[pos])) return false;
  }
  return true;
}

}  // namespace

std::optional<double> parse_duration(std::string_view text, bool allow_bare_seconds, std::string* error) {
  const std::string quoted = "\"" + std::string(text) + "\"";
  if (text.empty()) {
    fail(error, "invalid duration \"\": empty");
    return std::nullopt;
  }
  if (allow_bare_seconds && is_integer(text)) return std::stod(std::string(text));

  size_t pos = 0;
  double sign = 1;
  if (text[0] == '-' || text[0] == '+') {
    sign = text[0] == '-' ? -1 : 1;
    pos = 1;
  }
  // Go accepts a lone "0" (with optional sign) without a unit, and nothing else unit-less.
  if (text.substr(pos) == "0") return 0.0;
  if (pos == text.size()) {
    fail(error, "invalid duration " + quoted);
    return std::nullopt;
  }

  double total = 0;
  while (pos < text.size()) {
    double number = 0;
    if (!read_decimal(text, pos, number)) {
      fail(error, "invalid duration " + quoted);
      return std::nullopt;
    }
    size_t unit_start = pos;
    while (pos < text.size() && !is_digit(text[pos]) && text[pos] != '.') ++pos;
    std::string_view unit = text.substr(unit_start, pos - unit_start);
    if (unit.empty()) {
      fail(error, "missing unit in duration " + quoted);
      return std::nullopt;
    }
    const DurationUnit* match = nullptr;
    for (const auto& candidate : kDurationUnits) {
      if (candidate.name == unit) match = &candidate;
    }
    if (!match) {
      fail(error, "unknown unit \"" + std::string(unit) + "\" in duration " + quoted);
      return std::nullopt;
    }
    total += number * match->seconds;
  }
  return sign * total;
}

std::optional<double> parse_quantity(std::string_view text, std::string* error) {
  const std::string quoted = "\"" + std::string(text) + "\"";
  auto invalid = [&]() -> std::optional<double> {
    fail(error,
         "invalid quantity " + quoted + ": expected a number with an optional suffix (m, k, M, G, Ki, Mi, Gi, ...)");
    return std::nullopt;
  };
  if (text.empty()) return invalid();

  // Kubernetes: <signedNumber><suffix>, suffix = binarySI | decimalSI | decimalExponent.
  size_t pos = 0;
  double sign = 1;
  if (text[0] == '-' || text[0] == '+') {
    sign = text[0] == '-' ? -1 : 1;
    pos = 1;
  }
  double number = 0;
  if (!read_decimal(text, pos, number)) return invalid();
  std::string_view suffix = text.substr(pos);

  struct Suffix {
    std::string_view name;
    double factor;
  };
  static constexpr Suffix kSuffixes[] = {
      {"", 1},
      {"n", 1e-9},
      {"u", 1e-6},
      {"m", 1e-3},
      {"k", 1e3},
      {"M", 1e6},
      {"G", 1e9},
      {"T", 1e12},
      {"P", 1e15},
      {"E", 1e18},
      {"Ki", 1024.0},
      {"Mi", 1048576.0},
      {"Gi", 1073741824.0},
      {"Ti", 1099511627776.0},
      {"Pi", 1125899906842624.0},
      {"Ei", 1152921504606846976.0},
  };
  for (const auto& candidate : kSuffixes) {
    if (candidate.name == suffix) return sign * number * candidate.factor;
  }
  // Decimal exponent: e or E followed by a signed integer ("1e3", "5E-2").
  if (suffix.size() >= 2 && (suffix[0] == 'e' || suffix[0] == 'E') && is_integer(suffix.substr(1))) {
    return sign * number * std::pow(10.0, std::stod(std::string(suffix.substr(1))));
  }
  return invalid();
}

}  // namespace rampart::spec
