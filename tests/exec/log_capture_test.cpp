#include "exec/log_capture.h"

#include <fcntl.h>
#include <gtest/gtest.h>

#include "exec_test_support.h"

namespace rampart::exec {
namespace {

class LogCaptureTest : public ::testing::Test {
 protected:
  LogCapture* open(uint64_t max_bytes) {
    int out = ::open((scratch.path() / "stdout").c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    int log = ::open((scratch.path() / "log").c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    capture = std::make_unique<LogCapture>(out, log, max_bytes);
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

}  // namespace
}  // namespace rampart::exec
