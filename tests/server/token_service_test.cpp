#include <gtest/gtest.h>
#include <sys/stat.h>

#include <atomic>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <regex>
#include <set>
#include <thread>
#include <vector>
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
  for (const std::string& bad :
       std::vector<std::string>{"", "rampart_", "Bearer x", made.token + "0", made.token.substr(0, 40),
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

TEST_F(TokenServiceTest, TokensHaveTheDocumentedShapeAndAreUnique) {
  std::set<std::string> seen;
  for (int i = 0; i < 50; ++i) {
    auto made = tokens.create("frank", 0, "", now);
    EXPECT_TRUE(std::regex_match(made.token, std::regex("rampart_[0-9a-f]{16}_[0-9a-f]{64}"))) << i;
    EXPECT_EQ(TokenService::token_id_of(made.token), made.record.id);
    EXPECT_TRUE(seen.insert(made.token).second);
    EXPECT_EQ(made.token.find(made.record.secret_hash), std::string::npos);
  }
  EXPECT_EQ(TokenService::token_id_of("rampart_short_x"), "");
}

TEST_F(TokenServiceTest, ListingNeverCarriesTheSecret) {
  auto made = tokens.create("gina", 3600, "ci", now);
  std::string secret = made.token.substr(made.token.rfind('_') + 1);
  auto listed = tokens.list();
  ASSERT_EQ(listed.size(), 1u);
  EXPECT_EQ(listed[0].id, made.record.id);
  EXPECT_EQ(listed[0].expires_ms, now + 3'600'000);
  EXPECT_NE(listed[0].secret_hash, secret);
  EXPECT_EQ(listed[0].secret_hash.find(secret), std::string::npos);
}

TEST_F(TokenServiceTest, InvalidSubjectsAndLifetimesAreRefused) {
  EXPECT_THROW(tokens.create("", 0, "", now), std::invalid_argument);
  EXPECT_THROW(tokens.create("a b", 0, "", now), std::invalid_argument);
  EXPECT_THROW(tokens.create("local:root", 0, "", now), std::invalid_argument);
  EXPECT_THROW(tokens.create("alice", -1, "", now), std::invalid_argument);
  EXPECT_THROW(tokens.create("alice", INT64_MAX / 2, "", now), std::invalid_argument);
  EXPECT_TRUE(tokens.list().empty());
}

TEST_F(TokenServiceTest, RoleChangesAreSeenAfterTheCacheWindow) {
  auto made = tokens.create("hank", 0, "", now);
  EXPECT_EQ(tokens.authenticate(made.token, now)->role_in("argo"), Role::None);
  db->put_binding({"hank", "argo", "submitter"});
  EXPECT_EQ(tokens.authenticate(made.token, now + 1'000)->role_in("argo"), Role::Submitter);
  db->delete_binding("hank", "argo");
  EXPECT_EQ(tokens.authenticate(made.token, now + 2'000)->role_in("argo"), Role::None);
  EXPECT_EQ(tokens.subject_named("hank").roles.size(), 0u);
}

TEST_F(TokenServiceTest, ACachedAnswerIsNotReusedWhenTheClockGoesBack) {
  auto made = tokens.create("ivy", 0, "", now);
  ASSERT_TRUE(tokens.authenticate(made.token, now));
  auto other_db = store::open_sqlite_access(dir.file("access.db"));
  other_db->revoke_token(made.record.id, now);
  EXPECT_FALSE(tokens.authenticate(made.token, now - 5'000));
}

TEST_F(TokenServiceTest, AWrongGuessDoesNotSpoilTheRightToken) {
  auto made = tokens.create("jack", 0, "", now);
  std::string wrong = made.token;
  wrong.back() = wrong.back() == '0' ? '1' : '0';
  EXPECT_FALSE(tokens.authenticate(wrong, now));
  EXPECT_TRUE(tokens.authenticate(made.token, now));
  EXPECT_FALSE(tokens.authenticate(wrong, now + 1));
}

TEST_F(TokenServiceTest, ManyThreadsAuthenticateAtOnce) {
  auto good = tokens.create("kate", 0, "", now);
  std::string bad = good.token;
  bad.back() = bad.back() == '0' ? '1' : '0';
  std::atomic<int> wrong_answers{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 2'000; ++i) {
        int64_t at = now + i * 10 + t;  // crosses many cache windows
        if (!tokens.authenticate(good.token, at)) ++wrong_answers;
        if (tokens.authenticate(bad, at)) ++wrong_answers;
      }
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(wrong_answers.load(), 0);
}

TEST_F(TokenServiceTest, AKeyFileReadableByOthersIsMadePrivate) {
  ASSERT_EQ(::chmod(dir.file("token.key").c_str(), 0644), 0);
  TokenService again(*db, dir.file("token.key"));
  struct stat st {};
  ASSERT_EQ(::stat(dir.file("token.key").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  auto made = tokens.create("liam", 0, "", now);
  EXPECT_TRUE(again.authenticate(made.token, now));  // same key
}

TEST_F(TokenServiceTest, ADamagedKeyFileIsAnErrorNotANewKey) {
  { std::ofstream(dir.file("short.key"), std::ios::binary) << "0123456789"; }
  try {
    TokenService damaged(*db, dir.file("short.key"));
    ADD_FAILURE() << "a 10-byte key file was accepted";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find("short.key"), std::string::npos);
    EXPECT_EQ(std::string(e.what()).find("0123456789"), std::string::npos);  // never the key bytes
  }
}

TEST(TokenServiceKeyTest, ProcessesStartingTogetherAgreeOnOneKey) {
  store::testing::TempDir dir;
  constexpr int kServices = 4;
  std::vector<std::unique_ptr<store::AccessStore>> dbs;
  for (int i = 0; i < kServices; ++i) dbs.push_back(store::open_sqlite_access(dir.file("access.db")));
  std::vector<std::unique_ptr<TokenService>> services(kServices);
  std::vector<std::thread> threads;
  for (int i = 0; i < kServices; ++i) {
    threads.emplace_back([&, i] { services[i] = std::make_unique<TokenService>(*dbs[i], dir.file("token.key")); });
  }
  for (auto& th : threads) th.join();
  auto made = services[0]->create("mia", 0, "", 1'000);
  for (int i = 1; i < kServices; ++i) EXPECT_TRUE(services[i]->authenticate(made.token, 1'000)) << i;
  size_t files = 0;
  for (const auto& entry : std::filesystem::directory_iterator(dir.path())) {
    if (entry.path().filename().string().rfind("token.key", 0) == 0) ++files;
  }
  EXPECT_EQ(files, 1u);  // no temporary files left behind
}

}  // namespace
}  // namespace rampart::server
