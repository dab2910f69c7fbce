// Running the real binary and the Python fixture from tests: fork/exec with pipes.
#pragma once

#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <stdexcept>
#include <string>
#include <vector>

namespace rampart::testing {

struct RunResult {
  int exit_code = -1;
  std::string out;
  std::string err;
  double seconds = 0;
};

inline std::string read_all(int fd) {
  std::string out;
  char buf[65536];
  for (ssize_t n; (n = ::read(fd, buf, sizeof buf)) > 0;) out.append(buf, static_cast<size_t>(n));
  return out;
}

// Runs argv to completion; stderr goes to a temp file so that neither pipe can fill up.
inline RunResult run(const std::vector<std::string>& argv) {
  auto start = std::chrono::steady_clock::now();
  int out_pipe[2];
  if (::pipe(out_pipe) != 0) throw std::runtime_error("pipe");
  char err_path[] = "/tmp/rampart-test-stderr-XXXXXX";
  int err_fd = ::mkstemp(err_path);
  pid_t pid = ::fork();
  if (pid == 0) {
    ::dup2(out_pipe[1], 1);
    ::dup2(err_fd, 2);
    ::close(out_pipe[0]);
    int null = ::open("/dev/null", O_RDONLY);
    ::dup2(null, 0);
    std::vector<char*> args;
    for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
    args.push_back(nullptr);
    ::execv(args[0], args.data());
    ::_exit(127);
  }
  ::close(out_pipe[1]);
  RunResult r;
  r.out = read_all(out_pipe[0]);
  ::close(out_pipe[0]);
  int status = 0;
  ::waitpid(pid, &status, 0);
  r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  ::lseek(err_fd, 0, SEEK_SET);
  r.err = read_all(err_fd);
  ::close(err_fd);
  ::unlink(err_path);
  r.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return r;
}

// A background process whose first stdout line is read; stopped with SIGTERM on destruction.
class Background {
 public:
  explicit Background(const std::vector<std::string>& argv) {
    int out_pipe[2], in_pipe[2];
    if (::pipe(out_pipe) != 0 || ::pipe(in_pipe) != 0) throw std::runtime_error("pipe");
    pid_ = ::fork();
    if (pid_ == 0) {
      ::dup2(out_pipe[1], 1);
      ::dup2(in_pipe[0], 0);
      ::close(out_pipe[0]);
      ::close(in_pipe[1]);
      int null = ::open("/dev/null", O_WRONLY);
      ::dup2(null, 2);
      std::vector<char*> args;
      for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
      args.push_back(nullptr);
      ::execv(args[0], args.data());
      ::_exit(127);
    }
    ::close(out_pipe[1]);
    ::close(in_pipe[0]);
    out_ = ::fdopen(out_pipe[0], "r");
    stdin_ = in_pipe[1];
  }
  ~Background() {
    if (pid_ > 0) {
      ::kill(pid_, SIGTERM);
      int status = 0;
      ::waitpid(pid_, &status, 0);
    }
    if (out_) std::fclose(out_);
    if (stdin_ >= 0) ::close(stdin_);
  }
  std::string line() {
    std::string s;
    for (int c; (c = std::fgetc(out_)) != EOF && c != '\n';) s += static_cast<char>(c);
    return s;
  }

 private:
  pid_t pid_ = -1;
  FILE* out_ = nullptr;
  int stdin_ = -1;
};

}  // namespace rampart::testing
