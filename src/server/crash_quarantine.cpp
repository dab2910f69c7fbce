#include "server/crash_quarantine.h"

#include <fcntl.h>
#include <signal.h>
#include <unistd.h>

#include <atomic>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <set>

namespace rampart::server {

namespace {

constexpr const char* kFileName = "engine-crashes";
constexpr int kFatalSignals[] = {SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGABRT};
constexpr size_t kAltStackBytes = 64 * 1024;

std::atomic<int> crash_fd{-1};
// "<ns>/<name>\n" of the workflow this thread drives; written before the handler can read it.
thread_local char current[512];
thread_local size_t current_length = 0;

void on_fatal_signal(int sig) {
  int fd = crash_fd.load();
  if (fd >= 0 && current_length > 0) (void)!::write(fd, current, current_length);
  // Die as the signal would have had us die (core dump, exit status).
  ::signal(sig, SIG_DFL);
  ::raise(sig);
}

}  // namespace

void CrashQuarantine::install(const std::string& state_dir) {
  std::string path = (std::filesystem::path(state_dir) / kFileName).string();
  int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
  int old = crash_fd.exchange(fd);
  if (old >= 0) ::close(old);
  struct sigaction action {};
  action.sa_handler = on_fatal_signal;
  sigemptyset(&action.sa_mask);
  action.sa_flags = SA_ONSTACK | SA_RESETHAND;
  for (int sig : kFatalSignals) ::sigaction(sig, &action, nullptr);
}

CrashQuarantine::Scope::Scope(const std::string& ns, const std::string& name) {
  std::string line = ns + "/" + name + "\n";
  if (line.size() > sizeof current) line = line.substr(0, sizeof current - 1) + "\n";
  std::memcpy(current, line.data(), line.size());
  current_length = line.size();
  alt_stack_ = std::malloc(kAltStackBytes);
  if (alt_stack_) {
    stack_t stack{};
    stack.ss_sp = alt_stack_;
    stack.ss_size = kAltStackBytes;
    ::sigaltstack(&stack, nullptr);
  }
}

CrashQuarantine::Scope::~Scope() {
  current_length = 0;
  if (alt_stack_) {
    stack_t off{};
    off.ss_flags = SS_DISABLE;
    ::sigaltstack(&off, nullptr);
    std::free(alt_stack_);
  }
}

std::vector<std::pair<std::string, std::string>> CrashQuarantine::take_crashed(const std::string& state_dir) {
  std::filesystem::path path = std::filesystem::path(state_dir) / kFileName;
  std::vector<std::pair<std::string, std::string>> out;
  std::set<std::string> seen;
  std::ifstream in(path);
  std::string line;
  while (std::getline(in, line) && out.size() < 10'000) {
    auto slash = line.find('/');
    if (slash == std::string::npos || !seen.insert(line).second) continue;
    out.emplace_back(line.substr(0, slash), line.substr(slash + 1));
  }
  in.close();
  std::ofstream(path, std::ios::trunc);  // taken: a later crash starts a fresh list
  return out;
}

}  // namespace rampart::server
