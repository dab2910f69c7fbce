// Policies attached to templates and workflows: retries, locks, caching, metrics.
#include "spec/decode.h"

namespace rampart::spec {

namespace {

Backoff decode_backoff(const YAML::Node& node) {
  const Fields fields(node);
  Backoff backoff;
  backoff.duration = read::text(fields, "duration");
  backoff.factor = read::optional_text(fields, "factor");
  backoff.max_duration = read::text(fields, "maxDuration");
  backoff.cap = read::text(fields, "cap");
  return backoff;
}

MutexRef decode_mutex(const YAML::Node& node) {
  const Fields fields(node);
  return {read::text(fields, "name"), read::text(fields, "namespace"), read::flag(fields, "database")};
}

SemaphoreRef decode_semaphore(const YAML::Node& node) {
  const Fields fields(node);
  SemaphoreRef semaphore;
  semaphore.config_map_key_ref = read::optional(fields, "configMapKeyRef", decode_key_selector);
  semaphore.namespace_ = read::text(fields, "namespace");
  semaphore.database = fields.has("database");  // database: {key: ...}
  return semaphore;
}

}  // namespace

RetryStrategy decode_retry_strategy(const YAML::Node& node) {
  const Fields fields(node);
  RetryStrategy retry;
  retry.limit = read::optional_text(fields, "limit");
  retry.retry_policy = read::text(fields, "retryPolicy");
  retry.backoff = read::optional(fields, "backoff", decode_backoff);
  retry.expression = read::text(fields, "expression");
  retry.affinity = read::json(fields, "affinity");
  return retry;
}

Synchronization decode_synchronization(const YAML::Node& node) {
  const Fields fields(node);
  Synchronization sync;
  // The deprecated single forms come first, then the lists.
  if (auto mutex = read::optional(fields, "mutex", decode_mutex)) sync.mutexes.push_back(*mutex);
  for (MutexRef& mutex : read::list(fields, "mutexes", decode_mutex)) sync.mutexes.push_back(mutex);
  if (auto semaphore = read::optional(fields, "semaphore", decode_semaphore)) {
    sync.semaphores.push_back(*semaphore);
  }
  for (SemaphoreRef& semaphore : read::list(fields, "semaphores", decode_semaphore)) {
    sync.semaphores.push_back(semaphore);
  }
  return sync;
}

Memoize decode_memoize(const YAML::Node& node) {
  const Fields fields(node);
  Memoize memoize;
  memoize.key = read::text(fields, "key");
  memoize.max_age = read::text(fields, "maxAge");
  if (const YAML::Node cache = fields.get("cache"); cache.IsMap()) {
    if (const YAML::Node config_map = Fields(cache).get("configMap"); config_map.IsMap()) {
      memoize.config_map_name = read::text(Fields(config_map), "name");
    }
  }
  return memoize;
}

Metrics decode_metrics(const YAML::Node& node) { return {read::json(Fields(node), "prometheus")}; }

}  // namespace rampart::spec
