// withItems / withParam / withSequence: one iteration per item, named "(i:item)" as Argo does.
#include <algorithm>
#include <cctype>
#include <cstdio>

#include "common/bounded_json.h"
#include "engine/naming.h"
#include "engine/workflow_run.h"

namespace rampart::engine {
namespace {

std::optional<long long> to_int(const Json& v) {
  if (v.is_number_integer()) return v.get<long long>();
  if (v.is_string()) {
    try {
      size_t used = 0;
      long long n = std::stoll(v.get<std::string>(), &used);
      if (used == v.get<std::string>().size()) return n;
    } catch (...) {}
  }
  return std::nullopt;
}

// withSequence.format is printf-style with one integer conversion (Argo passes it to Go's
// Sprintf). Anything else is refused: a user-supplied format must never reach snprintf unchecked.
bool safe_integer_format(const std::string& format) {
  int conversions = 0;
  for (size_t i = 0; i < format.size(); ++i) {
    if (format[i] != '%') continue;
    if (i + 1 < format.size() && format[i + 1] == '%') {
      ++i;
      continue;
    }
    ++i;
    while (i < format.size() && std::string("-+ 0#").find(format[i]) != std::string::npos) ++i;
    size_t width_digits = 0;
    while (i < format.size() && std::isdigit(static_cast<unsigned char>(format[i])) && width_digits < 3)
      ++i, ++width_digits;
    if (i >= format.size() || std::string("dixXo").find(format[i]) == std::string::npos) return false;
    ++conversions;
  }
  return conversions == 1;
}

std::string format_integer(const std::string& format, long long value) {
  // Rewrite the single conversion to take a long long.
  std::string fmt;
  for (size_t i = 0; i < format.size(); ++i) {
    fmt += format[i];
    if (format[i] == '%' && i + 1 < format.size() && format[i + 1] == '%') {
      fmt += format[++i];
      continue;
    }
    if (format[i] == '%') {
      ++i;
      while (i < format.size() && std::string("dixXo").find(format[i]) == std::string::npos) fmt += format[i++];
      fmt += "ll";
      if (i < format.size()) fmt += format[i];
    }
  }
  char buf[256];
  std::snprintf(buf, sizeof buf, fmt.c_str(), value);
  return buf;
}

}  // namespace

std::optional<std::vector<std::pair<std::string, Json>>> WorkflowRun::expand_loop(const Json& step,
                                                                                  const expr::Scope& scope,
                                                                                  std::string* error) const {
  std::vector<Json> items;
  if (step.contains("withItems")) {
    *error = loop_budget_error("withItems", step["withItems"].size());
    if (!error->empty()) return std::nullopt;
    for (const auto& item : step["withItems"]) {
      if (item.is_string()) {
        items.push_back(expr::substitute(item.get<std::string>(), scope, expr::Unresolved::Error));
      } else {
        items.push_back(item);
      }
    }
  } else if (step.contains("withParam")) {
    std::string text = expr::substitute(step["withParam"].get<std::string>(), scope, expr::Unresolved::Error);
    Json parsed = parse_untrusted_json_or_discarded(text);
    if (parsed.is_discarded() || !parsed.is_array()) {
      *error = "withParam value could not be parsed as a JSON list: " + text.substr(0, 200);
      return std::nullopt;
    }
    *error = loop_budget_error("withParam", parsed.size());
    if (!error->empty()) return std::nullopt;
    for (auto& item : parsed) items.push_back(item);
  } else if (step.contains("withSequence")) {
    const Json& seq = step["withSequence"];
    auto field = [&](const char* key) -> std::optional<long long> {
      if (!seq.contains(key)) return std::nullopt;
      Json v = seq[key];
      if (v.is_string()) v = expr::substitute(v.get<std::string>(), scope, expr::Unresolved::Error);
      auto n = to_int(v);
      if (!n) *error = std::string("withSequence.") + key + " is not an integer: " + v.dump();
      return n;
    };
    long long start = 0, end = 0;
    if (seq.contains("start")) {
      auto s = field("start");
      if (!s) return std::nullopt;
      start = *s;
    }
    if (seq.contains("count")) {
      auto c = field("count");
      if (!c) return std::nullopt;
      *error = loop_budget_error("withSequence", *c > 0 ? static_cast<uint64_t>(*c) : 0);
      if (!error->empty()) return std::nullopt;
      if (*c <= 0) return std::vector<std::pair<std::string, Json>>{};
      end = start + *c - 1;
    } else if (seq.contains("end")) {
      auto e = field("end");
      if (!e) return std::nullopt;
      end = *e;
    } else {
      *error = "withSequence needs count or end";
      return std::nullopt;
    }
    std::string format = seq.value("format", "");
    if (!format.empty() && !safe_integer_format(format)) {
      *error = "withSequence.format must contain exactly one integer conversion such as %02d: \"" + format + "\"";
      return std::nullopt;
    }
    // Counted before anything is generated: a count of ten million is refused at once.
    unsigned long long span = start <= end
                                  ? static_cast<unsigned long long>(end) - static_cast<unsigned long long>(start)
                                  : static_cast<unsigned long long>(start) - static_cast<unsigned long long>(end);
    *error = loop_budget_error("withSequence", span >= (1ull << 62) ? (1ull << 62) : span + 1);
    if (!error->empty()) return std::nullopt;
    long long step_by = start <= end ? 1 : -1;
    for (long long i = start;; i += step_by) {
      if (format.empty()) {
        items.push_back(std::to_string(i));
      } else {
        items.push_back(format_integer(format, i));
      }
      if (i == end) break;
    }
  } else {
    return std::nullopt;
  }
  std::vector<std::pair<std::string, Json>> out;
  out.reserve(items.size());
  for (size_t i = 0; i < items.size(); ++i) out.emplace_back(item_suffix(i, items[i]), items[i]);
  return out;
}

}  // namespace rampart::engine
