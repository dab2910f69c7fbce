#include <gtest/gtest.h>
#include <sys/stat.h>

#include <fstream>
#include <sstream>

#include "../store/temp_dir.h"
#include "server/token_service.h"
#include "store/access_store.h"

namespace rampart::server {
namespace {

class TokenServiceTest : public ::testing::Test {
 protected:
  TokenServiceTest() : db(store::open_sqlite_access(dir.file("access.db"))), tokens(*db, dir.file("token.key")) {}
  store::testing::TempDir dir;
  std::unique_ptr<store::AccessStore> db;
  TokenService tokens;
  int64_t now = 1'800'000'000'000;
};

TEST_F(TokenServiceTest, CreatedTokenAuthenticatesWithItsSubjectAndRoles) {
  db->put_binding({"alice", "team-a", "author"});
  db->put_binding({"alice", "team-b", "viewer"});
  auto made = tokens.create("alice", 0, "laptop", now);
  EXPECT_EQ(made.token.rfind("rampart_" + made.record.id + "_", 0), 0u);
  auto subject = tokens.authenticate(made.token, now);
  ASSERT_TRUE(subject);
  EXPECT_EQ(subject->name, "alice");
  EXPECT_EQ(subject->token_id, made.record.id);
  EXPECT_EQ(subject->role_in("team-a"), Role::Author);
  EXPECT_EQ(subject->role_in("team-b"), Role::Viewer);
  EXPECT_EQ(subject->role_in("team-c"), Role::None);
  EXPECT_FALSE(subject->all_namespaces());
}

TEST_F(TokenServiceTest, WrongSecretUnknownIdAndMalformedTokensAreRefused) {
  auto made = tokens.create("alice", 0, "", now);
  std::string wrong = made.token;
  wrong.back() = wrong.back() == 'a' ? 'b' : 'a';
  EXPECT_FALSE(tokens.authenticate(wrong, now));
  std::string unknown = made.token;
  unknown[8] = unknown[8] == 'a' ? 'b' : 'a';
  EXPECT_FALSE(tokens.authenticate(unknown, now));
  for (const std::string& bad : std::vector<std::string>{"", "rampart_", "Bearer x", made.token + "0", made.token.substr(0, 40),
                          std::string("rampart_zzzzzzzzzzzzzzzz_") + std::string(64, 'a')}) {
    EXPECT_FALSE(tokens.authenticate(bad, now)) << bad;
  }
}

TEST_F(TokenServiceTest, ExpiredTokensAreRefusedOnTimeEvenWhenCached) {
  auto made = tokens.create("bob", 60, "", now);
  EXPECT_TRUE(tokens.authenticate(made.token, now + 59'500));
  EXPECT_FALSE(tokens.authenticate(made.token, now + 60'000));
}

TEST_F(TokenServiceTest, RevocationTakesEffectAndIsSeenByOtherInstancesWithinASecond) {
  auto made = tokens.create("carol", 0, "", now);
  // Another process (the CLI) with its own connection revokes the token.
  auto other_db = store::open_sqlite_access(dir.file("access.db"));
  TokenService other(*other_db, dir.file("token.key"));
  ASSERT_TRUE(tokens.authenticate(made.token, now));
  ASSERT_TRUE(other.revoke(made.record.id, now + 10));
  EXPECT_FALSE(other.authenticate(made.token, now + 20));
  EXPECT_FALSE(tokens.authenticate(made.token, now + 1'001));  // after the cache window
}

TEST_F(TokenServiceTest, TheSecretIsNeverStoredAndTheKeyFileIsPrivate) {
  auto made = tokens.create("dave", 0, "", now);
  std::string secret = made.token.substr(made.token.rfind('_') + 1);
  for (const char* file : {"access.db", "access.db-wal"}) {
    std::ifstream in(dir.file(file), std::ios::binary);
    std::stringstream bytes;
    bytes << in.rdbuf();
    EXPECT_EQ(bytes.str().find(secret), std::string::npos) << file;
  }
  struct stat st {};
  ASSERT_EQ(::stat(dir.file("token.key").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  EXPECT_EQ(st.st_size, 32);
  ASSERT_EQ(::stat(dir.file("access.db").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
}

TEST_F(TokenServiceTest, ADifferentHashKeyRejectsOtherwiseValidTokens) {
  auto made = tokens.create("erin", 0, "", now);
  TokenService other_key(*db, dir.file("other.key"));
  EXPECT_FALSE(other_key.authenticate(made.token, now));
}

TEST(RoleTest, NamesRoundTripAndWildcardBindingsApplyEverywhere) {
  for (Role r : {Role::Viewer, Role::Submitter, Role::Author, Role::Admin}) EXPECT_EQ(parse_role(role_name(r)), r);
  EXPECT_FALSE(parse_role("root"));
  Subject s;
  s.roles["*"] = Role::Viewer;
  s.roles["team-a"] = Role::Author;
  EXPECT_EQ(s.role_in("anything"), Role::Viewer);
  EXPECT_EQ(s.role_in("team-a"), Role::Author);
  EXPECT_TRUE(s.can("x", Role::Viewer));
  EXPECT_FALSE(s.can("x", Role::Submitter));
  EXPECT_TRUE(s.all_namespaces());
  EXPECT_EQ(s.namespaces(), std::vector<std::string>{"team-a"});
}

}  // namespace
}  // namespace rampart::server
