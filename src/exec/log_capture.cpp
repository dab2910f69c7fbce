#include "exec/log_capture.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

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

LogCapture::LogCapture(std::string stdout_path, std::string log_path, uint64_t max_bytes,
                       std::shared_ptr<const SecretMasker> masker)
    : stdout_{std::move(stdout_path)}, log_{std::move(log_path)}, max_bytes_(max_bytes), masker_(std::move(masker)) {
  // A previous attempt's files (a run resumed after a crash) must not pass for this one's.
  for (const File* file : {&stdout_, &log_}) {
    if (!file->path.empty()) ::unlink(file->path.c_str());
  }
  if (masker_ && !masker_->empty()) {
    stdout_mask_.emplace(*masker_);
    log_mask_.emplace(*masker_);
  }
}

LogCapture::~LogCapture() {
  end(OutputStream::Stdout);
  end(OutputStream::Stderr);
  for (auto [mask, file] : {std::pair{&stdout_mask_, &stdout_}, std::pair{&log_mask_, &log_}}) {
    if (!*mask) continue;
    std::string rest;
    (*mask)->finish(rest);
    write_file(*file, rest.data(), rest.size());
  }
  if (stdout_.fd >= 0) ::close(stdout_.fd);
  if (log_.fd >= 0) ::close(log_.fd);
}

void LogCapture::write_file(File& file, const char* data, size_t size) {
  if (size == 0) return;
  if (file.fd < 0 && !file.path.empty()) {
    file.fd = ::open(file.path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (file.fd < 0 && write_error_.empty()) write_error_ = "cannot create " + file.path + ": " + std::strerror(errno);
    if (file.fd < 0) file.path.clear();  // tried once; the rest of its output is dropped
  }
  write_all(file.fd, data, size);
}

void LogCapture::append(OutputStream stream, const char* data, size_t size) {
  if (stream == OutputStream::Stderr) {
    size_t keep = size < kStderrTailBytes ? size : kStderrTailBytes;
    stderr_tail_cut_ = stderr_tail_cut_ || keep < size;
    stderr_tail_.append(data + (size - keep), keep);
    if (stderr_tail_.size() > kStderrTailBytes) {
      stderr_tail_.erase(0, stderr_tail_.size() - kStderrTailBytes);
      stderr_tail_cut_ = true;
    }
  }
  if (truncated_) return;  // keep draining the pipe, drop the bytes
  bool over = accepted_ + size > max_bytes_;
  if (over) size = static_cast<size_t>(max_bytes_ - accepted_);
  accepted_ += size;

  if (stream == OutputStream::Stdout) write_stdout(data, size);
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

std::string LogCapture::stderr_tail() const {
  std::string_view tail = stderr_tail_;
  // A value cut in two where the tail starts would not be recognised: start at a whole line.
  if (stderr_tail_cut_) {
    size_t newline = tail.find('\n');
    tail.remove_prefix(newline == std::string_view::npos ? tail.size() : newline + 1);
  }
  return masker_ ? masker_->mask(tail) : std::string(tail);
}

void LogCapture::write_stdout(const char* data, size_t size) {
  if (!stdout_mask_) return write_file(stdout_, data, size);
  std::string masked;
  stdout_mask_->write(std::string_view(data, size), masked);
  write_file(stdout_, masked.data(), masked.size());
}

void LogCapture::write_log(const char* data, size_t size) {
  if (size == 0) return;
  log_at_line_start_ = data[size - 1] == '\n';
  if (!log_mask_) return write_file(log_, data, size);
  std::string masked;
  log_mask_->write(std::string_view(data, size), masked);
  write_file(log_, masked.data(), masked.size());
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
  std::string marker = std::string(log_at_line_start_ ? "" : "\n") + "... output truncated at " +
                       std::to_string(max_bytes_) + " bytes\n";
  write_log(marker.data(), marker.size());
}

std::string mask_output_file(const std::string& path, const SecretMasker& masker) {
  int in = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (in < 0) return errno == ENOENT ? "" : "cannot read " + path + ": " + std::strerror(errno);
  struct stat st {};
  ::fstat(in, &st);
  std::string temporary = path + ".masking";
  int out = ::open(temporary.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, st.st_mode & 07777);
  if (out < 0) {
    std::string why = std::strerror(errno);
    ::close(in);
    return "cannot write " + temporary + ": " + why;
  }
  SecretMasker::Stream stream(masker);
  std::string masked;
  char buffer[64 * 1024];
  ssize_t n;
  while ((n = ::read(in, buffer, sizeof buffer)) != 0) {
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) break;
    masked.clear();
    stream.write(std::string_view(buffer, static_cast<size_t>(n)), masked);
    write_all(out, masked.data(), masked.size());
  }
  bool read_failed = n < 0;
  masked.clear();
  stream.finish(masked);
  write_all(out, masked.data(), masked.size());
  ::close(in);
  bool write_failed = ::close(out) != 0;
  if (read_failed || write_failed || ::rename(temporary.c_str(), path.c_str()) != 0) {
    std::string why = std::strerror(errno);
    ::unlink(temporary.c_str());
    // Unmasked output must not stay behind: without a masked copy the file goes.
    ::unlink(path.c_str());
    return "cannot mask " + path + " (removed it): " + why;
  }
  return "";
}

}  // namespace rampart::exec
