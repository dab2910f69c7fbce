#include "exec/log_capture.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <filesystem>
#include <fstream>

#include "exec_test_support.h"

namespace rampart::exec {
namespace {

class LogCaptureTest : public ::testing::Test {
 protected:
  LogCapture* open(uint64_t max_bytes, std::shared_ptr<const SecretMasker> masker = nullptr) {
    capture = std::make_unique<LogCapture>((scratch.path() / "stdout").string(), (scratch.path() / "log").string(),
                                           max_bytes, std::move(masker));
    return capture.get();
  }
  std::string stdout_text() { return testing::read_text(scratch.path() / "stdout"); }
  std::string log_text() { return testing::read_text(scratch.path() / "log"); }
  void append(OutputStream s, const std::string& text) { capture->append(s, text.data(), text.size()); }

  testing::ScratchDir scratch;
  std::unique_ptr<LogCapture> capture;
};

TEST_F(LogCaptureTest, InterleavesWholeLines) {
  open(1 << 20);
  append(OutputStream::Stdout, "out-a");
  append(OutputStream::Stderr, "err-1\nerr-");
  append(OutputStream::Stdout, "-b\n");
  append(OutputStream::Stderr, "2\n");
  capture.reset();
  EXPECT_EQ(stdout_text(), "out-a-b\n");
  EXPECT_EQ(log_text(), "err-1\nout-a-b\nerr-2\n");
}

TEST_F(LogCaptureTest, CreatesNoFileForAStreamThatStaysSilent) {
  {
    std::ofstream old(scratch.path() / "log");
    old << "a previous attempt's log\n";
  }
  open(1 << 20);
  EXPECT_FALSE(std::filesystem::exists(scratch.path() / "log")) << "a previous attempt's log is removed at once";
  append(OutputStream::Stderr, "only stderr\n");
  capture.reset();
  EXPECT_FALSE(std::filesystem::exists(scratch.path() / "stdout"));
  EXPECT_EQ(log_text(), "only stderr\n");
}

TEST_F(LogCaptureTest, AFileThatCannotBeCreatedIsReported) {
  capture = std::make_unique<LogCapture>((scratch.path() / "missing" / "stdout").string(),
                                         (scratch.path() / "log").string(), 1 << 20);
  EXPECT_EQ(capture->write_error(), "");
  append(OutputStream::Stdout, "lost\n");
  EXPECT_NE(capture->write_error().find("cannot create " + (scratch.path() / "missing" / "stdout").string()),
            std::string::npos)
      << capture->write_error();
  capture.reset();
  EXPECT_EQ(log_text(), "lost\n");
}

TEST_F(LogCaptureTest, AnUnfinishedLastLineEndsTheLogCleanly) {
  open(1 << 20);
  append(OutputStream::Stdout, "no newline");
  capture->end(OutputStream::Stdout);
  append(OutputStream::Stderr, "next\n");
  capture.reset();
  EXPECT_EQ(stdout_text(), "no newline");
  EXPECT_EQ(log_text(), "no newline\nnext\n");
}

TEST_F(LogCaptureTest, TruncatesAtTheCapWithOneMarker) {
  open(10);
  append(OutputStream::Stdout, "12345\n");
  append(OutputStream::Stderr, "abcdefgh\n");
  append(OutputStream::Stdout, "more\n");
  EXPECT_TRUE(capture->truncated());
  capture.reset();
  EXPECT_EQ(stdout_text(), "12345\n");
  EXPECT_EQ(log_text(), "12345\nabcd\n... output truncated at 10 bytes\n");
}

std::shared_ptr<const SecretMasker> masker_of(std::vector<std::string> values) {
  return std::make_shared<const SecretMasker>(values);
}

TEST_F(LogCaptureTest, MasksSecretsInBothFilesEvenWhenSplitAcrossReads) {
  open(1 << 20, masker_of({"S3cr3tValue", "pa\"ss"}));
  append(OutputStream::Stdout, "token S3cr");
  append(OutputStream::Stdout, "3tValue\n");
  append(OutputStream::Stderr, "json \"pa\\\"ss\"\n");
  append(OutputStream::Stdout, "ends with S3cr3tVal");
  append(OutputStream::Stdout, "ue");  // held back until the end: it could go on
  capture.reset();
  EXPECT_EQ(stdout_text(), "token [redacted]\nends with [redacted]");
  EXPECT_EQ(log_text(), "token [redacted]\njson \"[redacted]\"\nends with [redacted]\n");
}

TEST_F(LogCaptureTest, StderrTailIsMaskedAndStartsAtALine) {
  open(1 << 20, masker_of({"S3cr3tValue"}));
  append(OutputStream::Stderr, "bwrap: cannot use S3cr3tValue\n");
  EXPECT_EQ(capture->stderr_tail(), "bwrap: cannot use [redacted]\n");
  // Once the tail is cut, its first (partial) line goes: a cut value would not be recognised.
  append(OutputStream::Stderr, std::string(5000, 'x') + " S3cr3tValue\nlast S3cr3tValue\n");
  EXPECT_EQ(capture->stderr_tail(), "last [redacted]\n");
}

TEST_F(LogCaptureTest, WithoutSecretsOutputIsUntouched) {
  open(1 << 20, masker_of({}));
  append(OutputStream::Stdout, "[redacted] is just text\n");
  capture.reset();
  EXPECT_EQ(stdout_text(), "[redacted] is just text\n");
}

TEST(MaskOutputFile, MasksInPlaceKeepingTheMode) {
  testing::ScratchDir scratch;
  auto path = scratch.path() / "log";
  std::ofstream(path) << "a S3cr3tValue b\n" << std::string(100000, 'y') << "S3cr3tValue";
  ::chmod(path.c_str(), 0640);
  EXPECT_EQ(mask_output_file(path.string(), SecretMasker({"S3cr3tValue"})), "");
  EXPECT_EQ(testing::read_text(path), "a [redacted] b\n" + std::string(100000, 'y') + "[redacted]");
  struct stat st {};
  ::stat(path.c_str(), &st);
  EXPECT_EQ(st.st_mode & 07777, 0640u);
  EXPECT_EQ(mask_output_file((scratch.path() / "missing").string(), SecretMasker({"x"})), "");
}

}  // namespace
}  // namespace rampart::exec
