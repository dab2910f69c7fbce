// CronWorkflow rules: schedules in standard 5-field cron syntax (as Argo's cron library reads
// them), concurrency policy, time zone, and the expressions that gate or stop runs.
#include <algorithm>
#include <cctype>
#include <optional>

#include "spec/units.h"
#include "spec/validate_internal.h"

namespace rampart::spec::validation {
namespace {

struct CronField {
  const char* name;
  int min;
  int max;
  std::vector<std::string_view> names;  // optional symbolic values, index + min
};

const CronField kFields[] = {
    {"minute", 0, 59, {}},
    {"hour", 0, 23, {}},
    {"day of month", 1, 31, {}},
    {"month", 1, 12, {"jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"}},
    {"day of week", 0, 6, {"sun", "mon", "tue", "wed", "thu", "fri", "sat"}},
};

std::vector<std::string> split(std::string_view text, char separator, bool skip_empty) {
  std::vector<std::string> parts;
  size_t start = 0;
  while (start <= text.size()) {
    size_t end = text.find(separator, start);
    if (end == std::string_view::npos) end = text.size();
    std::string part(text.substr(start, end - start));
    if (!skip_empty || !part.empty()) parts.push_back(part);
    start = end + 1;
  }
  return parts;
}

std::optional<int> field_value(const CronField& field, const std::string& text) {
  if (!text.empty() &&
      std::all_of(text.begin(), text.end(), [](char c) { return std::isdigit(static_cast<unsigned char>(c)); })) {
    if (text.size() > 4) return std::nullopt;
    return std::stoi(text);
  }
  std::string lower = text;
  std::transform(lower.begin(), lower.end(), lower.begin(), [](unsigned char c) { return std::tolower(c); });
  for (size_t i = 0; i < field.names.size(); ++i) {
    if (field.names[i] == lower) return field.min + static_cast<int>(i);
  }
  return std::nullopt;
}

// Empty when `text` is a valid field, else what is wrong with it.
std::string check_field(const CronField& field, const std::string& text) {
  for (const auto& range : split(text, ',', false)) {
    const auto slash = split(range, '/', false);
    if (slash.size() > 2 || slash[0].empty()) return "bad " + std::string(field.name) + " field " + quote(text);
    if (slash.size() == 2) {
      const auto step = field_value(CronField{field.name, 0, 0, {}}, slash[1]);
      if (!step || *step <= 0) return "bad step in " + std::string(field.name) + " field " + quote(text);
    }
    if (slash[0] == "*" || slash[0] == "?") continue;
    const auto bounds = split(slash[0], '-', false);
    if (bounds.size() > 2) return "bad " + std::string(field.name) + " field " + quote(text);
    int previous = field.min;
    for (const auto& bound : bounds) {
      const auto value = field_value(field, bound);
      if (!value) return "bad " + std::string(field.name) + " value " + quote(bound);
      if (*value < field.min || *value > field.max) {
        return std::string(field.name) + " value " + std::to_string(*value) + " is out of range " +
               std::to_string(field.min) + "-" + std::to_string(field.max);
      }
      if (*value < previous) return "bad range in " + std::string(field.name) + " field " + quote(text);
      previous = *value;
    }
  }
  return {};
}

// Empty when `schedule` is valid, else what is wrong with it.
std::string check_schedule(std::string_view schedule) {
  // An optional time zone prefix, as the cron library allows: "CRON_TZ=Europe/Paris 0 * * * *".
  if (schedule.rfind("CRON_TZ=", 0) == 0 || schedule.rfind("TZ=", 0) == 0) {
    const size_t space = schedule.find(' ');
    if (space == std::string_view::npos) return "missing schedule after time zone";
    schedule.remove_prefix(space + 1);
  }
  const auto fields = split(schedule, ' ', true);
  if (fields.empty()) return "schedule is empty";
  if (fields[0][0] == '@') {
    static const char* const kDescriptors[] = {"@yearly", "@annually", "@monthly", "@weekly",
                                               "@daily",  "@midnight", "@hourly"};
    if (fields.size() == 1 && std::find_if(std::begin(kDescriptors), std::end(kDescriptors),
                                           [&](const char* d) { return fields[0] == d; }) != std::end(kDescriptors)) {
      return {};
    }
    if (fields[0] == "@every" && fields.size() == 2) {
      std::string error;
      if (parse_duration(fields[1], false, &error)) return {};
      return error;
    }
    return "unknown descriptor " + quote(fields[0]);
  }
  if (fields.size() != 5) {
    return "expected 5 fields (minute hour day-of-month month day-of-week), found " + std::to_string(fields.size());
  }
  for (size_t i = 0; i < 5; ++i) {
    std::string problem = check_field(kFields[i], fields[i]);
    if (!problem.empty()) return problem;
  }
  return {};
}

}  // namespace

void check_cron(const Checker& checker) {
  const CronWorkflowSpec& cron = *checker.doc.cron;
  // `schedule:` is folded into schedules[0]; point at whichever the user wrote.
  const Json* spec =
      checker.doc.raw.is_object() && checker.doc.raw.contains("spec") ? &checker.doc.raw["spec"] : nullptr;
  const bool single = spec && spec->is_object() && spec->contains("schedule");
  if (cron.schedules.empty()) checker.report("spec.schedules", "CronWorkflow needs schedule or schedules");
  for (size_t i = 0; i < cron.schedules.size(); ++i) {
    const std::string path =
        single ? (i == 0 ? std::string("spec.schedule") : "spec.schedules[" + std::to_string(i - 1) + "]")
               : "spec.schedules[" + std::to_string(i) + "]";
    const std::string problem = check_schedule(cron.schedules[i]);
    if (!problem.empty()) checker.report(path, "invalid schedule " + quote(cron.schedules[i]) + ": " + problem);
  }
  if (!cron.concurrency_policy.empty() && cron.concurrency_policy != "Allow" && cron.concurrency_policy != "Forbid" &&
      cron.concurrency_policy != "Replace") {
    checker.report("spec.concurrencyPolicy",
                   "concurrencyPolicy " + quote(cron.concurrency_policy) + " must be one of Allow, Forbid, Replace");
  }
  const bool zone_ok = std::all_of(cron.timezone.begin(), cron.timezone.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '/' || c == '_' || c == '-' || c == '+';
  });
  if (!zone_ok) checker.report("spec.timezone", "timezone " + quote(cron.timezone) + " is not an IANA zone name");
  if (cron.starting_deadline_seconds && *cron.starting_deadline_seconds < 0) {
    checker.report("spec.startingDeadlineSeconds", "startingDeadlineSeconds must not be negative");
  }
  check_expression_text(checker, cron.when, "spec.when");
  check_expression_text(checker, cron.stop_strategy_expression, "spec.stopStrategy.expression");
}

}  // namespace rampart::spec::validation
