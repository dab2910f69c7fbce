// The engine's small building blocks: Argo's naming, local locks, the event loop, artifacts.
#include <archive.h>
#include <archive_entry.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "engine/artifact_repository.h"
#include "engine/event_loop.h"
#include "engine/locks.h"
#include "engine/naming.h"

namespace rampart::engine {
namespace {

namespace fs = std::filesystem;

TEST(Naming, Fnv32aMatchesTheReferenceValues) {
  EXPECT_EQ(fnv32a(""), 2166136261u);
  EXPECT_EQ(fnv32a("a"), 0xe40c292cu);
  EXPECT_EQ(fnv32a("foobar"), 0xbf9cf968u);
}

TEST(Naming, RootNodeIdIsTheWorkflowName) {
  EXPECT_EQ(node_id("wf-abc", "wf-abc"), "wf-abc");
  EXPECT_EQ(node_id("wf-abc", "wf-abc[0].step"), "wf-abc-" + std::to_string(fnv32a("wf-abc[0].step")));
}

TEST(Naming, PodNamesKeepTheHashAndFitAHostname) {
  EXPECT_EQ(pod_name("wf", "wf", "main"), "wf");
  std::string name = pod_name("wf", "wf.a", "echo");
  EXPECT_EQ(name, "wf-echo-" + std::to_string(fnv32a("wf.a")));
  std::string long_name = pod_name(std::string(80, 'w'), "node", std::string(40, 't'));
  EXPECT_LE(long_name.size(), 63u);
  EXPECT_TRUE(long_name.ends_with("-" + std::to_string(fnv32a("node"))));
}

TEST(Naming, LoopSuffixesAsArgoPrintsThem) {
  EXPECT_EQ(item_suffix(0, "hello"), "(0:hello)");
  EXPECT_EQ(item_suffix(2, 7), "(2:7)");
  EXPECT_EQ(item_suffix(1, nlohmann::json{{"os", "debian"}, {"tag", "9.1"}}), "(1:os:debian,tag:9.1)");
}

TEST(Locks, MutexGrantsInOrderAsHoldersRelease) {
  LockManager locks;
  std::vector<std::string> granted;
  EXPECT_TRUE(locks.acquire("m", 1, "a", [&] { granted.push_back("a"); }));
  EXPECT_FALSE(locks.acquire("m", 1, "b", [&] { granted.push_back("b"); }));
  EXPECT_FALSE(locks.acquire("m", 1, "c", [&] { granted.push_back("c"); }));
  EXPECT_EQ(locks.waiting("m"), 2u);
  locks.release("m", "a");
  EXPECT_EQ(granted, (std::vector<std::string>{"a", "b"}));
  locks.release("m", "b");
  EXPECT_EQ(granted, (std::vector<std::string>{"a", "b", "c"}));
  EXPECT_EQ(locks.waiting("m"), 0u);
}

TEST(Locks, SemaphoreAdmitsUpToItsLimit) {
  LockManager locks;
  int running = 0;
  for (const char* holder : {"a", "b", "c"}) locks.acquire("s", 2, holder, [&] { ++running; });
  EXPECT_EQ(running, 2);
  locks.release("s", "a");
  EXPECT_EQ(running, 3);
}

TEST(EventLoop, RunsPostedTasksAndDueTimersInOrder) {
  EventLoop loop;
  std::vector<int> order;
  loop.schedule(std::chrono::milliseconds(0), [&] { order.push_back(2); });
  auto cancelled = loop.schedule(std::chrono::milliseconds(0), [&] { order.push_back(99); });
  loop.cancel(cancelled);
  loop.post([&] { order.push_back(1); });
  while (order.size() < 2) loop.run_once(std::chrono::milliseconds(50));
  EXPECT_EQ(order, (std::vector<int>{1, 2}));
  EXPECT_FALSE(loop.has_timers());
}

class ArtifactRepositoryTest : public ::testing::Test {
 protected:
  void SetUp() override {
    root = fs::temp_directory_path() / ("rampart-artifacts-" + std::to_string(::getpid()) + "-" +
                                        ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(root);
    fs::create_directories(root / "src" / "dir" / "sub");
    std::ofstream(root / "src" / "file.txt") << "hello\n";
    std::ofstream(root / "src" / "dir" / "a.txt") << "a";
    std::ofstream(root / "src" / "dir" / "sub" / "b.txt") << "b";
  }
  void TearDown() override { fs::remove_all(root); }
  static std::string read(const fs::path& p) {
    std::ifstream in(p);
    return std::string(std::istreambuf_iterator<char>(in), {});
  }
  fs::path root;
};

TEST_F(ArtifactRepositoryTest, ArchivedFileRoundTrips) {
  ArtifactRepository repo(root / "repo");
  ASSERT_EQ(repo.save(root / "src" / "file.txt", "wf/pod/file.tgz", true), "");
  ASSERT_EQ(repo.load("wf/pod/file.tgz", root / "out" / "message", ""), "");
  EXPECT_EQ(read(root / "out" / "message"), "hello\n");
}

TEST_F(ArtifactRepositoryTest, ArchivedDirectoryRoundTripsAndSubPathSelects) {
  ArtifactRepository repo(root / "repo");
  ASSERT_EQ(repo.save(root / "src" / "dir", "wf/pod/dir.tgz", true), "");
  ASSERT_EQ(repo.load("wf/pod/dir.tgz", root / "out" / "d", ""), "");
  EXPECT_EQ(read(root / "out" / "d" / "sub" / "b.txt"), "b");
  ASSERT_EQ(repo.load("wf/pod/dir.tgz", root / "out" / "only-b", "sub/b.txt"), "");
  EXPECT_EQ(read(root / "out" / "only-b"), "b");
  EXPECT_NE(repo.load("wf/pod/dir.tgz", root / "out" / "missing", "nope"), "");
}

TEST_F(ArtifactRepositoryTest, UnarchivedArtifactsAreCopiedAsTheyAre) {
  ArtifactRepository repo(root / "repo");
  ASSERT_EQ(repo.save(root / "src" / "dir", "wf/pod/dir", false), "");
  EXPECT_EQ(read(root / "repo" / "wf" / "pod" / "dir" / "a.txt"), "a");
  ASSERT_EQ(repo.load("wf/pod/dir", root / "out" / "copy", ""), "");
  EXPECT_EQ(read(root / "out" / "copy" / "sub" / "b.txt"), "b");
}

TEST_F(ArtifactRepositoryTest, KeysCannotEscapeTheRepository) {
  ArtifactRepository repo(root / "repo");
  EXPECT_NE(repo.save(root / "src" / "file.txt", "../escape.tgz", true), "");
  EXPECT_NE(repo.save(root / "src" / "file.txt", "/abs.tgz", true), "");
  EXPECT_NE(repo.put("a/../../x", "data"), "");
  EXPECT_FALSE(fs::exists(root / "escape.tgz"));
  EXPECT_NE(repo.load("missing.tgz", root / "out" / "m", ""), "");
}

TEST_F(ArtifactRepositoryTest, TarballEntriesThatEscapeAreRefused) {
  // A hostile artifact: a gzip tarball whose entry climbs out of the extraction directory.
  fs::create_directories(root / "repo" / "evil");
  archive* out = archive_write_new();
  archive_write_add_filter_gzip(out);
  archive_write_set_format_pax_restricted(out);
  ASSERT_EQ(archive_write_open_filename(out, (root / "repo" / "evil" / "a.tgz").c_str()), ARCHIVE_OK);
  archive_entry* entry = archive_entry_new();
  archive_entry_set_pathname(entry, "../../escaped.txt");
  archive_entry_set_filetype(entry, AE_IFREG);
  archive_entry_set_perm(entry, 0644);
  archive_entry_set_size(entry, 4);
  archive_write_header(out, entry);
  archive_write_data(out, "evil", 4);
  archive_entry_free(entry);
  archive_write_close(out);
  archive_write_free(out);

  ArtifactRepository repo(root / "repo");
  std::string error = repo.load("evil/a.tgz", root / "out" / "x", "");
  EXPECT_NE(error.find("unsafe entry name"), std::string::npos) << error;
  EXPECT_FALSE(fs::exists(root / "escaped.txt"));
  EXPECT_FALSE(fs::exists(root / "out" / "escaped.txt"));
}

}  // namespace
}  // namespace rampart::engine
