// A workflow that crashes the engine is quarantined instead of crash-looping the server.
//
// The server resumes unfinished workflows when it starts. A workflow that makes the engine crash
// (a bug rampart's bounds did not catch) would then crash every restart. So each engine thread
// records which workflow it drives; a fatal signal (SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGABRT)
// appends "<namespace>/<name>" to <state>/engine-crashes with async-signal-safe calls, on an
// alternate stack (a stack overflow still gets reported), before the process dies as it would
// have. On the next start, take_crashed() lists those workflows; the runner marks them Error
// with the reason and does not resume them.
#pragma once

#include <string>
#include <utility>
#include <vector>

namespace rampart::server {

class CrashQuarantine {
 public:
  // Opens <state_dir>/engine-crashes for appending and installs the fatal-signal handlers. Call
  // once per process, before engine threads start; later calls only reopen the file.
  static void install(const std::string& state_dir);

  // While alive, a crash on this thread is recorded against ns/name. Gives the thread an
  // alternate signal stack for the handler. Not copyable; one per engine thread at a time.
  class Scope {
   public:
    Scope(const std::string& ns, const std::string& name);
    ~Scope();
    Scope(const Scope&) = delete;
    Scope& operator=(const Scope&) = delete;

   private:
    void* alt_stack_ = nullptr;
  };

  // The workflows recorded since the file was last taken (each once, in order), and empties it.
  static std::vector<std::pair<std::string, std::string>> take_crashed(const std::string& state_dir);
};

}  // namespace rampart::server
