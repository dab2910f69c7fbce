// Runs the checks on many targets at once: `concurrency` endpoints in flight, each request under
// `timeout_ms`, transient failures retried. A target that accepts and never answers costs one
// timeout; a live one at most three (probe, the reads in parallel, the optional lint).
#pragma once

#include <cstdint>
#include <functional>
#include <stdexcept>
#include <string>
#include <vector>

#include "scan/finding.h"
#include "scan/target.h"

namespace rampart::scan {

struct ScanOptions {
  int concurrency = 64;
  int64_t timeout_ms = 5000;
  int retries = 2;
  bool check_submit = false;
  std::string pinned_fingerprint;  // --self
  // Called after each endpoint (from worker threads, serialized): done, total, exposed so far.
  std::function<void(size_t, size_t, size_t)> progress;
};

// Targets must have been checked with expand_target; an invalid one throws std::invalid_argument.
ScanReport run_scan(const std::vector<std::string>& targets, const ScanOptions& options);

// --self: reads <state>/server.json, scans its URL with the pinned certificate, and checks the
// state directory's files. Throws SelfConfigError when server.json is missing or unreadable.
struct SelfConfigError : std::runtime_error {
  using std::runtime_error::runtime_error;
};
ScanReport run_self_scan(const std::string& state_dir, ScanOptions options);

}  // namespace rampart::scan
