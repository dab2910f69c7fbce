// Where a step's output goes: stdout to its own file (Argo's outputs.result), and stdout and
// stderr interleaved line by line into the log. Both are capped so a step printing forever cannot
// fill the disk; past the cap output is read and dropped and the log ends with a marker.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

namespace rampart::exec {

enum class OutputStream { Stdout, Stderr };

class LogCapture {
 public:
  // Takes ownership of both fds (opened for writing). `max_bytes` bounds the output accepted
  // from the step, stdout and stderr together.
  LogCapture(int stdout_fd, int log_fd, uint64_t max_bytes);
  ~LogCapture();
  LogCapture(const LogCapture&) = delete;
  LogCapture& operator=(const LogCapture&) = delete;

  void append(OutputStream stream, const char* data, size_t size);
  // The stream ended: its unfinished last line goes to the log as it is.
  void end(OutputStream stream);

  bool truncated() const { return truncated_; }
  // The last few KiB of stderr: bwrap's reason when the sandbox could not start.
  const std::string& stderr_tail() const { return stderr_tail_; }

  // A partial line longer than this goes to the log without waiting for its newline.
  static constexpr size_t kMaxPendingLine = 64 * 1024;

 private:
  void write_log(const char* data, size_t size);
  void flush_pending(OutputStream stream);
  void mark_truncated();

  int stdout_fd_;
  int log_fd_;
  uint64_t max_bytes_;
  uint64_t accepted_ = 0;
  bool truncated_ = false;
  bool log_at_line_start_ = true;
  std::string pending_[2];  // per stream: the line not yet ended by '\n'
  std::string stderr_tail_;
};

}  // namespace rampart::exec
