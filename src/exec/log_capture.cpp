#include "exec/log_capture.h"

#include <unistd.h>

#include <cerrno>

namespace rampart::exec {
namespace {

constexpr size_t kStderrTailBytes = 4096;

void write_all(int fd, const char* data, size_t size) {
  while (size > 0 && fd >= 0) {
    ssize_t n = ::write(fd, data, size);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return;  // disk full or similar: the step goes on, its output is lost
    data += n;
    size -= static_cast<size_t>(n);
  }
}

int index_of(OutputStream s) { return s == OutputStream::Stdout ? 0 : 1; }

}  // namespace

LogCapture::LogCapture(int stdout_fd, int log_fd, uint64_t max_bytes)
    : stdout_fd_(stdout_fd), log_fd_(log_fd), max_bytes_(max_bytes) {}

LogCapture::~LogCapture() {
  end(OutputStream::Stdout);
  end(OutputStream::Stderr);
  if (stdout_fd_ >= 0) ::close(stdout_fd_);
  if (log_fd_ >= 0) ::close(log_fd_);
}

void LogCapture::append(OutputStream stream, const char* data, size_t size) {
  if (stream == OutputStream::Stderr) {
    stderr_tail_.append(data, size < kStderrTailBytes ? size : kStderrTailBytes);
    if (stderr_tail_.size() > kStderrTailBytes) stderr_tail_.erase(0, stderr_tail_.size() - kStderrTailBytes);
  }
  if (truncated_) return;  // keep draining the pipe, drop the bytes
  bool over = accepted_ + size > max_bytes_;
  if (over) size = static_cast<size_t>(max_bytes_ - accepted_);
  accepted_ += size;

  if (stream == OutputStream::Stdout) write_all(stdout_fd_, data, size);
  // Only whole lines go to the log, so lines of the two streams never interleave mid-line.
  std::string& pending = pending_[index_of(stream)];
  const char* end = data + size;
  const char* line_start = data;
  for (const char* p = data; p < end; ++p) {
    if (*p != '\n') continue;
    if (!pending.empty()) {
      pending.append(line_start, static_cast<size_t>(p + 1 - line_start));
      write_log(pending.data(), pending.size());
      pending.clear();
    } else {
      write_log(line_start, static_cast<size_t>(p + 1 - line_start));
    }
    line_start = p + 1;
  }
  pending.append(line_start, static_cast<size_t>(end - line_start));
  if (pending.size() > kMaxPendingLine) flush_pending(stream);
  if (over) mark_truncated();
}

void LogCapture::end(OutputStream stream) {
  if (pending_[index_of(stream)].empty()) return;
  flush_pending(stream);
  // The next line of the other stream starts on a line of its own.
  if (!log_at_line_start_) write_log("\n", 1);
}

void LogCapture::write_log(const char* data, size_t size) {
  if (size == 0) return;
  write_all(log_fd_, data, size);
  log_at_line_start_ = data[size - 1] == '\n';
}

void LogCapture::flush_pending(OutputStream stream) {
  std::string& pending = pending_[index_of(stream)];
  if (pending.empty()) return;
  write_log(pending.data(), pending.size());
  pending.clear();
}

void LogCapture::mark_truncated() {
  truncated_ = true;
  flush_pending(OutputStream::Stdout);
  flush_pending(OutputStream::Stderr);
  std::string marker = std::string(log_at_line_start_ ? "" : "\n") + "... output truncated at " + std::to_string(max_bytes_) + " bytes\n";
  write_log(marker.data(), marker.size());
}

}  // namespace rampart::exec
