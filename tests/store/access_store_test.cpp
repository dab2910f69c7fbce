#include <gtest/gtest.h>

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

}  // namespace
}  // namespace rampart::store
