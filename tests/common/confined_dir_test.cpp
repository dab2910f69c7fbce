#include "common/confined_dir.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <gtest/gtest.h>

namespace rampart {
namespace {

namespace fs = std::filesystem;

class ConfinedDirTest : public ::testing::Test {
 protected:
  void SetUp() override {
    base_ = fs::temp_directory_path() / ("confined-" + std::to_string(::getpid()) + "-" +
                                         ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(base_);
    fs::create_directories(base_ / "root");
    fs::create_directories(base_ / "outside");
    std::ofstream(base_ / "outside" / "secret") << "top secret";
    std::string error;
    auto root = ConfinedDir::open((base_ / "root").string(), Create::No, &error);
    ASSERT_TRUE(root) << error;
    root_.emplace(std::move(*root));
  }
  void TearDown() override { fs::remove_all(base_); }

  std::string read_all(int fd) {
    std::string out;
    char buf[256];
    ssize_t n;
    while ((n = ::read(fd, buf, sizeof buf)) > 0) out.append(buf, static_cast<size_t>(n));
    return out;
  }

  fs::path base_;
  std::optional<ConfinedDir> root_;
};

TEST_F(ConfinedDirTest, CreatesAndReachesNestedDirectories) {
  std::string error;
  auto sub = root_->subdir("a/b//./c", Create::Yes, &error);
  ASSERT_TRUE(sub) << error;
  EXPECT_TRUE(fs::is_directory(base_ / "root" / "a" / "b" / "c"));
  EXPECT_EQ(sub->path(), (base_ / "root").string() + "/a/b/c");
  auto again = root_->subdir("", Create::No, &error);
  ASSERT_TRUE(again);
}

TEST_F(ConfinedDirTest, RefusesAbsoluteAndDotDot) {
  std::string error;
  EXPECT_FALSE(root_->subdir("/etc", Create::Yes, &error));
  EXPECT_NE(error.find("absolute"), std::string::npos) << error;
  error.clear();
  EXPECT_FALSE(root_->subdir("a/../../outside", Create::Yes, &error));
  EXPECT_NE(error.find(".."), std::string::npos) << error;
  EXPECT_FALSE(root_->open_file("../outside/secret", O_RDONLY, 0, &error));
  EXPECT_FALSE(fs::exists(base_ / "a"));
}

TEST_F(ConfinedDirTest, RefusesSymlinksOnTheWayAndAtTheEnd) {
  fs::create_directory_symlink(base_ / "outside", base_ / "root" / "escape");
  fs::create_directory_symlink("../outside", base_ / "root" / "relative-escape");
  fs::create_directories(base_ / "root" / "inner");
  fs::create_directory_symlink("inner", base_ / "root" / "inner-link");  // even one staying inside
  fs::create_symlink(base_ / "outside" / "secret", base_ / "root" / "file-link");
  std::string error;
  for (const char* path : {"escape", "escape/x", "relative-escape", "inner-link"}) {
    error.clear();
    EXPECT_FALSE(root_->subdir(path, Create::Yes, &error)) << path;
    EXPECT_NE(error.find("symbolic link"), std::string::npos) << path << ": " << error;
  }
  error.clear();
  EXPECT_FALSE(root_->open_file("escape/secret", O_RDONLY, 0, &error));
  EXPECT_NE(error.find("symbolic link"), std::string::npos) << error;
  error.clear();
  EXPECT_FALSE(root_->open_file("file-link", O_RDONLY, 0, &error));
  EXPECT_NE(error.find("symbolic link"), std::string::npos) << error;
  error.clear();
  EXPECT_FALSE(root_->open_file("file-link", O_WRONLY | O_CREAT | O_TRUNC, 0644, &error));
  std::ifstream secret(base_ / "outside" / "secret");
  std::string content((std::istreambuf_iterator<char>(secret)), {});
  EXPECT_EQ(content, "top secret");  // not truncated through the link
  EXPECT_FALSE(fs::exists(base_ / "outside" / "x"));
}

TEST_F(ConfinedDirTest, OpensAndCreatesFiles) {
  std::string error;
  UniqueFd out = root_->open_file("d/e/f.txt", O_WRONLY | O_CREAT | O_TRUNC, 0600, &error);
  ASSERT_TRUE(out) << error;
  ASSERT_EQ(::write(out.get(), "hi", 2), 2);
  UniqueFd in = root_->open_file("d/e/f.txt", O_RDONLY, 0, &error);
  ASSERT_TRUE(in) << error;
  EXPECT_EQ(read_all(in.get()), "hi");
  EXPECT_FALSE(root_->open_file("d/missing", O_RDONLY, 0, &error));
  EXPECT_NE(error.find("does not exist"), std::string::npos);
}

TEST_F(ConfinedDirTest, RemoveNeverFollowsLinks) {
  fs::create_directories(base_ / "root" / "tree" / "deep" / "er");
  std::ofstream(base_ / "root" / "tree" / "deep" / "file") << "x";
  fs::create_directory_symlink(base_ / "outside", base_ / "root" / "tree" / "link-to-outside");
  std::string error;
  EXPECT_TRUE(root_->remove("tree", &error)) << error;
  EXPECT_FALSE(fs::exists(base_ / "root" / "tree"));
  EXPECT_TRUE(fs::exists(base_ / "outside" / "secret"));
  // A link named directly is removed itself, its target stays.
  fs::create_directory_symlink(base_ / "outside", base_ / "root" / "link");
  EXPECT_TRUE(root_->remove("link", &error)) << error;
  EXPECT_TRUE(fs::exists(base_ / "outside" / "secret"));
  // Through a link: nothing is reachable, nothing is removed.
  fs::create_directory_symlink(base_ / "outside", base_ / "root" / "link");
  EXPECT_TRUE(root_->remove("link/secret", &error));
  EXPECT_TRUE(fs::exists(base_ / "outside" / "secret"));
  EXPECT_TRUE(root_->remove("never-existed", &error));
  EXPECT_FALSE(root_->remove("", &error));
}

TEST_F(ConfinedDirTest, PinnedPathNamesTheWalkedDirectoryEvenAfterASwap) {
  std::string error;
  auto dir = root_->subdir("shared/sub", Create::Yes, &error);
  ASSERT_TRUE(dir) << error;
  std::ofstream(base_ / "root" / "shared" / "sub" / "mine") << "mine";
  // A step swaps the walked directory for a link to the outside after the walk.
  fs::rename(base_ / "root" / "shared" / "sub", base_ / "root" / "shared" / "moved");
  fs::create_directory_symlink(base_ / "outside", base_ / "root" / "shared" / "sub");
  EXPECT_TRUE(fs::exists(fs::path(dir->pinned_path()) / "mine"));
  EXPECT_FALSE(fs::exists(fs::path(dir->pinned_path()) / "secret"));
}

TEST_F(ConfinedDirTest, MoveRenamesWithinAndAcrossDirectories) {
  std::string error;
  auto a = root_->subdir("a", Create::Yes, &error);
  auto b = root_->subdir("b", Create::Yes, &error);
  ASSERT_TRUE(a && b);
  std::ofstream(base_ / "root" / "a" / "x") << "x";
  EXPECT_TRUE(a->move("x", *b, "y", &error)) << error;
  EXPECT_TRUE(fs::exists(base_ / "root" / "b" / "y"));
  EXPECT_FALSE(a->move("../b", *b, "z", &error));
}

TEST_F(ConfinedDirTest, BoundsHostileInput) {
  std::string error;
  std::string deep;
  for (int i = 0; i < 300; ++i) deep += "d/";
  EXPECT_FALSE(root_->subdir(deep, Create::Yes, &error));
  EXPECT_NE(error.find("components"), std::string::npos) << error;
  EXPECT_FALSE(root_->subdir(std::string(5000, 'a'), Create::Yes, &error));
  EXPECT_FALSE(root_->subdir(std::string("a\0b", 3), Create::Yes, &error));
}

}  // namespace
}  // namespace rampart
