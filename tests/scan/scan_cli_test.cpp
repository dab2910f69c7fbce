// `rampart scan` end to end against the Argo fixture (tests/scan/fixtures/argo_fixture.py) and a
// real `rampart server`, all on 127.0.0.1. Each variant's verdict and findings are asserted exactly.
#include <sys/stat.h>

#include <filesystem>
#include <fstream>
#include <memory>
#include <set>
#include <sstream>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "subprocess.h"

namespace rampart::testing {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

const std::string kBinary = RAMPART_BINARY;
const std::string kFixture = std::string(RAMPART_SOURCE_DIR) + "/tests/scan/fixtures/argo_fixture.py";

class ScanCli : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    fixture_ = std::make_unique<Background>(std::vector<std::string>{"/usr/bin/python3", kFixture});
    ports_ = json::parse(fixture_->line());
    // One scan of every variant at once: the verdicts must not depend on each other.
    std::vector<std::string> args = {kBinary, "scan", "-o", "json", "--timeout", "2s", "--concurrency", "16"};
    for (auto& [name, port] : ports_.items()) args.push_back(target(name));
    args.push_back("http://127.0.0.1:" + std::to_string(ports_["open"].get<int>()));
    all_ = std::make_unique<RunResult>(run(args));
    report_ = json::parse(all_->out);
  }
  static void TearDownTestSuite() { fixture_.reset(); }

  static std::string target(const std::string& variant) {
    return "127.0.0.1:" + std::to_string(ports_[variant].get<int>());
  }
  static json endpoint(const std::string& variant) {
    for (const auto& t : report_["targets"]) {
      if (t["target"] == target(variant)) return t["endpoints"][0];
    }
    ADD_FAILURE() << "no target " << variant;
    return json::object();
  }
  static std::set<std::string> ids(const json& endpoint) {
    std::set<std::string> out;
    for (const auto& f : endpoint["findings"]) out.insert(f["id"].get<std::string>());
    return out;
  }
  static json finding(const json& endpoint, const std::string& id) {
    for (const auto& f : endpoint["findings"]) {
      if (f["id"] == id) return f;
    }
    return json();
  }

  static std::unique_ptr<Background> fixture_;
  static json ports_;
  static std::unique_ptr<RunResult> all_;
  static json report_;
};

std::unique_ptr<Background> ScanCli::fixture_;
json ScanCli::ports_;
std::unique_ptr<RunResult> ScanCli::all_;
json ScanCli::report_;

TEST_F(ScanCli, OpenArgoIsExposedWithEveryCheck) {
  EXPECT_EQ(all_->exit_code, 3) << all_->err;
  json e = endpoint("open");
  EXPECT_EQ(e["status"], "exposed");
  EXPECT_EQ(e["url"], "http://" + target("open"));
  EXPECT_EQ(e["product"], "argo");
  EXPECT_EQ(e["version"], "v3.5.5");
  std::set<std::string> expected = {"argo.api.info.open",
                                    "argo.api.version.open",
                                    "argo.api.userinfo.open",
                                    "argo.auth.server-mode",
                                    "argo.api.workflows.list.open",
                                    "argo.api.workflow-templates.list.open",
                                    "argo.api.cron-workflows.list.open",
                                    "argo.api.archived-workflows.list.open",
                                    "argo.leak.secret-env",
                                    "argo.ui.open",
                                    "metrics.open",
                                    "tls.missing"};
  EXPECT_EQ(ids(e), expected);
  EXPECT_EQ(finding(e, "argo.api.info.open")["severity"], "critical");
  EXPECT_EQ(finding(e, "argo.api.version.open")["evidence"]["version"], "v3.5.5");
  json wf = finding(e, "argo.api.workflows.list.open")["evidence"];
  EXPECT_EQ(wf["items"], 2);
  EXPECT_EQ(wf["names"], json({"train-q9z1m", "train-x7k2p"}));
  EXPECT_EQ(wf["images"], json({"registry.corp.example:5000/ml/train:1.4"}));
  EXPECT_EQ(wf["private_registries"], json({"registry.corp.example:5000"}));
  EXPECT_EQ(wf["env_names"], json({"AWS_SECRET_ACCESS_KEY", "DB_PASSWORD", "LOG_LEVEL"}));
  EXPECT_EQ(wf["service_accounts"], json({"argo-workflow"}));
  EXPECT_EQ(finding(e, "argo.leak.secret-env")["evidence"]["env_names"], json({"AWS_SECRET_ACCESS_KEY"}));
  json templates = finding(e, "argo.api.workflow-templates.list.open")["evidence"];
  EXPECT_EQ(templates["images"], json({"alpine:3.19"}));
  EXPECT_EQ(templates["private_registries"], json::array());
  EXPECT_EQ(finding(e, "argo.api.cron-workflows.list.open")["evidence"]["items"], 0);
  // Secret values are never copied into the report.
  EXPECT_EQ(all_->out.find("SUPERSECRETVALUE123"), std::string::npos);
  EXPECT_EQ(all_->out.find("debug"), std::string::npos);  // LOG_LEVEL's value
}

TEST_F(ScanCli, UrlTargetUsesItsSchemeOnly) {
  bool found = false;
  for (const auto& t : report_["targets"]) {
    if (t["target"] != "http://" + target("open")) continue;
    found = true;
    ASSERT_EQ(t["endpoints"].size(), 1u);
    EXPECT_EQ(t["endpoints"][0]["status"], "exposed");
  }
  EXPECT_TRUE(found);
}

TEST_F(ScanCli, TlsOnlyArgoIsExposedOverHttps) {
  json e = endpoint("tls");
  EXPECT_EQ(e["status"], "exposed");
  EXPECT_EQ(e["url"], "https://" + target("tls"));
  EXPECT_EQ(e["tls"]["protocol"], "TLSv1.3");
  EXPECT_EQ(e["tls"]["verified"], false);
  auto found = ids(e);
  EXPECT_TRUE(found.count("argo.api.info.open"));
  EXPECT_TRUE(found.count("tls.certificate-unverified"));
  EXPECT_FALSE(found.count("tls.missing"));
  EXPECT_FALSE(found.count("tls.weak-protocol"));
  EXPECT_EQ(finding(e, "tls.certificate-unverified")["severity"], "low");
}

TEST_F(ScanCli, UnauthorizedAndForbiddenAreProtected) {
  for (const char* variant : {"unauthorized", "forbidden"}) {
    json e = endpoint(variant);
    EXPECT_EQ(e["status"], "protected") << variant;
    EXPECT_EQ(ids(e), std::set<std::string>{"tls.missing"}) << variant;  // plain HTTP, nothing else
  }
  EXPECT_EQ(endpoint("unauthorized")["detail"], "HTTP 401 on /api/v1/info");
  EXPECT_EQ(endpoint("forbidden")["detail"], "HTTP 403 on /api/v1/info");
}

TEST_F(ScanCli, SsoRedirectIsProtectedAndPlainHttpRedirectIsFlagged) {
  json e = endpoint("sso");
  EXPECT_EQ(e["status"], "protected");
  EXPECT_EQ(ids(e), std::set<std::string>{"tls.missing"});
  json insecure = endpoint("sso_http");
  EXPECT_EQ(insecure["status"], "protected");
  EXPECT_EQ(ids(insecure), (std::set<std::string>{"argo.auth.sso-insecure-redirect", "tls.missing"}));
}

TEST_F(ScanCli, SlowServerWithinTimeoutIsStillJudged) {
  json e = endpoint("slow");
  EXPECT_EQ(e["status"], "exposed");
  EXPECT_TRUE(ids(e).count("argo.api.info.open"));
}

TEST_F(ScanCli, HangingServerTimesOutWithoutStallingTheScan) {
  json e = endpoint("hanging");
  EXPECT_EQ(e["status"], "timeout");
  EXPECT_TRUE(e["findings"].empty());
  EXPECT_LT(e["elapsed_ms"].get<int>(), 3000);
  // Timeout 2 s; the whole scan (slow and hanging included) stays within 3 x the timeout.
  EXPECT_LT(all_->seconds, 6.0);
}

TEST_F(ScanCli, MalformedJsonIsUnknownNotExposed) {
  json e = endpoint("malformed");
  EXPECT_EQ(e["status"], "unknown");
  EXPECT_EQ(ids(e), (std::set<std::string>{"argo.api.malformed-response", "tls.missing"}));
  EXPECT_EQ(finding(e, "argo.api.malformed-response")["severity"], "medium");
}

TEST_F(ScanCli, HugeBodyIsCappedAndStillReported) {
  json e = endpoint("huge");
  EXPECT_EQ(e["status"], "exposed");
  json wf = finding(e, "argo.api.workflows.list.open")["evidence"];
  EXPECT_EQ(wf["truncated"], true);
  EXPECT_EQ(wf["bytes_read"], 1024 * 1024);
  EXPECT_EQ(wf["parsed"], false);
  EXPECT_GT(wf["items"].get<int>(), 100);
  EXPECT_EQ(wf["private_registries"], json({"registry.corp.example:5000"}));
  EXPECT_EQ(wf["env_names"], json({"AWS_SECRET_ACCESS_KEY", "DB_PASSWORD", "LOG_LEVEL"}));
}

TEST_F(ScanCli, NotArgoAndClosed) {
  EXPECT_EQ(endpoint("not_argo")["status"], "not-argo");
  EXPECT_TRUE(endpoint("not_argo")["findings"].empty());
  EXPECT_EQ(endpoint("closed")["status"], "closed");
  EXPECT_TRUE(endpoint("closed")["findings"].empty());
}

TEST_F(ScanCli, SummaryCountsTargets) {
  EXPECT_EQ(report_["summary"]["targets"], ports_.size() + 1);
  EXPECT_EQ(report_["summary"]["worst"], "critical");
  // open, tls, slow, huge and the URL form of open
  EXPECT_EQ(report_["summary"]["exposed_targets"], 5);
}

TEST_F(ScanCli, ExitCodes) {
  auto protected_only = run({kBinary, "scan", "-o", "json", target("unauthorized")});
  EXPECT_EQ(protected_only.exit_code, 0) << protected_only.err;
  EXPECT_EQ(run({kBinary, "scan", target("open"), "--fail-on", "critical"}).exit_code, 3);
  EXPECT_EQ(run({kBinary, "scan", target("unauthorized"), "--fail-on", "medium"}).exit_code, 3);
  EXPECT_EQ(run({kBinary, "scan"}).exit_code, 2);
  EXPECT_EQ(run({kBinary, "scan", "ftp://127.0.0.1"}).exit_code, 2);
  EXPECT_EQ(run({kBinary, "scan", "127.0.0.1:99999"}).exit_code, 2);
  EXPECT_EQ(run({kBinary, "scan", "--timeout", "soon", "127.0.0.1"}).exit_code, 2);
  EXPECT_EQ(run({kBinary, "scan", "-o", "xml", "127.0.0.1"}).exit_code, 2);
  EXPECT_EQ(run({kBinary, "scan", "-f", "/nonexistent/targets.txt"}).exit_code, 2);
}

TEST_F(ScanCli, TargetsFile) {
  fs::path file = fs::temp_directory_path() / ("rampart-scan-targets-" + std::to_string(::getpid()));
  std::ofstream(file) << "# fixture\n" << target("unauthorized") << "\n\n  " << target("closed") << "  # closed\n";
  auto r = run({kBinary, "scan", "-o", "json", "-f", file.string()});
  fs::remove(file);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  json report = json::parse(r.out);
  ASSERT_EQ(report["targets"].size(), 2u);
  EXPECT_EQ(report["targets"][0]["endpoints"][0]["status"], "protected");
  EXPECT_EQ(report["targets"][1]["endpoints"][0]["status"], "closed");
}

TEST_F(ScanCli, CheckSubmitIsOffByDefaultAndOnlyLints) {
  EXPECT_FALSE(ids(endpoint("open")).count("argo.api.lint.open"));
  auto r = run({kBinary, "scan", "-o", "json", "--check-submit", target("open"), target("unauthorized")});
  EXPECT_EQ(r.exit_code, 3);
  json report = json::parse(r.out);
  json open = report["targets"][0]["endpoints"][0];
  json lint;
  for (const auto& f : open["findings"]) {
    if (f["id"] == "argo.api.lint.open") lint = f;
  }
  ASSERT_FALSE(lint.is_null());
  EXPECT_EQ(lint["intrusive"], true);
  EXPECT_EQ(lint["url"], "http://" + target("open") + "/api/v1/workflows/argo/lint");
  for (const auto& f : report["targets"][1]["endpoints"][0]["findings"]) EXPECT_NE(f["id"], "argo.api.lint.open");
}

TEST_F(ScanCli, TableFitsHundredColumnsAndGroupsBySeverity) {
  auto r = run({kBinary, "scan", target("open"), target("unauthorized"), target("closed")});
  EXPECT_EQ(r.exit_code, 3);
  std::istringstream lines(r.out);
  size_t critical = std::string::npos, medium = std::string::npos;
  for (std::string line; std::getline(lines, line);) {
    EXPECT_LE(line.size(), 100u) << line;
  }
  critical = r.out.find("\nCRITICAL (");
  medium = r.out.find("\nMEDIUM (");
  EXPECT_NE(critical, std::string::npos);
  EXPECT_NE(medium, std::string::npos);
  EXPECT_LT(critical, medium);
  EXPECT_EQ(r.out.find("SUPERSECRETVALUE123"), std::string::npos);
  EXPECT_TRUE(r.err.empty()) << "no progress bar when stderr is not a terminal: " << r.err;
}

TEST_F(ScanCli, SarifValidatesAgainstTheSchema) {
  auto r = run({kBinary, "scan", "-o", "sarif", "--check-submit", target("open"), target("tls"), target("sso_http")});
  EXPECT_EQ(r.exit_code, 3);
  json sarif = json::parse(r.out);
  EXPECT_EQ(sarif["version"], "2.1.0");
  EXPECT_GT(sarif["runs"][0]["results"].size(), 10u);
  fs::path file = fs::temp_directory_path() / ("rampart-scan-" + std::to_string(::getpid()) + ".sarif");
  std::ofstream(file) << r.out;
  std::string schema = std::string(RAMPART_SOURCE_DIR) + "/tests/scan/fixtures/sarif-schema-2.1.0.json";
  std::string validator = std::string(RAMPART_SOURCE_DIR) + "/tests/scan/fixtures/validate_sarif.py";
  auto v = run({"/usr/bin/python3", validator, schema, file.string()});
  fs::remove(file);
  EXPECT_EQ(v.exit_code, 0) << v.out << v.err;
}

// The real server on loopback: authentication always on, so nothing at high severity.
class RealServer : public ::testing::Test {
 protected:
  void SetUp() override {
    state_ = fs::temp_directory_path() / ("rampart-scan-server-" + std::to_string(::getpid()));
    fs::remove_all(state_);
    server_ = std::make_unique<Background>(
        std::vector<std::string>{kBinary, "server", "--state", state_.string(), "--listen", "127.0.0.1:0"});
    token_ = server_->line();  // the admin token: printed once the server listens
    ASSERT_FALSE(token_.empty());
    json info = json::parse(std::ifstream(state_ / "server.json"));
    url_ = info["url"];
  }
  void TearDown() override {
    server_.reset();
    fs::remove_all(state_);
  }
  fs::path state_;
  std::unique_ptr<Background> server_;
  std::string token_, url_;
};

TEST_F(RealServer, NoHighFindings) {
  std::string hostport = url_.substr(std::string("https://").size());
  auto r = run({kBinary, "scan", "-o", "json", "--check-submit", url_, hostport});
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
  json report = json::parse(r.out);
  for (const auto& t : report["targets"]) {
    json e = t["endpoints"][0];
    EXPECT_EQ(e["status"], "protected") << e.dump();
    EXPECT_EQ(e["url"], url_);
    EXPECT_EQ(e["product"], "rampart");
    EXPECT_EQ(e["detail"], "HTTP 401 on /api/v1/info");
    std::set<std::string> found;
    for (const auto& f : e["findings"]) found.insert(f["id"].get<std::string>());
    // A self-signed certificate is all there is to say when the scan does not pin it.
    EXPECT_EQ(found, std::set<std::string>{"tls.certificate-unverified"});
    EXPECT_EQ(e["tls"]["fingerprint"], json::parse(std::ifstream(state_ / "server.json"))["tls_fingerprint"]);
  }
  EXPECT_EQ(r.out.find(token_), std::string::npos);
}

TEST_F(RealServer, SelfScanPinsTheCertificateAndChecksFileModes) {
  auto r = run({kBinary, "scan", "--self", "--state", state_.string(), "-o", "json"});
  json report = json::parse(r.out);
  json e = report["targets"][0]["endpoints"][0];
  EXPECT_EQ(e["status"], "protected");
  EXPECT_TRUE(e["findings"].empty()) << e.dump();  // pinned: the self-signed certificate is expected
  EXPECT_TRUE(report["local_findings"].empty()) << report["local_findings"].dump();  // 0700 dir, 0600 files
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;

  // Loosen the modes: each one is reported.
  fs::permissions(state_, fs::perms::owner_all | fs::perms::group_read | fs::perms::group_exec);
  fs::permissions(state_ / "admin.token", fs::perms::owner_read | fs::perms::owner_write | fs::perms::others_read);
  r = run({kBinary, "scan", "--self", "--state", state_.string(), "-o", "json"});
  EXPECT_EQ(r.exit_code, 3);
  report = json::parse(r.out);
  std::set<std::string> paths;
  for (const auto& f : report["local_findings"]) {
    EXPECT_EQ(f["severity"], "high");
    paths.insert(f["evidence"]["path"].get<std::string>());
  }
  EXPECT_TRUE(paths.count(state_.string()));
  EXPECT_TRUE(paths.count((state_ / "admin.token").string()));
}

TEST(ScanSelf, MissingServerJsonIsAUsageError) {
  fs::path empty = fs::temp_directory_path() / ("rampart-scan-empty-" + std::to_string(::getpid()));
  fs::create_directories(empty);
  auto r = run({kBinary, "scan", "--self", "--state", empty.string()});
  fs::remove_all(empty);
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("server.json"), std::string::npos) << r.err;
}

}  // namespace
}  // namespace rampart::testing
