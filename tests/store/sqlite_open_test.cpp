// Opening the SQLite store: files, directories, schema versions and damaged databases.
#include <gtest/gtest.h>
#include <sqlite3.h>
#include <sys/stat.h>

#include <cstdlib>
#include <fstream>
#include <optional>
#include <stdexcept>
#include <string>

#include "store/sqlite_migrations.h"
#include "store/store.h"
#include "temp_dir.h"

namespace rampart::store {
namespace {

using testing::TempDir;

// Reads or changes the file with the plain SQLite API, the way a person with sqlite3 would.
int64_t pragma_int(const std::string& path, const std::string& pragma) {
  sqlite3* db = nullptr;
  EXPECT_EQ(sqlite3_open(path.c_str(), &db), SQLITE_OK);
  sqlite3_stmt* stmt = nullptr;
  EXPECT_EQ(sqlite3_prepare_v2(db, ("PRAGMA " + pragma).c_str(), -1, &stmt, nullptr), SQLITE_OK);
  int64_t value = -1;
  if (sqlite3_step(stmt) == SQLITE_ROW) value = sqlite3_column_int64(stmt, 0);
  sqlite3_finalize(stmt);
  sqlite3_close(db);
  return value;
}

std::string pragma_text(const std::string& path, const std::string& pragma) {
  sqlite3* db = nullptr;
  EXPECT_EQ(sqlite3_open(path.c_str(), &db), SQLITE_OK);
  sqlite3_stmt* stmt = nullptr;
  EXPECT_EQ(sqlite3_prepare_v2(db, ("PRAGMA " + pragma).c_str(), -1, &stmt, nullptr), SQLITE_OK);
  std::string value;
  if (sqlite3_step(stmt) == SQLITE_ROW) value = reinterpret_cast<const char*>(sqlite3_column_text(stmt, 0));
  sqlite3_finalize(stmt);
  sqlite3_close(db);
  return value;
}

void exec_raw(const std::string& path, const std::string& sql) {
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open(path.c_str(), &db), SQLITE_OK);
  ASSERT_EQ(sqlite3_exec(db, sql.c_str(), nullptr, nullptr, nullptr), SQLITE_OK) << sqlite3_errmsg(db);
  sqlite3_close(db);
}

void write_file(const std::string& path, const std::string& content) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << content;
}

// The message of the runtime_error that `action` throws, or nullopt.
template <typename Action>
std::optional<std::string> runtime_error_of(Action&& action) {
  try {
    action();
  } catch (const std::runtime_error& error) {
    return std::string(error.what());
  }
  return std::nullopt;
}

TEST(SqliteOpen, FreshDatabaseGetsLatestSchemaAndWal) {
  TempDir dir;
  const std::string path = dir.file("rampart.db");
  open_sqlite(path);
  EXPECT_EQ(pragma_int(path, "user_version"), latest_schema_version());
  EXPECT_GE(latest_schema_version(), 1);
  EXPECT_EQ(pragma_text(path, "journal_mode"), "wal");
}

TEST(SqliteOpen, ReopeningKeepsDataAndVersion) {
  TempDir dir;
  const std::string path = dir.file("rampart.db");
  WorkflowRecord wf;
  wf.name = "kept";
  open_sqlite(path)->put_workflow(wf);
  auto store = open_sqlite(path);
  EXPECT_TRUE(store->get_workflow("argo", "kept"));
  EXPECT_EQ(pragma_int(path, "user_version"), latest_schema_version());
}

TEST(SqliteOpen, CreatesPrivateParentDirectoriesAndFile) {
  TempDir dir;
  const std::string path = dir.file("a/b/c/rampart.db");
  auto store = open_sqlite(path);
  struct stat info {};
  ASSERT_EQ(stat(path.c_str(), &info), 0);
  EXPECT_EQ(info.st_mode & 0777, 0600u);
  ASSERT_EQ(stat(dir.file("a/b/c").c_str(), &info), 0);
  EXPECT_EQ(info.st_mode & 0777, 0700u);
}

TEST(SqliteOpen, EmptyExistingFileBecomesADatabase) {
  TempDir dir;
  const std::string path = dir.file("empty.db");
  write_file(path, "");
  EXPECT_NO_THROW(open_sqlite(path));
  EXPECT_EQ(pragma_int(path, "user_version"), latest_schema_version());
}

TEST(SqliteOpen, FutureSchemaVersionIsRefused) {
  TempDir dir;
  const std::string path = dir.file("future.db");
  open_sqlite(path);
  exec_raw(path, "PRAGMA user_version = " + std::to_string(latest_schema_version() + 1));

  const auto message = runtime_error_of([&] { open_sqlite(path); });
  ASSERT_TRUE(message);
  EXPECT_NE(message->find(path), std::string::npos) << *message;
  EXPECT_NE(message->find("newer"), std::string::npos) << *message;
  EXPECT_NE(message->find(std::to_string(latest_schema_version() + 1)), std::string::npos) << *message;
  // Refusing does not touch the file.
  EXPECT_EQ(pragma_int(path, "user_version"), latest_schema_version() + 1);
}

TEST(SqliteOpen, VersionZeroWithoutTablesIsMigrated) {
  TempDir dir;
  const std::string path = dir.file("old.db");
  exec_raw(path, "PRAGMA user_version = 0; PRAGMA journal_mode = DELETE");
  auto store = open_sqlite(path);
  EXPECT_EQ(pragma_int(path, "user_version"), latest_schema_version());
  EXPECT_EQ(pragma_text(path, "journal_mode"), "wal");
  WorkflowRecord wf;
  wf.name = "after-migration";
  store->put_workflow(wf);
  EXPECT_TRUE(store->get_workflow("argo", "after-migration"));
}

TEST(SqliteOpen, AnotherProgramsDatabaseIsRefusedWithoutAddingTables) {
  TempDir dir;
  const std::string path = dir.file("someone-else.db");
  exec_raw(path, "CREATE TABLE memo (x); INSERT INTO memo VALUES (1)");
  const auto message = runtime_error_of([&] { open_sqlite(path); });
  ASSERT_TRUE(message);
  EXPECT_NE(message->find(path), std::string::npos) << *message;
  EXPECT_NE(message->find("not a rampart state database"), std::string::npos) << *message;
  EXPECT_EQ(pragma_int(path, "user_version"), 0);
  EXPECT_EQ(pragma_text(path, "table_info(workflows)"), "");  // nothing was created
}

TEST(SqliteOpen, GarbageFileIsAClearErrorNamingIt) {
  TempDir dir;
  const std::string path = dir.file("not-a-db.txt");
  std::string garbage;
  for (int i = 0; i < 8192; ++i) garbage += static_cast<char>('A' + i % 26);
  write_file(path, garbage);

  const auto message = runtime_error_of([&] { open_sqlite(path); });
  ASSERT_TRUE(message);
  EXPECT_NE(message->find(path), std::string::npos) << *message;
  EXPECT_NE(message->find("not a"), std::string::npos) << *message;
}

TEST(SqliteOpen, DamagedDatabaseIsAnErrorNotACrash) {
  TempDir dir;
  const std::string path = dir.file("damaged.db");
  {
    auto store = open_sqlite(path);
    store->begin();
    for (int i = 0; i < 200; ++i) {
      WorkflowRecord wf;
      wf.name = "wf-" + std::to_string(i);
      wf.manifest = {{"padding", std::string(2000, 'x')}};
      store->put_workflow(wf);
    }
    store->commit();
  }  // closing the last connection checkpoints everything into the main file
  // Overwrite everything after the first page (the header stays valid).
  {
    std::fstream file(path, std::ios::binary | std::ios::in | std::ios::out);
    file.seekp(4096);
    const std::string junk(64 * 1024, '\x5a');
    file.write(junk.data(), static_cast<std::streamsize>(junk.size()));
  }
  const auto message = runtime_error_of([&] {
    auto store = open_sqlite(path);
    store->list_workflows({});
    for (int i = 0; i < 200; ++i) store->get_workflow("argo", "wf-" + std::to_string(i));
  });
  ASSERT_TRUE(message);
  EXPECT_NE(message->find(path), std::string::npos) << *message;
}

TEST(SqliteOpen, DirectoryInsteadOfFileIsAClearError) {
  TempDir dir;
  const auto message = runtime_error_of([&] { open_sqlite(dir.path().string()); });
  ASSERT_TRUE(message);
  EXPECT_NE(message->find(dir.path().string()), std::string::npos) << *message;
}

TEST(SqliteOpen, InMemoryDatabaseWorks) {
  auto store = open_sqlite(":memory:");
  WorkflowRecord wf;
  wf.name = "ephemeral";
  store->put_workflow(wf);
  EXPECT_TRUE(store->get_workflow("argo", "ephemeral"));
}

// Sets an environment variable for one test and restores it afterwards.
class ScopedEnv {
 public:
  ScopedEnv(const char* name, const char* value) : name_(name) {
    if (const char* old = std::getenv(name)) old_ = old;
    if (value != nullptr) {
      setenv(name, value, 1);
    } else {
      unsetenv(name);
    }
  }
  ~ScopedEnv() {
    if (old_) {
      setenv(name_, old_->c_str(), 1);
    } else {
      unsetenv(name_);
    }
  }
  ScopedEnv(const ScopedEnv&) = delete;
  ScopedEnv& operator=(const ScopedEnv&) = delete;

 private:
  const char* name_;
  std::optional<std::string> old_;
};

TEST(DefaultPath, UsesXdgStateHome) {
  ScopedEnv state("XDG_STATE_HOME", "/srv/state");
  EXPECT_EQ(default_sqlite_path(), "/srv/state/rampart/rampart.db");
}

TEST(DefaultPath, FallsBackToHomeWhenXdgStateHomeIsUnsetOrRelative) {
  ScopedEnv home("HOME", "/home/someone");
  {
    ScopedEnv state("XDG_STATE_HOME", nullptr);
    EXPECT_EQ(default_sqlite_path(), "/home/someone/.local/state/rampart/rampart.db");
  }
  {
    ScopedEnv state("XDG_STATE_HOME", "relative/dir");
    EXPECT_EQ(default_sqlite_path(), "/home/someone/.local/state/rampart/rampart.db");
  }
}

}  // namespace
}  // namespace rampart::store
