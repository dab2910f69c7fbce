// A fresh, empty database per test for each store backend: a SQLite file in a temporary
// directory, or a PostgreSQL schema of its own in the server named by $RAMPART_TEST_POSTGRES
// (dropped afterwards). ctest runs tests in parallel, so no two tests share tables.
#pragma once

#include <gtest/gtest.h>

#include <cstdlib>
#include <memory>
#include <random>
#include <string>

#include <pqxx/pqxx>

#include "store/store.h"
#include "temp_dir.h"

namespace rampart::store::testing {

enum class Backend { Sqlite, Postgres };

inline std::string backend_name(const ::testing::TestParamInfo<Backend>& info) {
  return info.param == Backend::Sqlite ? "Sqlite" : "Postgres";
}

// The server the PostgreSQL tests use; "" when none is configured.
inline std::string postgres_test_url() {
  const char* url = std::getenv("RAMPART_TEST_POSTGRES");
  return url != nullptr ? url : "";
}

// Skips a PostgreSQL test with a message when no server is configured; in CI that is a failure,
// since the suite must run against both stores there.
#define RAMPART_REQUIRE_POSTGRES()                                                                        \
  do {                                                                                                    \
    if (::rampart::store::testing::postgres_test_url().empty()) {                                         \
      const char* ci = std::getenv("CI");                                                                 \
      if (ci != nullptr && std::string(ci) == "true") FAIL() << "RAMPART_TEST_POSTGRES is not set in CI"; \
      GTEST_SKIP() << "RAMPART_TEST_POSTGRES is not set: run scripts/postgres start (scripts/test does)"; \
    }                                                                                                     \
  } while (0)

class TestDatabase {
 public:
  explicit TestDatabase(Backend backend) : backend_(backend) {
    if (backend == Backend::Sqlite) {
      location_ = dir_.file("state/rampart.db");
      return;
    }
    base_url_ = postgres_test_url();
    std::random_device random;
    schema_ = "t_" + std::to_string(random()) + std::to_string(random());
    pqxx::connection admin(base_url_);
    pqxx::nontransaction(admin).exec("CREATE SCHEMA " + schema_);
    location_ =
        base_url_ + (base_url_.find('?') == std::string::npos ? "?" : "&") + "options=-csearch_path%3D" + schema_;
  }
  ~TestDatabase() {
    if (schema_.empty()) return;
    try {
      pqxx::connection admin(base_url_);
      pqxx::nontransaction(admin).exec("DROP SCHEMA " + schema_ + " CASCADE");
    } catch (...) {  // a leftover schema is harmless
    }
  }
  TestDatabase(const TestDatabase&) = delete;
  TestDatabase& operator=(const TestDatabase&) = delete;

  const std::string& location() const { return location_; }
  std::unique_ptr<Store> open() const { return open_store(location_); }
  Backend backend() const { return backend_; }

 private:
  Backend backend_;
  TempDir dir_;
  std::string base_url_, schema_, location_;
};

}  // namespace rampart::store::testing
