// What the watcher reads about a running process from /proc, whatever the process calls itself:
// the content of the file it runs (its executable, or the script an interpreter runs) and the
// TCP connections it holds. Every read is bounded; executables are read once per file
// (device + inode, size and modification time), so a poll costs little once warm.
#pragma once

#include <cstdint>
#include <cstddef>
#include <map>
#include <set>
#include <string>
#include <string_view>
#include <tuple>
#include <vector>

namespace rampart::guard {

// pid -> parent pid for every process, from /proc/<pid>/stat.
std::map<int, int> process_parents();

// Up to `limit` bytes of a file under /proc ("" when unreadable).
std::string read_proc_file(const std::string& path, size_t limit = 1 << 16);

struct ContentVerdict {
  std::string sha256;    // of the first max_bytes of the file (its whole content when smaller)
  std::string evidence;  // "" or what in the content is a miner's: "stratum+tcp://", "RandomX", ...
};

class ContentScanner {
 public:
  // Files larger than this are hashed and searched in their first max_bytes only.
  explicit ContentScanner(size_t max_bytes = 64u << 20) : max_bytes_(max_bytes) {}

  // The executable of `pid` (/proc/<pid>/exe), and, when it is an interpreter (sh, bash,
  // python, perl, ...), the script named on its command line, read inside the process's own
  // root. Empty verdicts when nothing is readable. Not thread-safe.
  std::vector<ContentVerdict> scan_process(int pid);

  // One file, by a path the watcher can open (e.g. /proc/<pid>/exe). Cached.
  ContentVerdict scan_file(const std::string& path);

  size_t cached() const { return cache_.size(); }

  // Bytes that may be read until the next call (one poll's worth): a step that runs many large
  // new files cannot keep the watcher reading. Files past the budget are read at a later poll.
  void set_read_budget(size_t bytes) { budget_ = bytes; }

 private:
  // Takes ownership of fd. `text`: also look for the command signatures (a script).
  ContentVerdict scan_fd(int fd, size_t max_bytes, bool text);
  struct Entry {
    int64_t size = 0;
    int64_t mtime_ns = 0;
    ContentVerdict verdict;
  };
  size_t max_bytes_;
  size_t budget_ = SIZE_MAX;
  std::map<std::pair<uint64_t, uint64_t>, Entry> cache_;  // (device, inode)
};

// Miner strings in a chunk of a file (binary or text): stratum URLs, RandomX / CryptoNight,
// XMRig's own option names, known pool hosts. "" when none.
std::string miner_content_evidence(std::string_view chunk);

struct TcpEntry {
  std::string remote;  // "203.0.113.9:3333" or "[2001:db8::1]:3333"
  int remote_port = 0;
  int state = 0;  // 1 ESTABLISHED, 2 SYN_SENT, ...
  uint64_t inode = 0;
};

// The rows of /proc/<pid>/net/tcp or tcp6.
std::vector<TcpEntry> parse_proc_net_tcp(std::string_view text);

// Connections of `pid` (its own sockets, in its network namespace, on any interface) that are
// established or being opened to one of `ports`. `tables` caches each namespace's tables for one
// poll: pass the same map for every process of that poll.
std::vector<TcpEntry> pool_connections(int pid, const std::vector<int>& ports,
                                       std::map<std::string, std::vector<TcpEntry>>& tables);

}  // namespace rampart::guard
