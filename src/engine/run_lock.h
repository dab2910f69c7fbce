// Which process runs a workflow right now: an exclusive flock on a file under the state dir,
// held for as long as an engine runs it and released by the kernel when the process dies, even
// by SIGKILL. `rampart run`, `rampart resume` and the server all take it, so a workflow is never
// driven by two engines at once.
#pragma once

#include <string>

namespace rampart::engine {

class RunLock {
 public:
  RunLock(const std::string& state_dir, const std::string& ns, const std::string& name);
  ~RunLock();
  RunLock(const RunLock&) = delete;
  RunLock& operator=(const RunLock&) = delete;
  bool try_lock();  // false when another process (or another RunLock) holds it

 private:
  std::string path_;
  int fd_ = -1;
};

}  // namespace rampart::engine
