#include "exec/helper_command.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <utility>

#include "common/clock.h"

extern char** environ;

namespace rampart::exec {
namespace {

std::string last_line(const std::string& text) {
  const size_t end = text.find_last_not_of("\r\n \t");
  if (end == std::string::npos) return "";
  size_t begin = text.rfind('\n', end);
  begin = begin == std::string::npos ? 0 : begin + 1;
  return text.substr(begin, end - begin + 1);
}

struct Pipe {
  int read = -1;
  int write = -1;
  ~Pipe() {
    if (read >= 0) ::close(read);
    if (write >= 0) ::close(write);
  }
  bool open() {
    int fds[2];
    if (::pipe2(fds, O_CLOEXEC) != 0) return false;
    read = fds[0];
    write = fds[1];
    return true;
  }
};

// Starts the helper in its own process group (so a timeout kills whatever it started too) with
// default signal handling and nothing blocked. Returns posix_spawn's error number.
int spawn(const HelperCommand& command, int out_fd, int err_fd, pid_t* pid) {
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_adddup2(&actions, out_fd, 1);
  posix_spawn_file_actions_adddup2(&actions, err_fd, 2);
  posix_spawnattr_t attr;
  posix_spawnattr_init(&attr);
  posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF);
  posix_spawnattr_setpgroup(&attr, 0);
  sigset_t none, all;
  sigemptyset(&none);
  sigfillset(&all);
  posix_spawnattr_setsigmask(&attr, &none);
  posix_spawnattr_setsigdefault(&attr, &all);

  std::vector<char*> args, envp;
  for (const auto& a : command.argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  if (command.environment) {
    for (const auto& e : *command.environment) envp.push_back(const_cast<char*>(e.c_str()));
    envp.push_back(nullptr);
  }
  const int rc =
      ::posix_spawnp(pid, args[0], &actions, &attr, args.data(), command.environment ? envp.data() : environ);
  posix_spawn_file_actions_destroy(&actions);
  posix_spawnattr_destroy(&attr);
  return rc;
}

// Reads both pipes to their end or to the deadline; returns false at the deadline.
bool collect(Pipe& out, Pipe& err, const HelperCommand& command, HelperResult& result) {
  const int64_t deadline = monotonic_ms() + command.timeout.count();
  pollfd fds[2] = {{out.read, POLLIN, 0}, {err.read, POLLIN, 0}};
  std::string* sinks[2] = {&result.out, &result.err};
  int open_fds = err.read >= 0 ? 2 : 1;
  if (err.read < 0) fds[1].fd = -1;
  while (open_fds > 0) {
    const int64_t left = deadline - monotonic_ms();
    if (left <= 0) return false;
    const int n = ::poll(fds, 2, static_cast<int>(left));
    if (n < 0 && errno != EINTR) return true;
    for (int i = 0; n > 0 && i < 2; ++i) {
      if (fds[i].fd < 0 || !(fds[i].revents & (POLLIN | POLLHUP | POLLERR))) continue;
      char buffer[4096];
      const ssize_t got = ::read(fds[i].fd, buffer, sizeof buffer);
      if (got > 0) {
        const size_t room = command.max_output - std::min(command.max_output, sinks[i]->size());
        if (static_cast<size_t>(got) > room) result.truncated = true;
        sinks[i]->append(buffer, std::min(room, static_cast<size_t>(got)));
      } else if (got == 0 || errno != EINTR) {
        fds[i].fd = -1;
        --open_fds;
      }
    }
  }
  return true;
}

}  // namespace

std::string HelperResult::summary() const {
  if (!error.empty()) return error;
  std::string line = last_line(err);
  if (line.empty()) line = last_line(out);
  if (!line.empty()) return line;
  return "exit code " + std::to_string(exit_code);
}

std::vector<std::string> path_only_environment(std::vector<std::string> extra) {
  const char* path = std::getenv("PATH");
  extra.push_back(std::string("PATH=") + (path ? path : "/usr/sbin:/usr/bin:/sbin:/bin"));
  return extra;
}

HelperResult run_helper(const HelperCommand& command) {
  HelperResult result;
  if (command.argv.empty()) {
    result.error = "no command";
    return result;
  }
  Pipe out, err;
  if (!out.open() || (!command.merge_stderr && !err.open())) {
    result.error = std::string("cannot start ") + command.argv[0] + ": pipe: " + std::strerror(errno);
    return result;
  }
  pid_t pid = -1;
  const int rc = spawn(command, out.write, command.merge_stderr ? out.write : err.write, &pid);
  ::close(std::exchange(out.write, -1));
  if (err.write >= 0) ::close(std::exchange(err.write, -1));
  if (rc != 0) {
    result.error = "cannot run " + command.argv[0] + ": " + std::strerror(rc);
    return result;
  }
  result.timed_out = !collect(out, err, command, result);
  if (result.timed_out) ::kill(-pid, SIGKILL);
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {}
  if (result.timed_out) {
    result.exit_code = 128 + SIGKILL;
    result.error =
        command.argv[0] + " did not answer within " + std::to_string((command.timeout.count() + 999) / 1000) + " s";
  } else if (WIFEXITED(status)) {
    result.exit_code = WEXITSTATUS(status);
  } else if (WIFSIGNALED(status)) {
    result.exit_code = 128 + WTERMSIG(status);
  }
  return result;
}

}  // namespace rampart::exec
