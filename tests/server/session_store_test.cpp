#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "server/session_store.h"

namespace rampart::server {
namespace {

TEST(SessionStoreTest, ALoginLoopKeepsOnlyTheNewestSessionsOfItsSubject) {
  SessionStore store({3, 1'000});
  std::string csrf;
  std::vector<std::string> cookies;
  for (int i = 0; i < 1'000; ++i) cookies.push_back(store.create("mallory", "token", i, &csrf));
  EXPECT_EQ(store.size(), 3u);
  EXPECT_EQ(store.sessions_of("mallory"), 3u);
  EXPECT_FALSE(store.find(cookies[996], 1'000));
  for (int i = 997; i < 1'000; ++i) EXPECT_TRUE(store.find(cookies[i], 1'000)) << i;
  // Another subject is not affected by mallory's loop.
  std::string alice = store.create("alice", "t2", 1'000, &csrf);
  store.create("mallory", "token", 1'001, &csrf);
  EXPECT_TRUE(store.find(alice, 1'002));
}

TEST(SessionStoreTest, AFullStoreRefusesNamingTheFlagAndExpiredSessionsMakeRoom) {
  SessionStore store({10, 4});
  std::string csrf;
  for (const char* s : {"a", "b", "c", "d"}) store.create(s, "t", 0, &csrf);
  try {
    store.create("e", "t", 1, &csrf);
    FAIL() << "a fifth session fitted into a store of four";
  } catch (const SessionStoreFull& e) {
    EXPECT_NE(std::string(e.what()).find("--max-sessions"), std::string::npos) << e.what();
  }
  // Once they expire, a login purges them first.
  std::string fresh = store.create("e", "t", SessionStore::kLifetimeMs, &csrf);
  EXPECT_EQ(store.size(), 1u);
  EXPECT_EQ(store.sessions_of("a"), 0u);
  EXPECT_TRUE(store.find(fresh, SessionStore::kLifetimeMs + 1));
}

TEST(SessionStoreTest, LogoutAndExpiryForgetASessionEverywhere) {
  SessionStore store({2, 10});
  std::string csrf;
  std::string first = store.create("a", "t", 0, &csrf);
  std::string second = store.create("a", "t", 1, &csrf);
  store.remove(first);
  EXPECT_EQ(store.sessions_of("a"), 1u);
  EXPECT_FALSE(store.find(second, SessionStore::kLifetimeMs + 1));  // expired: gone
  EXPECT_EQ(store.size(), 0u);
  EXPECT_EQ(store.sessions_of("a"), 0u);
  store.remove("not a cookie");
  EXPECT_THROW(SessionStore({0, 1}), std::invalid_argument);
}

}  // namespace
}  // namespace rampart::server
