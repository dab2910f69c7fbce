// The local artifact repository: round trips, namespace scoping, and hostile archives (Argo's
// ZipSlip advisories CVE-2025-62156 and CVE-2025-66626).
#include "engine/artifact_repository.h"

#include <archive.h>
#include <archive_entry.h>
#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <functional>

namespace rampart::engine {
namespace {

namespace fs = std::filesystem;

class ArtifactRepositoryTest : public ::testing::Test {
 protected:
  void SetUp() override {
    root = fs::temp_directory_path() / ("rampart-artifacts-" + std::to_string(::getpid()) + "-" +
                                        ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(root);
    fs::create_directories(root / "src" / "dir" / "sub");
    fs::create_directories(root / "out");
    fs::create_directories(root / "scratch");
    std::ofstream(root / "src" / "file.txt") << "hello\n";
    std::ofstream(root / "src" / "dir" / "a.txt") << "a";
    std::ofstream(root / "src" / "dir" / "sub" / "b.txt") << "b";
    src.emplace(open_dir(root / "src"));
    out.emplace(open_dir(root / "out"));
    scratch.emplace(open_dir(root / "scratch"));
  }
  void TearDown() override { fs::remove_all(root); }

  static ConfinedDir open_dir(const fs::path& p) {
    std::string error;
    auto dir = ConfinedDir::open(p.string(), Create::Yes, &error);
    EXPECT_TRUE(dir) << error;
    return std::move(*dir);
  }
  static std::string read(const fs::path& p) {
    std::ifstream in(p);
    return std::string(std::istreambuf_iterator<char>(in), {});
  }
  ArtifactRepository repo(const std::string& ns = "team-a") const { return ArtifactRepository(root / "repo", ns); }

  // Writes a gzip tarball at <repo>/<ns>/<key> with entries added by `fill`.
  void write_tarball(const std::string& ns, const std::string& key, const std::function<void(archive*)>& fill) {
    fs::path file = root / "repo" / ns / key;
    fs::create_directories(file.parent_path());
    archive* a = archive_write_new();
    archive_write_add_filter_gzip(a);
    archive_write_set_format_pax_restricted(a);
    ASSERT_EQ(archive_write_open_filename(a, file.c_str()), ARCHIVE_OK);
    fill(a);
    archive_write_close(a);
    archive_write_free(a);
  }
  static void add_entry(archive* a, const std::string& name, mode_t type, mode_t perm, const std::string& data = "",
                        const char* link = nullptr, bool hard = false) {
    archive_entry* e = archive_entry_new();
    archive_entry_set_pathname(e, name.c_str());
    archive_entry_set_filetype(e, type);
    archive_entry_set_perm(e, perm);
    archive_entry_set_size(e, static_cast<la_int64_t>(data.size()));
    if (link && hard) archive_entry_set_hardlink(e, link);
    if (link && !hard) archive_entry_set_symlink(e, link);
    archive_write_header(a, e);
    if (!data.empty()) archive_write_data(a, data.data(), data.size());
    archive_entry_free(e);
  }

  fs::path root;
  std::optional<ConfinedDir> src, out, scratch;
};

TEST_F(ArtifactRepositoryTest, ArchivedFileRoundTrips) {
  ASSERT_EQ(repo().save(*src, "file.txt", "wf/pod/file.tgz", true), "");
  ASSERT_EQ(repo().load("wf/pod/file.tgz", *out, "message", "", *scratch), "");
  EXPECT_EQ(read(root / "out" / "message"), "hello\n");
  EXPECT_TRUE(fs::is_empty(root / "scratch"));
}

TEST_F(ArtifactRepositoryTest, ArchivedDirectoryRoundTripsAndSubPathSelects) {
  ASSERT_EQ(repo().save(*src, "dir", "wf/pod/dir.tgz", true), "");
  ASSERT_EQ(repo().load("wf/pod/dir.tgz", *out, "d", "", *scratch), "");
  EXPECT_EQ(read(root / "out" / "d" / "sub" / "b.txt"), "b");
  ASSERT_EQ(repo().load("wf/pod/dir.tgz", *out, "nested/only-b", "sub/b.txt", *scratch), "");
  EXPECT_EQ(read(root / "out" / "nested" / "only-b"), "b");
  EXPECT_NE(repo().load("wf/pod/dir.tgz", *out, "missing", "nope", *scratch), "");
}

TEST_F(ArtifactRepositoryTest, UnarchivedArtifactsAreCopiedAsTheyAre) {
  ASSERT_EQ(repo().save(*src, "dir", "wf/pod/dir", false), "");
  EXPECT_EQ(read(root / "repo" / "team-a" / "wf" / "pod" / "dir" / "a.txt"), "a");
  ASSERT_EQ(repo().load("wf/pod/dir", *out, "copy", "", *scratch), "");
  EXPECT_EQ(read(root / "out" / "copy" / "sub" / "b.txt"), "b");
}

TEST_F(ArtifactRepositoryTest, KeysCannotEscapeTheRepository) {
  EXPECT_NE(repo().save(*src, "file.txt", "../escape.tgz", true), "");
  EXPECT_NE(repo().save(*src, "file.txt", "/abs.tgz", true), "");
  EXPECT_NE(repo().put("a/../../x", "data"), "");
  EXPECT_FALSE(fs::exists(root / "escape.tgz"));
  EXPECT_FALSE(fs::exists(root / "repo" / "escape.tgz"));
  EXPECT_NE(repo().load("missing.tgz", *out, "m", "", *scratch), "");
}

TEST_F(ArtifactRepositoryTest, NamespacesCannotReadOrOverwriteEachOthersArtifacts) {
  ASSERT_EQ(repo("team-a").put("wf/pod/secret.txt", "team a only"), "");
  // team-b names team-a's key in every way a key can be written.
  for (const char* key : {"team-a/wf/pod/secret.txt", "../team-a/wf/pod/secret.txt", "/team-a/wf/pod/secret.txt"}) {
    EXPECT_FALSE(repo("team-b").exists(key)) << key;
    EXPECT_NE(repo("team-b").load(key, *out, "stolen", "", *scratch), "") << key;
    repo("team-b").put(key, "overwritten");
  }
  EXPECT_FALSE(fs::exists(root / "out" / "stolen"));
  EXPECT_EQ(read(root / "repo" / "team-a" / "wf" / "pod" / "secret.txt"), "team a only");
  // A link planted in team-b's part of the repository is not followed either.
  fs::create_directories(root / "repo" / "team-b");
  fs::create_directory_symlink(root / "repo" / "team-a", root / "repo" / "team-b" / "via-link");
  EXPECT_FALSE(repo("team-b").exists("via-link/wf/pod/secret.txt"));
  EXPECT_NE(repo("bad/ns").put("x", "y"), "");
  EXPECT_NE(repo("..").put("x", "y"), "");
}

TEST_F(ArtifactRepositoryTest, SavingNeverFollowsLinksOutOfTheStep) {
  fs::create_directories(root / "outside");
  std::ofstream(root / "outside" / "shadow") << "root:hash";
  fs::create_symlink("a.txt", root / "src" / "dir" / "alias");
  ASSERT_EQ(repo().save(*src, "dir", "wf/pod/dir.tgz", true), "");
  ASSERT_EQ(repo().load("wf/pod/dir.tgz", *out, "d", "", *scratch), "");
  EXPECT_TRUE(fs::is_symlink(root / "out" / "d" / "alias"));  // kept as a link
  // A link to the host is saved as a link (its text), never as what it points at; such an
  // artifact is then refused when loaded.
  fs::create_symlink(root / "outside" / "shadow", root / "src" / "dir" / "link");
  ASSERT_EQ(repo().save(*src, "dir", "wf/pod/with-link.tgz", true), "");
  std::string error = repo().load("wf/pod/with-link.tgz", *out, "l", "", *scratch);
  EXPECT_NE(error.find("symbolic link pointing outside"), std::string::npos) << error;
  ASSERT_EQ(repo().save(*src, "dir", "wf/pod/unarchived", false), "");
  EXPECT_TRUE(fs::is_symlink(root / "repo" / "team-a" / "wf" / "pod" / "unarchived" / "link"));
  // Through a linked directory nothing is saved at all.
  fs::create_directory_symlink(root / "outside", root / "src" / "dirlink");
  EXPECT_NE(repo().save(*src, "dirlink/shadow", "wf/pod/x.tgz", true), "");
  EXPECT_FALSE(fs::exists(root / "repo" / "team-a" / "wf" / "pod" / "x.tgz"));
  ASSERT_EQ(repo().save(*src, "dirlink", "wf/pod/y", false), "");  // the link itself, as a link
  EXPECT_TRUE(fs::is_symlink(root / "repo" / "team-a" / "wf" / "pod" / "y"));
}

TEST_F(ArtifactRepositoryTest, LoadingNeverWritesThroughAPlantedLink) {
  ASSERT_EQ(repo().save(*src, "file.txt", "wf/pod/file.tgz", true), "");
  fs::create_directories(root / "outside");
  fs::create_directory_symlink(root / "outside", root / "out" / "planted");
  std::string error = repo().load("wf/pod/file.tgz", *out, "planted/message", "", *scratch);
  EXPECT_NE(error.find("symbolic link"), std::string::npos) << error;
  EXPECT_TRUE(fs::is_empty(root / "outside"));
}

TEST_F(ArtifactRepositoryTest, ZipSlip_CVE_2025_62156_EntriesClimbingOutAreRefused) {
  write_tarball("team-a", "evil/a.tgz", [](archive* a) { add_entry(a, "../../escaped.txt", AE_IFREG, 0644, "evil"); });
  std::string error = repo().load("evil/a.tgz", *out, "x", "", *scratch);
  EXPECT_NE(error.find(".."), std::string::npos) << error;
  write_tarball("team-a", "evil/b.tgz",
                [](archive* a) { add_entry(a, "/tmp/rampart-absolute-escape", AE_IFREG, 0644, "evil"); });
  error = repo().load("evil/b.tgz", *out, "y", "", *scratch);
  EXPECT_NE(error.find("absolute"), std::string::npos) << error;
  EXPECT_FALSE(fs::exists("/tmp/rampart-absolute-escape"));
  EXPECT_FALSE(fs::exists(root / "escaped.txt"));
  EXPECT_FALSE(fs::exists(root / "repo" / "escaped.txt"));
  EXPECT_TRUE(fs::is_empty(root / "scratch"));
}

TEST_F(ArtifactRepositoryTest, ZipSlip_CVE_2025_66626_LinksPointingOutAreRefused) {
  fs::create_directories(root / "outside");
  // A symlink to the outside, then a file written "through" it.
  write_tarball("team-a", "evil/link.tgz", [&](archive* a) {
    add_entry(a, "top", AE_IFDIR, 0755);
    add_entry(a, "top/out", AE_IFLNK, 0777, "", (root / "outside").c_str());
    add_entry(a, "top/out/pwned", AE_IFREG, 0644, "x");
  });
  std::string error = repo().load("evil/link.tgz", *out, "l", "", *scratch);
  EXPECT_NE(error.find("symbolic link pointing outside"), std::string::npos) << error;
  write_tarball("team-a", "evil/relative.tgz",
                [](archive* a) { add_entry(a, "top/up", AE_IFLNK, 0777, "", "../../.."); });
  EXPECT_NE(repo().load("evil/relative.tgz", *out, "r", "", *scratch), "");
  write_tarball("team-a", "evil/hard.tgz",
                [](archive* a) { add_entry(a, "top/h", AE_IFREG, 0644, "", "../../../etc/passwd", true); });
  error = repo().load("evil/hard.tgz", *out, "h", "", *scratch);
  EXPECT_NE(error.find("hard link"), std::string::npos) << error;
  EXPECT_TRUE(fs::is_empty(root / "outside"));
  // A link that stays inside the archive is fine.
  write_tarball("team-a", "fine.tgz", [](archive* a) {
    add_entry(a, "top", AE_IFDIR, 0755);
    add_entry(a, "top/real", AE_IFREG, 0644, "data");
    add_entry(a, "top/alias", AE_IFLNK, 0777, "", "real");
  });
  ASSERT_EQ(repo().load("fine.tgz", *out, "fine", "", *scratch), "");
  EXPECT_EQ(read(root / "out" / "fine" / "alias"), "data");
}

TEST_F(ArtifactRepositoryTest, DevicesAndSetuidBitsAreRefused) {
  write_tarball("team-a", "evil/dev.tgz", [](archive* a) { add_entry(a, "top/null", AE_IFCHR, 0666); });
  EXPECT_NE(repo().load("evil/dev.tgz", *out, "d", "", *scratch).find("device"), std::string::npos);
  write_tarball("team-a", "evil/suid.tgz", [](archive* a) { add_entry(a, "top/sh", AE_IFREG, 04755, "#!/bin/sh"); });
  EXPECT_NE(repo().load("evil/suid.tgz", *out, "s", "", *scratch).find("setuid"), std::string::npos);
  EXPECT_FALSE(fs::exists(root / "out" / "s"));
}

TEST_F(ArtifactRepositoryTest, ArchiveBoundsAreEnforced) {
  write_tarball("team-a", "many.tgz", [](archive* a) {
    for (int i = 0; i < 20; ++i) add_entry(a, "top/f" + std::to_string(i), AE_IFREG, 0644, "x");
  });
  ArtifactRepository small(root / "repo", "team-a", ArchiveLimits{10, 1 << 20});
  std::string error = small.load("many.tgz", *out, "m", "", *scratch);
  EXPECT_NE(error.find("more than 10 entries"), std::string::npos) << error;
  EXPECT_NE(error.find("--max-artifact-entries"), std::string::npos) << error;
  write_tarball("team-a", "big.tgz",
                [](archive* a) { add_entry(a, "top/big", AE_IFREG, 0644, std::string(4096, 'z')); });
  ArtifactRepository tiny(root / "repo", "team-a", ArchiveLimits{10, 1000});
  error = tiny.load("big.tgz", *out, "b", "", *scratch);
  EXPECT_NE(error.find("--max-artifact-bytes"), std::string::npos) << error;
}

}  // namespace
}  // namespace rampart::engine
