// Table width, grouping, and SARIF validity for a report made by hand (every check in the catalog).
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include <gtest/gtest.h>

#include "scan/checks.h"
#include "scan/report.h"
#include "subprocess.h"

namespace rampart::scan {
namespace {

ScanReport every_check() {
  ScanReport report;
  TargetResult target{"a-very-long-host-name-that-does-not-fit.example.internal:2746", {}};
  EndpointResult e;
  e.url = "https://a-very-long-host-name-that-does-not-fit.example.internal:2746";
  e.status = EndpointStatus::Exposed;
  e.detail = std::string(200, 'x');
  e.product = "argo";
  e.version = "v3.5.5-with-a-long-suffix";
  for (const auto& c : check_catalog()) {
    e.findings.push_back(make_finding(c.id, e.url + "/api/v1/" + std::string(80, 'p'),
                                      {{"images", {std::string(120, 'i')}}, {"reason", std::string(150, 'r')}}));
  }
  target.endpoints.push_back(e);
  report.targets.push_back(target);
  return report;
}

TEST(Report, CatalogIdsAreUniqueAndSeverityOrdered) {
  std::set<std::string> ids;
  for (const auto& c : check_catalog()) EXPECT_TRUE(ids.insert(c.id).second) << c.id;
  auto findings = every_check().all_findings();
  for (size_t i = 1; i < findings.size(); ++i) EXPECT_GE(findings[i - 1].severity, findings[i].severity);
}

TEST(Report, TableLinesFitHundredColumns) {
  std::string table = render_table(every_check());
  std::istringstream in(table);
  for (std::string line; std::getline(in, line);) EXPECT_LE(line.size(), 100u) << line;
  EXPECT_LT(table.find("CRITICAL ("), table.find("HIGH ("));
  EXPECT_LT(table.find("HIGH ("), table.find("MEDIUM ("));
  EXPECT_LT(table.find("MEDIUM ("), table.find("LOW ("));
}

TEST(Report, JsonHasIdSeverityAndEvidenceForEveryFinding) {
  auto json = to_json(every_check());
  ASSERT_EQ(json["findings"].size(), check_catalog().size());
  for (const auto& f : json["findings"]) {
    EXPECT_TRUE(f["id"].is_string());
    EXPECT_TRUE(parse_severity(f["severity"].get<std::string>()));
    EXPECT_TRUE(f["evidence"].is_object());
  }
}

TEST(Report, SarifValidatesAgainstTheSchema) {
  auto sarif = render_sarif(every_check(), "0.1.0");
  ASSERT_EQ(sarif["runs"][0]["results"].size(), check_catalog().size());
  auto path = std::filesystem::temp_directory_path() / ("rampart-report-" + std::to_string(::getpid()) + ".sarif");
  std::ofstream(path) << sarif.dump();
  std::string dir = std::string(RAMPART_SOURCE_DIR) + "/tests/scan/fixtures/";
  auto r =
      testing::run({"/usr/bin/python3", dir + "validate_sarif.py", dir + "sarif-schema-2.1.0.json", path.string()});
  std::filesystem::remove(path);
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;

  // The validator does catch an invalid log.
  sarif["runs"][0]["results"][0]["level"] = "catastrophic";
  std::ofstream(path) << sarif.dump();
  r = testing::run({"/usr/bin/python3", dir + "validate_sarif.py", dir + "sarif-schema-2.1.0.json", path.string()});
  std::filesystem::remove(path);
  EXPECT_EQ(r.exit_code, 1) << r.out;
}

}  // namespace
}  // namespace rampart::scan
