// Rendering a ScanReport: a table grouped by severity (fits `width` columns), and SARIF 2.1.0.
// JSON is to_json(report) in finding.h.
#pragma once

#include <string>

#include <nlohmann/json.hpp>

#include "scan/finding.h"

namespace rampart::scan {

std::string render_table(const ScanReport& report, size_t width = 100);
nlohmann::json render_sarif(const ScanReport& report, const std::string& tool_version);

// One line of evidence for the table, without values that could be secret.
std::string evidence_summary(const Finding& finding);

}  // namespace rampart::scan
