#include <gtest/gtest.h>
#include <sys/stat.h>

#include <algorithm>
#include <fstream>
#include <regex>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include <nlohmann/json.hpp>

#include "../store/temp_dir.h"
#include "server/audit_log.h"
#include "store/access_store.h"

namespace rampart::server {
namespace {

using Json = nlohmann::json;

std::vector<std::string> lines_of(const std::string& path) {
  std::ifstream in(path);
  std::vector<std::string> out;
  for (std::string line; std::getline(in, line);) out.push_back(line);
  return out;
}

store::AuditRecord record(int64_t time_ms, const std::string& subject, const std::string& decision, int status) {
  store::AuditRecord r;
  r.time_ms = time_ms;
  r.subject = subject;
  r.source = "127.0.0.1";
  r.method = "POST";
  r.route = "/api/v1/workflows/{namespace}";
  r.object = "team-a/hello";
  r.decision = decision;
  r.status = status;
  return r;
}

class AuditLogTest : public ::testing::Test {
 protected:
  AuditLogTest() : db(store::open_sqlite_access(dir.file("access.db"))), log(*db, dir.file("audit.jsonl")) {}
  store::testing::TempDir dir;
  std::unique_ptr<store::AccessStore> db;
  AuditLog log;
};

TEST_F(AuditLogTest, EachRecordGoesToTheTableAndAsOneJsonLineToThePrivateFile) {
  log.append(record(1'795'860'071'519, "ada", "allowed", 200));  // 2026-11-28T10:01:11.519Z
  log.append(record(1'795'860'072'005, "", "unauthenticated", 401));

  auto rows = db->audit_since(0, 0);
  ASSERT_EQ(rows.size(), 2u);
  EXPECT_EQ(rows[0].subject, "ada");
  EXPECT_EQ(rows[0].time_ms, 1'795'860'071'519);
  EXPECT_EQ(rows[1].decision, "unauthenticated");
  EXPECT_EQ(rows[1].status, 401);

  auto lines = lines_of(dir.file("audit.jsonl"));
  ASSERT_EQ(lines.size(), 2u);
  Json first = Json::parse(lines[0]);
  EXPECT_EQ(first, Json::parse(R"({"time":"2026-11-28T10:01:11.519Z","subject":"ada","source":"127.0.0.1",
      "method":"POST","route":"/api/v1/workflows/{namespace}","object":"team-a/hello","decision":"allowed",
      "status":200})"));
  EXPECT_EQ(Json::parse(lines[1])["time"], "2026-11-28T10:01:12.005Z");  // milliseconds zero-padded
  EXPECT_EQ(Json::parse(lines[1])["subject"], "");

  struct stat st {};
  ASSERT_EQ(::stat(dir.file("audit.jsonl").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
}

TEST_F(AuditLogTest, AMissingTimeIsFilledIn) {
  log.append(record(0, "ada", "allowed", 200));
  auto rows = db->audit_since(0, 0);
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_GT(rows[0].time_ms, 0);
  Json line = Json::parse(lines_of(dir.file("audit.jsonl")).at(0));
  EXPECT_TRUE(
      std::regex_match(line["time"].get<std::string>(), std::regex(R"(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z)")))
      << line["time"];
}

TEST_F(AuditLogTest, HostileTextStaysOnOneLineAndInvalidUtf8IsReplacedNotThrown) {
  store::AuditRecord r = record(1'000, "ada", "failed", 404);
  r.route = "/api/v1/workflows/a\nb\"c\xff\xfe";
  r.object = "x\r\n{\"forged\":true}";
  EXPECT_NO_THROW(log.append(r));
  auto lines = lines_of(dir.file("audit.jsonl"));
  ASSERT_EQ(lines.size(), 1u);
  Json line = Json::parse(lines[0]);
  EXPECT_EQ(line["object"], "x\r\n{\"forged\":true}");
  EXPECT_EQ(line["route"].get<std::string>().rfind("/api/v1/workflows/a\nb\"c", 0), 0u);
  EXPECT_EQ(db->audit_since(0, 0).size(), 1u);
}

TEST_F(AuditLogTest, ConcurrentWritersNeverInterleaveInsideALine) {
  // The server's threads share one AuditLog; the CLI appends with its own, to the same file.
  auto other_db = store::open_sqlite_access(dir.file("access.db"));
  AuditLog other(*other_db, dir.file("audit.jsonl"));
  constexpr int kPerThread = 200;
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kPerThread; ++i) {
        store::AuditRecord r = record(1'000 + i, "writer" + std::to_string(t), "allowed", 200);
        r.object = std::string(300, static_cast<char>('a' + t));  // long lines make tearing visible
        (t == 3 ? other : log).append(r);
      }
    });
  }
  for (auto& th : threads) th.join();
  auto lines = lines_of(dir.file("audit.jsonl"));
  ASSERT_EQ(lines.size(), 4u * kPerThread);
  for (const auto& text : lines) {
    Json line = Json::parse(text);  // throws (fails the test) on a torn line
    char c = line["subject"].get<std::string>().back();
    EXPECT_EQ(line["object"], std::string(300, static_cast<char>('a' + (c - '0'))));
  }
  EXPECT_EQ(db->audit_since(0, 0).size(), 4u * kPerThread);
}

TEST_F(AuditLogTest, AnExistingFileIsAppendedToNotReplaced) {
  { std::ofstream(dir.file("audit.jsonl")) << "{\"earlier\":1}\n"; }
  log.append(record(5'000, "ada", "allowed", 200));
  auto lines = lines_of(dir.file("audit.jsonl"));
  ASSERT_EQ(lines.size(), 2u);
  EXPECT_EQ(lines[0], "{\"earlier\":1}");
}

TEST(AuditRecordJson, HasExactlyTheDocumentedFields) {
  Json j = AuditLog::to_json(record(61'001, "ada", "denied", 403));
  std::vector<std::string> keys;
  for (const auto& [k, v] : j.items()) keys.push_back(k);
  std::sort(keys.begin(), keys.end());
  EXPECT_EQ(keys,
            (std::vector<std::string>{"decision", "method", "object", "route", "source", "status", "subject", "time"}));
  EXPECT_EQ(j["time"], "1970-01-01T00:01:01.001Z");
  EXPECT_EQ(j["status"], 403);
}

}  // namespace
}  // namespace rampart::server
