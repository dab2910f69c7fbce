#include <gtest/gtest.h>
#include <sqlite3.h>
#include <sys/stat.h>

#include <stdexcept>
#include <string>

#include "store/access_store.h"
#include "temp_dir.h"

namespace rampart::store {
namespace {

TEST(AccessStoreTest, TokensBindingsAndAuditRoundTrip) {
  testing::TempDir dir;
  auto db = open_sqlite_access(dir.file("access.db"));
  db->put_token({"id1", "alice", "hash1", "note", 10, 0, 0});
  db->put_token({"id2", "bob", "hash2", "", 20, 500, 0});
  ASSERT_TRUE(db->get_token("id1"));
  EXPECT_EQ(db->get_token("id1")->subject, "alice");
  EXPECT_FALSE(db->get_token("nope"));
  EXPECT_EQ(db->list_tokens().size(), 2u);
  EXPECT_TRUE(db->revoke_token("id2", 99));
  EXPECT_EQ(db->get_token("id2")->revoked_ms, 99);
  EXPECT_TRUE(db->revoke_token("id2", 150));  // known, stays revoked at the first time
  EXPECT_EQ(db->get_token("id2")->revoked_ms, 99);
  EXPECT_FALSE(db->revoke_token("nope", 1));

  db->put_binding({"alice", "team-a", "viewer"});
  db->put_binding({"alice", "team-a", "author"});  // replaces
  db->put_binding({"alice", "*", "viewer"});
  auto bindings = db->bindings_of("alice");
  ASSERT_EQ(bindings.size(), 2u);
  EXPECT_EQ(bindings[1].role, "author");
  EXPECT_TRUE(db->delete_binding("alice", "*"));
  EXPECT_FALSE(db->delete_binding("alice", "*"));
  EXPECT_EQ(db->list_bindings().size(), 1u);

  for (int i = 0; i < 5; ++i) db->append_audit({0, 1000 + i, "alice", "127.0.0.1", "POST", "/r", "o", "allowed", 200});
  auto all = db->audit_since(0, 0);
  ASSERT_EQ(all.size(), 5u);
  EXPECT_LT(all[0].seq, all[4].seq);
  auto newest = db->audit_since(0, 2);
  ASSERT_EQ(newest.size(), 2u);
  EXPECT_EQ(newest[1].time_ms, 1004);
  EXPECT_EQ(db->audit_since(1003, 0).size(), 2u);
}

TEST(AccessStoreTest, SecondConnectionSeesCommittedWritesAndSchemaIsShared) {
  testing::TempDir dir;
  auto a = open_sqlite_access(dir.file("access.db"));
  auto b = open_sqlite_access(dir.file("access.db"));
  a->append_audit({0, 1, "x", "s", "GET", "/r", "", "denied", 403});
  b->put_binding({"y", "ns", "admin"});
  EXPECT_EQ(b->audit_since(0, 0).size(), 1u);
  EXPECT_EQ(a->bindings_of("y").size(), 1u);
}

TEST(AccessStoreTest, TheFileIsPrivateAndSurvivesReopening) {
  testing::TempDir dir;
  {
    auto db = open_sqlite_access(dir.file("state/access.db"));
    db->put_token({"id1", "alice", "hash1", "", 10, 0, 0});
    db->put_binding({"alice", "argo", "viewer"});
    db->append_audit({0, 5, "alice", "local", "cli", "token create", "alice id1", "allowed", 0});
  }
  for (const char* name : {"state/access.db", "state/access.db-wal", "state/access.db-shm"}) {
    struct stat st {};
    if (::stat(dir.file(name).c_str(), &st) != 0) continue;  // -wal/-shm may be gone after the last close
    EXPECT_EQ(st.st_mode & 0777, 0600u) << name;
  }
  struct stat st {};
  ASSERT_EQ(::stat(dir.file("state").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0700u);  // a state dir it creates is private too

  auto again = open_sqlite_access(dir.file("state/access.db"));
  EXPECT_EQ(again->get_token("id1")->secret_hash, "hash1");
  EXPECT_EQ(again->bindings_of("alice").size(), 1u);
  auto audit = again->audit_since(0, 0);
  ASSERT_EQ(audit.size(), 1u);
  EXPECT_EQ(audit[0].route, "token create");
}

TEST(AccessStoreTest, ADatabaseFromANewerRampartIsRefused) {
  testing::TempDir dir;
  { open_sqlite_access(dir.file("access.db")); }
  {
    sqlite3* raw = nullptr;
    ASSERT_EQ(sqlite3_open(dir.file("access.db").c_str(), &raw), SQLITE_OK);
    ASSERT_EQ(sqlite3_exec(raw, "PRAGMA user_version = 99", nullptr, nullptr, nullptr), SQLITE_OK);
    sqlite3_close(raw);
  }
  try {
    open_sqlite_access(dir.file("access.db"));
    ADD_FAILURE() << "opened a schema from the future";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find("newer rampart"), std::string::npos) << e.what();
  }
}

TEST(AccessStoreTest, BindingsOfOneSubjectDoNotLeakToAnother) {
  testing::TempDir dir;
  auto db = open_sqlite_access(dir.file("access.db"));
  db->put_binding({"alice", "team-a", "admin"});
  db->put_binding({"alicia", "team-b", "viewer"});
  db->put_binding({"ALICE", "team-c", "viewer"});
  auto a = db->bindings_of("alice");
  ASSERT_EQ(a.size(), 1u);
  EXPECT_EQ(a[0].namespace_, "team-a");
  EXPECT_TRUE(db->bindings_of("ali%").empty());  // no LIKE matching
  EXPECT_FALSE(db->delete_binding("alice", "team-b"));
  EXPECT_EQ(db->list_bindings().size(), 3u);
}

TEST(AccessStoreTest, AuditLimitKeepsTheNewestAndReturnsThemOldestFirst) {
  testing::TempDir dir;
  auto db = open_sqlite_access(dir.file("access.db"));
  for (int i = 0; i < 10; ++i) {
    db->append_audit({0, 100 * i, "s" + std::to_string(i), "a", "GET", "/r", "", "denied", 401});
  }
  auto last3 = db->audit_since(0, 3);
  ASSERT_EQ(last3.size(), 3u);
  EXPECT_EQ(last3[0].subject, "s7");
  EXPECT_EQ(last3[2].subject, "s9");
  auto since = db->audit_since(850, 0);
  ASSERT_EQ(since.size(), 1u);
  EXPECT_EQ(since[0].subject, "s9");
  EXPECT_TRUE(db->audit_since(10'000, 5).empty());
}

}  // namespace
}  // namespace rampart::store
