// Where a step's output goes: stdout to its own file (Argo's outputs.result), and stdout and
// stderr interleaved line by line into the log. Both are capped so a step printing forever cannot
// fill the disk; past the cap output is read and dropped and the log ends with a marker.
// Secret values are masked before either file is written (SecretMasker streams, so a value
// split across two reads is still masked); the cap counts the step's bytes, before masking.
// A file is created only when its first byte is written: a step that prints nothing (most of
// them) costs no inode, which on ext4 is a large share of what a short step costs the host.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>

#include "common/secret_masker.h"

namespace rampart::exec {

enum class OutputStream { Stdout, Stderr };

class LogCapture {
 public:
  // Files already at `stdout_path` and `log_path` are removed; each is created when it gets its
  // first byte. `max_bytes` bounds the output accepted from the step,
  // stdout and stderr together. `masker` (may be null: nothing to mask) masks both files; it is
  // kept alive by this object.
  LogCapture(std::string stdout_path, std::string log_path, uint64_t max_bytes,
             std::shared_ptr<const SecretMasker> masker = nullptr);
  // Writes what the maskers still hold back, then closes both files.
  ~LogCapture();
  LogCapture(const LogCapture&) = delete;
  LogCapture& operator=(const LogCapture&) = delete;

  void append(OutputStream stream, const char* data, size_t size);
  // The stream ended: its unfinished last line goes to the log as it is.
  void end(OutputStream stream);

  bool truncated() const { return truncated_; }
  // Why a file could not be created ("cannot create <path>: <reason>"); empty when all is well.
  // What the step printed to that file was lost.
  const std::string& write_error() const { return write_error_; }
  // The last few KiB of stderr, masked, starting at a line start: bwrap's reason when the
  // sandbox could not start (it becomes a StepResult message).
  std::string stderr_tail() const;

  // A partial line longer than this goes to the log without waiting for its newline.
  static constexpr size_t kMaxPendingLine = 64 * 1024;

 private:
  struct File {
    std::string path;
    int fd = -1;
  };
  void write_file(File& file, const char* data, size_t size);
  void write_stdout(const char* data, size_t size);
  void write_log(const char* data, size_t size);
  void flush_pending(OutputStream stream);
  void mark_truncated();

  File stdout_;
  File log_;
  std::string write_error_;
  uint64_t max_bytes_;
  uint64_t accepted_ = 0;
  bool truncated_ = false;
  bool log_at_line_start_ = true;
  std::string pending_[2];  // per stream: the line not yet ended by '\n'
  std::string stderr_tail_;
  bool stderr_tail_cut_ = false;  // its start was dropped: it may begin mid-line
  std::shared_ptr<const SecretMasker> masker_;
  std::optional<SecretMasker::Stream> stdout_mask_;  // engaged when there is something to mask
  std::optional<SecretMasker::Stream> log_mask_;
};

// Masks the file at `path` in place (through a temporary file beside it and a rename, keeping
// its mode), for output written where no masker with every secret was at hand: a Slurm node
// knows only the secrets in its step's environment. Returns "" (a missing file is nothing to
// mask) or why the file could not be masked.
std::string mask_output_file(const std::string& path, const SecretMasker& masker);

}  // namespace rampart::exec
