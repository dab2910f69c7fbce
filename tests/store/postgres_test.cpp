// What is particular to the PostgreSQL store: connection errors, migrations shared by servers
// starting together, the order in which concurrent writers' events become visible.
#include <gtest/gtest.h>

#include <atomic>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include <pqxx/pqxx>

#include "store/store.h"
#include "test_database.h"

namespace rampart::store {
namespace {

using testing::Backend;
using testing::TestDatabase;

TEST(PostgresLocation, UrlsAreRecognisedAndPasswordsRedacted) {
  EXPECT_TRUE(is_postgres_url("postgres://u@h/db"));
  EXPECT_TRUE(is_postgres_url("postgresql://h/db"));
  EXPECT_FALSE(is_postgres_url("/var/lib/rampart/rampart.db"));
  EXPECT_FALSE(is_postgres_url("postgres.db"));
  EXPECT_EQ(redact_url("postgres://alice:s3cret@db:5432/rampart"), "postgres://alice:xxxxx@db:5432/rampart");
  EXPECT_EQ(redact_url("postgres://db/rampart?user=a&password=s3cret&sslmode=require"),
            "postgres://db/rampart?user=a&password=xxxxx&sslmode=require");
  EXPECT_EQ(redact_url("postgres://alice@db/rampart"), "postgres://alice@db/rampart");
}

TEST(PostgresOpen, UnreachableServerIsAClearErrorWithoutThePassword) {
  try {
    // Port 1 on loopback: nothing listens there.
    open_store("postgres://alice:hunter2-secret@127.0.0.1:1/rampart?connect_timeout=2");
    FAIL() << "expected an error";
  } catch (const std::runtime_error& e) {
    std::string message = e.what();
    EXPECT_NE(message.find("PostgreSQL at postgres://alice:xxxxx@127.0.0.1:1/rampart"), std::string::npos) << message;
    EXPECT_EQ(message.find("hunter2"), std::string::npos) << message;
  }
}

TEST(PostgresOpen, WrongPasswordIsAClearErrorWithoutThePassword) {
  RAMPART_REQUIRE_POSTGRES();
  std::string url = testing::postgres_test_url();
  // Swap the password for a wrong one.
  size_t colon = url.find(':', std::string("postgres://").size());
  size_t at = url.find('@');
  ASSERT_NE(colon, std::string::npos);
  std::string wrong = url.substr(0, colon + 1) + "not-the-password-42" + url.substr(at);
  try {
    open_store(wrong);
    FAIL() << "expected an error";
  } catch (const std::runtime_error& e) {
    std::string message = e.what();
    EXPECT_NE(message.find("password authentication failed"), std::string::npos) << message;
    EXPECT_EQ(message.find("not-the-password-42"), std::string::npos) << message;
  }
}

TEST(PostgresMigrations, ServersStartingTogetherMigrateOnce) {
  RAMPART_REQUIRE_POSTGRES();
  TestDatabase db(Backend::Postgres);
  std::atomic<int> failures{0};
  std::vector<std::thread> servers;
  for (int i = 0; i < 4; ++i) {
    servers.emplace_back([&] {
      try {
        db.open()->put_workflow({});
      } catch (const std::exception&) {
        ++failures;
      }
    });
  }
  for (auto& t : servers) t.join();
  EXPECT_EQ(failures.load(), 0);
  std::string schema = db.location().substr(db.location().find("%3D") + 3);
  pqxx::connection check(testing::postgres_test_url());
  pqxx::nontransaction tx(check);
  EXPECT_EQ(tx.exec("SELECT version FROM " + schema + ".rampart_schema")[0][0].as<int>(), 1);
  EXPECT_EQ(tx.exec("SELECT count(*) FROM " + schema + ".rampart_schema")[0][0].as<int>(), 1);
}

TEST(PostgresMigrations, NewerSchemaIsRefused) {
  RAMPART_REQUIRE_POSTGRES();
  TestDatabase db(Backend::Postgres);
  db.open();
  std::string schema = db.location().substr(db.location().find("%3D") + 3);
  {
    pqxx::connection admin(testing::postgres_test_url());
    pqxx::nontransaction(admin).exec("UPDATE " + schema + ".rampart_schema SET version = 999");
  }
  try {
    db.open();
    FAIL() << "expected an error";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find("newer than this rampart supports"), std::string::npos) << e.what();
  }
}

// Writers append events to one workflow from several connections while a watcher reads "after
// the last seq I saw": the watcher must see every event exactly once.
TEST(PostgresEvents, AWatcherNeverSkipsAnEventOfConcurrentWriters) {
  RAMPART_REQUIRE_POSTGRES();
  TestDatabase db(Backend::Postgres);
  db.open();  // migrate once
  constexpr int kWriters = 4, kEach = 150;
  std::atomic<int> running{kWriters};
  std::vector<std::thread> writers;
  for (int w = 0; w < kWriters; ++w) {
    writers.emplace_back([&, w] {
      auto store = db.open();
      for (int i = 0; i < kEach; ++i) {
        if (i % 3 == 0) {
          store->begin();
          store->append_event("argo", "wf", {0, 0, "", "Normal", "R", std::to_string(w) + "-" + std::to_string(i)});
          store->put_workflow({});  // a little more work inside the transaction
          store->commit();
        } else {
          store->append_event("argo", "wf", {0, 0, "", "Normal", "R", std::to_string(w) + "-" + std::to_string(i)});
        }
      }
      --running;
    });
  }
  auto watcher = db.open();
  std::set<std::string> seen;
  int64_t after = 0;
  int duplicates = 0;
  while (true) {
    bool last_round = running.load() == 0;
    for (const auto& e : watcher->events("argo", "wf", after)) {
      after = e.seq;
      if (!seen.insert(e.message).second) ++duplicates;
    }
    if (last_round) break;
  }
  for (auto& t : writers) t.join();
  EXPECT_EQ(duplicates, 0);
  EXPECT_EQ(seen.size(), static_cast<size_t>(kWriters * kEach));
}

}  // namespace
}  // namespace rampart::store
