// Durations, quantities and integers written as strings: timeouts, suspend and backoff
// durations, memoize maxAge, resource requests and limits, retry limits, deadlines. Values with
// {{...}} are skipped: they are known only once parameters are substituted at run time.
#include "spec/units.h"

#include "spec/decode_node.h"
#include "spec/validate_internal.h"

namespace rampart::spec::validation {
namespace {

bool is_integer(std::string_view text) {
  size_t pos = (!text.empty() && (text[0] == '-' || text[0] == '+')) ? 1 : 0;
  if (pos == text.size()) return false;
  for (; pos < text.size(); ++pos) {
    if (text[pos] < '0' || text[pos] > '9') return false;
  }
  return true;
}

void check_duration(const Checker& checker, const std::string& text, bool allow_bare_seconds, const std::string& path) {
  if (text.empty() || is_templated(text)) return;
  std::string error;
  if (!parse_duration(text, allow_bare_seconds, &error)) checker.report(path, error);
}

void check_integer(const Checker& checker, const std::optional<Scalar>& value, const std::string& path,
                   const char* what) {
  if (!value || is_templated(*value)) return;
  if (!is_integer(*value)) checker.report(path, std::string(what) + " " + quote(*value) + " is not an integer");
}

void check_quantities(const Checker& checker, const StringMap& quantities, const std::string& path) {
  for (const auto& [resource, amount] : quantities) {
    if (is_templated(amount)) continue;
    std::string error;
    if (!parse_quantity(amount, &error)) checker.report(join_path(path, resource), error);
  }
}

void check_container(const Checker& checker, const Container& container, const std::string& path) {
  check_quantities(checker, container.resources.limits, path + ".resources.limits");
  check_quantities(checker, container.resources.requests, path + ".resources.requests");
}

void check_containers(const Checker& checker, const std::vector<Container>& containers, const std::string& path) {
  for (size_t i = 0; i < containers.size(); ++i) {
    check_container(checker, containers[i], path + "[" + std::to_string(i) + "]");
  }
}

}  // namespace

void check_retry_strategy(const Checker& checker, const RetryStrategy& retry, const std::string& path) {
  check_integer(checker, retry.limit, path + ".limit", "retry limit");
  static const char* const kPolicies[] = {"", "Always", "OnFailure", "OnError", "OnTransientError"};
  bool known = false;
  for (const char* policy : kPolicies) known = known || retry.retry_policy == policy;
  if (!known) {
    checker.report(path + ".retryPolicy", "retryPolicy " + quote(retry.retry_policy) +
                                              " must be one of Always, OnFailure, OnError, OnTransientError");
  }
  if (!retry.backoff) return;
  const Backoff& backoff = *retry.backoff;
  check_duration(checker, backoff.duration, true, path + ".backoff.duration");
  if (backoff.factor && !is_templated(*backoff.factor)) {
    std::string error;
    // A factor is a plain number; parse_quantity without a suffix reads exactly that.
    const bool plain = !backoff.factor->empty() && backoff.factor->find_first_of("eEinumkKMGTP") == std::string::npos;
    if (!plain || !parse_quantity(*backoff.factor, &error)) {
      checker.report(path + ".backoff.factor", "backoff factor " + quote(*backoff.factor) + " is not a number");
    }
  }
  check_duration(checker, backoff.max_duration, true, path + ".backoff.maxDuration");
  check_duration(checker, backoff.cap, true, path + ".backoff.cap");
}

void check_template_units(const Checker& checker, const Template& tmpl, const std::string& path) {
  if (!tmpl.timeout.empty() && !is_templated(tmpl.timeout)) {
    // Argo rejects a bare number here: a timeout must carry its unit.
    if (is_integer(tmpl.timeout)) {
      checker.report(path + ".timeout",
                     "timeout " + quote(tmpl.timeout) + " needs a unit, e.g. \"" + tmpl.timeout + "s\"");
    } else {
      check_duration(checker, tmpl.timeout, false, path + ".timeout");
    }
  }
  check_integer(checker, tmpl.active_deadline_seconds, path + ".activeDeadlineSeconds", "activeDeadlineSeconds");
  if (tmpl.suspend) check_duration(checker, tmpl.suspend->duration, true, path + ".suspend.duration");
  if (tmpl.memoize) check_duration(checker, tmpl.memoize->max_age, false, path + ".memoize.maxAge");
  if (tmpl.container) check_container(checker, *tmpl.container, path + ".container");
  if (tmpl.script) check_container(checker, tmpl.script->container, path + ".script");
  check_containers(checker, tmpl.init_containers, path + ".initContainers");
  check_containers(checker, tmpl.sidecars, path + ".sidecars");
  if (tmpl.container_set) {
    const auto& set = *tmpl.container_set;
    for (size_t i = 0; i < set.containers.size(); ++i) {
      check_container(checker, set.containers[i].container,
                      path + ".containerSet.containers[" + std::to_string(i) + "]");
    }
    if (set.retry_strategy) {
      check_duration(checker, set.retry_strategy->duration, true, path + ".containerSet.retryStrategy.duration");
      check_integer(checker, set.retry_strategy->retries, path + ".containerSet.retryStrategy.retries", "retries");
    }
  }
}

void check_workflow_units(const Checker& checker) {
  const auto& spec = checker.doc.spec;
  if (spec.pod_gc) {
    check_duration(checker, spec.pod_gc->delete_delay_duration, false,
                   checker.spec_path() + ".podGC.deleteDelayDuration");
  }
}

}  // namespace rampart::spec::validation
