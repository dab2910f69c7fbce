// Step directories are reused only when a step left them exactly as a fresh one: anything it
// wrote, linked or changed makes the directory go, so no step sees another's leftovers.
#include "engine/step_dir_pool.h"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>

namespace rampart::engine {
namespace {

namespace fs = std::filesystem;

class StepDirPoolTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/rampart-step-dir-pool-XXXXXX";
    root = ::mkdtemp(tmpl);
    std::string error;
    auto dir = ConfinedDir::open(root.string(), Create::No, &error);
    ASSERT_TRUE(dir) << error;
    pool = std::make_unique<StepDirPool>(std::make_shared<const ConfinedDir>(std::move(*dir)));
  }
  void TearDown() override { fs::remove_all(root); }

  ino_t take(const std::string& id) {
    std::string error;
    auto dir = pool->take(id, &error);
    EXPECT_TRUE(dir) << error;
    struct stat st {};
    ::fstat(dir->fd(), &st);
    return st.st_ino;
  }
  // What a step usually leaves: its empty tmp and work directories.
  ino_t run_quietly(const std::string& id) {
    const ino_t inode = take(id);
    fs::create_directories(root / id / "tmp");
    fs::create_directories(root / id / "work");
    return inode;
  }

  fs::path root;
  std::unique_ptr<StepDirPool> pool;
};

TEST_F(StepDirPoolTest, AnUntouchedDirectoryIsReusedUnderTheNextStepsName) {
  const ino_t first = run_quietly("a");
  pool->give_back("a");
  EXPECT_FALSE(fs::exists(root / "a"));
  EXPECT_EQ(take("b"), first);
  EXPECT_TRUE(fs::is_directory(root / "b" / "tmp"));
  EXPECT_TRUE(fs::is_empty(root / "b" / "tmp"));
}

TEST_F(StepDirPoolTest, ADirectoryWithAnythingWrittenInItIsRemoved) {
  for (const char* leftover : {"tmp/file", "file", "work/fifo"}) {
    run_quietly("a");
    fs::path path = root / "a" / leftover;
    if (path.filename() == "fifo") {
      ASSERT_EQ(::mkfifo(path.c_str(), 0600), 0);
    } else {
      std::ofstream(path) << "secret";
    }
    pool->give_back("a");
    EXPECT_TRUE(fs::is_empty(root)) << leftover << ": removed, not kept as a spare";
    take("b");
    EXPECT_TRUE(fs::is_empty(root / "b")) << leftover;
    fs::remove_all(root / "b");
  }
}

TEST_F(StepDirPoolTest, EmptyDirectoriesASandboxMadeAreReusedWithinBounds) {
  run_quietly("a");
  fs::create_directories(root / "a" / "rootfs" / "var" / "tmp");
  pool->give_back("a");
  EXPECT_FALSE(fs::is_empty(root)) << "kept as a spare";
  take("b");
  EXPECT_TRUE(fs::is_directory(root / "b" / "rootfs" / "var" / "tmp"));
  fs::create_directories(root / "b" / "1" / "2" / "3" / "4" / "5");
  pool->give_back("b");
  EXPECT_TRUE(fs::is_empty(root)) << "a tree deeper than kMaxDepth is removed";
}

TEST_F(StepDirPoolTest, ALinkOrAChangedModeIsNotReused) {
  run_quietly("a");
  fs::create_symlink("/etc", root / "a" / "link");
  pool->give_back("a");
  EXPECT_FALSE(fs::exists(root / "a"));
  EXPECT_TRUE(fs::exists("/etc/passwd")) << "the link is removed, never followed";

  run_quietly("c");
  ::chmod((root / "c" / "tmp").c_str(), 0777);
  pool->give_back("c");
  EXPECT_FALSE(fs::exists(root / "c"));
  take("d");
  EXPECT_FALSE(fs::exists(root / "d" / "tmp")) << "a directory made world-writable by a step is not handed on";
}

// bwrap leaves its --symlink mount points (/bin -> usr/bin) in the step's root: exactly those
// links, with exactly those targets, are removed and the directory reused; any other link is not.
TEST_F(StepDirPoolTest, TheExecutorsOwnLinksAreRemovedAndTheDirectoryReused) {
  std::string error;
  auto dir = ConfinedDir::open(root.string(), Create::No, &error);
  ASSERT_TRUE(dir) << error;
  pool = std::make_unique<StepDirPool>(std::make_shared<const ConfinedDir>(std::move(*dir)),
                                       std::vector<StepDirPool::KnownLink>{{"rootfs/bin", "usr/bin"}});
  const ino_t first = run_quietly("a");
  fs::create_directories(root / "a" / "rootfs" / "usr");
  fs::create_symlink("usr/bin", root / "a" / "rootfs" / "bin");
  pool->give_back("a");
  EXPECT_FALSE(fs::is_empty(root)) << "kept as a spare";
  EXPECT_EQ(take("b"), first);
  EXPECT_FALSE(fs::exists(fs::symlink_status(root / "b" / "rootfs" / "bin"))) << "the link is gone";
  EXPECT_TRUE(fs::is_directory(root / "b" / "rootfs" / "usr"));

  for (auto [path, target] :
       {std::pair{"rootfs/bin", "/etc"}, std::pair{"rootfs/lib", "usr/bin"}, std::pair{"bin", "usr/bin"}}) {
    fs::create_symlink(target, root / "b" / path);
    pool->give_back("b");
    EXPECT_TRUE(fs::is_empty(root)) << path << " -> " << target << ": not the executor's link, removed";
    EXPECT_TRUE(fs::exists("/etc/passwd"));
    run_quietly("b");
    fs::create_directories(root / "b" / "rootfs");
  }
}

// A server's runs hand their spares on through a shelf, within a namespace only.
TEST_F(StepDirPoolTest, AnEndingRunsSparesServeTheNextRunOfItsNamespace) {
  std::string error;
  auto shelf = SpareShelf::open((root / ".shelf").string(), &error);
  ASSERT_TRUE(shelf) << error;
  auto run_pool = [&](const std::string& name, const std::string& ns) {
    fs::create_directories(root / name);
    auto dir = ConfinedDir::open((root / name).string(), Create::No, &error);
    EXPECT_TRUE(dir) << error;
    return std::make_unique<StepDirPool>(std::make_shared<const ConfinedDir>(std::move(*dir)),
                                         std::vector<StepDirPool::KnownLink>{}, shelf, ns);
  };
  auto first = run_pool("wf-1", "team-a");
  auto step = first->take("s1", &error);
  ASSERT_TRUE(step) << error;
  struct stat st {};
  ::fstat(step->fd(), &st);
  const ino_t inode = st.st_ino;
  fs::create_directories(root / "wf-1" / "s1" / "tmp");
  first->give_back("s1");
  first->retire();
  fs::remove_all(root / "wf-1");  // the run directory goes; its spare is on the shelf

  auto other_namespace = run_pool("wf-2", "team-b");
  auto foreign = other_namespace->take("s1", &error);
  ASSERT_TRUE(foreign) << error;
  ::fstat(foreign->fd(), &st);
  EXPECT_NE(st.st_ino, inode) << "another namespace never gets it";

  auto same_namespace = run_pool("wf-3", "team-a");
  auto reused = same_namespace->take("s1", &error);
  ASSERT_TRUE(reused) << error;
  ::fstat(reused->fd(), &st);
  EXPECT_EQ(st.st_ino, inode);
  EXPECT_TRUE(fs::is_directory(root / "wf-3" / "s1" / "tmp"));
}

TEST_F(StepDirPoolTest, SparesAreHiddenNamesThatGoWithTheRunDirectory) {
  run_quietly("a");
  run_quietly("b");
  pool->give_back("a");
  pool->give_back("b");
  size_t spares = 0;
  for (const auto& entry : fs::directory_iterator(root)) {
    EXPECT_EQ(entry.path().filename().string().rfind(".spare-", 0), 0u) << entry.path();
    ++spares;
  }
  EXPECT_EQ(spares, 2u);
}

}  // namespace
}  // namespace rampart::engine
