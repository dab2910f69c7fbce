#include "guard/process_inspect.h"

#include <arpa/inet.h>
#include <dirent.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <openssl/evp.h>
#include <re2/re2.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <algorithm>
#include <cstring>
#include <fstream>
#include <memory>
#include <optional>
#include <sstream>

#include "guard/signatures.h"

namespace rampart::guard {

namespace {

constexpr size_t kChunk = 1 << 20;
constexpr size_t kOverlap = 256;    // a string cut by a chunk boundary is found in the next
constexpr size_t kMaxCache = 4096;  // files remembered
constexpr size_t kMaxScriptBytes = 1 << 20;
constexpr int kMaxFds = 4096;  // descriptors looked at per process

std::string link_target(const std::string& path) {
  char buf[512];
  ssize_t n = ::readlink(path.c_str(), buf, sizeof buf - 1);
  return n > 0 ? std::string(buf, static_cast<size_t>(n)) : std::string();
}

std::string base(const std::string& path) {
  size_t slash = path.rfind('/');
  return slash == std::string::npos ? path : path.substr(slash + 1);
}

bool is_interpreter(const std::string& name) {
  for (const char* s :
       {"sh", "bash", "dash", "ash", "zsh", "ksh", "mksh", "busybox", "perl", "ruby", "node", "php", "lua"}) {
    if (name == s) return true;
  }
  return name.rfind("python", 0) == 0 || name.rfind("perl5", 0) == 0;
}

std::vector<std::string> command_line_args(int pid) {
  std::string raw = read_proc_file("/proc/" + std::to_string(pid) + "/cmdline");
  std::vector<std::string> args;
  size_t start = 0;
  while (start < raw.size()) {
    size_t end = raw.find('\0', start);
    if (end == std::string::npos) end = raw.size();
    args.push_back(raw.substr(start, end - start));
    start = end + 1;
  }
  return args;
}

// The script an interpreter runs, as written on its command line, or "".
std::string script_argument(const std::vector<std::string>& args) {
  for (size_t i = 1; i < args.size(); ++i) {
    const std::string& a = args[i];
    if (a == "-c" || a == "-e" || a == "-m" || a == "-E" || a == "-r") return "";  // code on the command line
    if (a.empty() || a[0] == '-' || a[0] == '+') continue;
    return a;
  }
  return "";
}

// Opens `path` as the process sees it: inside its root (absolute) or its working directory
// (relative), with symbolic links resolved there too, so that a link planted by the step
// cannot make the watcher read one of the host's files.
int open_in_process(int pid, const std::string& path) {
  std::string proc = "/proc/" + std::to_string(pid);
  bool absolute = !path.empty() && path[0] == '/';
  int dir = ::open((proc + (absolute ? "/root" : "/cwd")).c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC);
  if (dir < 0) return -1;
  open_how how{};
  how.flags = O_RDONLY | O_CLOEXEC | O_NONBLOCK;
  how.resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS;
  std::string relative = absolute ? path.substr(path.find_first_not_of('/')) : path;
  int fd = static_cast<int>(::syscall(SYS_openat2, dir, relative.c_str(), &how, sizeof how));
  ::close(dir);
  return fd;
}

std::string hex(const unsigned char* data, size_t n) {
  static const char digits[] = "0123456789abcdef";
  std::string out;
  for (size_t i = 0; i < n; ++i) {
    out += digits[data[i] >> 4];
    out += digits[data[i] & 15];
  }
  return out;
}

std::string address_text(const std::string& hex_address) {
  unsigned char bytes[16] = {};
  size_t n = hex_address.size() / 2;
  if (n != 4 && n != 16) return hex_address;
  // The kernel prints each 32-bit word in host (little-endian) order.
  for (size_t word = 0; word < n / 4; ++word) {
    uint32_t v = static_cast<uint32_t>(std::stoul(hex_address.substr(word * 8, 8), nullptr, 16));
    std::memcpy(bytes + word * 4, &v, 4);
  }
  char text[INET6_ADDRSTRLEN] = {};
  if (!inet_ntop(n == 4 ? AF_INET : AF_INET6, bytes, text, sizeof text)) return hex_address;
  return n == 4 ? std::string(text) : "[" + std::string(text) + "]";
}

std::set<uint64_t> socket_inodes(int pid) {
  std::set<uint64_t> out;
  std::string dir = "/proc/" + std::to_string(pid) + "/fd";
  DIR* d = opendir(dir.c_str());
  if (!d) return out;
  int seen = 0;
  while (dirent* e = readdir(d)) {
    if (e->d_name[0] == '.' || ++seen > kMaxFds) continue;
    std::string target = link_target(dir + "/" + e->d_name);
    if (target.rfind("socket:[", 0) == 0) out.insert(std::stoull(target.substr(8)));
  }
  closedir(d);
  return out;
}

}  // namespace

std::string read_proc_file(const std::string& path, size_t limit) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return {};
  std::string out(limit, '\0');
  in.read(out.data(), static_cast<std::streamsize>(limit));
  out.resize(static_cast<size_t>(in.gcount()));
  return out;
}

std::map<int, int> process_parents() {
  std::map<int, int> parents;
  DIR* dir = opendir("/proc");
  if (!dir) return parents;
  while (dirent* e = readdir(dir)) {
    char* end = nullptr;
    long pid = strtol(e->d_name, &end, 10);
    if (*end != '\0' || pid <= 0) continue;
    std::string stat = read_proc_file("/proc/" + std::string(e->d_name) + "/stat", 1024);
    size_t close = stat.rfind(')');
    if (close == std::string::npos || close + 4 >= stat.size()) continue;
    std::istringstream rest(stat.substr(close + 2));
    char state = 0;
    int ppid = 0;
    rest >> state >> ppid;
    parents[static_cast<int>(pid)] = ppid;
  }
  closedir(dir);
  return parents;
}

std::string miner_content_evidence(std::string_view chunk) {
  static const RE2 re = [] {
    RE2::Options o;
    o.set_case_sensitive(false);
    o.set_encoding(RE2::Options::EncodingLatin1);
    o.set_log_errors(false);
    return RE2(
        R"((stratum[0-9]?\+(?:tcp|ssl|tls)://|randomx|cryptonight|--donate-level|xmrig|)"
        R"((?:minexmr|supportxmr|nanopool|moneroocean|hashvault|c3pool|herominers|minergate|2miners|f2pool|unmineable)\.[a-z]{2,6}))",
        o);
  }();
  std::string found;
  if (!RE2::PartialMatch(re2::StringPiece(chunk.data(), chunk.size()), re, &found)) return "";
  return found;
}

ContentVerdict ContentScanner::scan_file(const std::string& path) {
  return scan_fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK), max_bytes_, false);
}

ContentVerdict ContentScanner::scan_fd(int fd, size_t max_bytes, bool text) {
  if (fd < 0) return {};
  struct stat st {};
  if (::fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
    ::close(fd);
    return {};
  }
  auto key = std::make_pair(static_cast<uint64_t>(st.st_dev), static_cast<uint64_t>(st.st_ino));
  int64_t mtime = static_cast<int64_t>(st.st_mtim.tv_sec) * 1000000000 + st.st_mtim.tv_nsec;
  if (auto it = cache_.find(key); it != cache_.end() && it->second.size == st.st_size && it->second.mtime_ns == mtime) {
    ::close(fd);
    return it->second.verdict;
  }
  size_t cost = std::min(static_cast<size_t>(st.st_size), max_bytes);
  if (cost > budget_) {
    ::close(fd);
    return {};  // read at a later poll
  }
  budget_ -= cost;
  std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)> md(EVP_MD_CTX_new(), EVP_MD_CTX_free);
  EVP_DigestInit_ex(md.get(), EVP_sha256(), nullptr);
  ContentVerdict verdict;
  std::string buffer(kChunk + kOverlap, '\0');
  size_t carried = 0, total = 0;
  while (total < max_bytes) {
    ssize_t n = ::read(fd, buffer.data() + carried, std::min(kChunk, max_bytes - total));
    if (n <= 0) break;
    EVP_DigestUpdate(md.get(), buffer.data() + carried, static_cast<size_t>(n));
    total += static_cast<size_t>(n);
    size_t filled = carried + static_cast<size_t>(n);
    std::string_view chunk(buffer.data(), filled);
    if (verdict.evidence.empty()) verdict.evidence = miner_content_evidence(chunk);
    if (verdict.evidence.empty() && text) {
      // A script is text: the command signatures (pool hosts, wallets, miner flags) apply too.
      auto found = content_signatures(chunk);
      if (!found.empty()) verdict.evidence = found[0].rule + ": " + found[0].evidence;
    }
    carried = std::min(kOverlap, filled);
    std::memmove(buffer.data(), buffer.data() + filled - carried, carried);
  }
  ::close(fd);
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  EVP_DigestFinal_ex(md.get(), digest, &length);
  verdict.sha256 = hex(digest, length);
  if (cache_.size() >= kMaxCache) cache_.clear();
  cache_[key] = {static_cast<int64_t>(st.st_size), mtime, verdict};
  return verdict;
}

std::vector<ContentVerdict> ContentScanner::scan_process(int pid) {
  std::vector<ContentVerdict> out;
  std::string proc = "/proc/" + std::to_string(pid);
  ContentVerdict exe = scan_file(proc + "/exe");
  if (!exe.sha256.empty()) out.push_back(exe);
  std::vector<std::string> args = command_line_args(pid);
  std::string exe_name = base(link_target(proc + "/exe"));
  if (args.empty() || !(is_interpreter(exe_name) || is_interpreter(base(args[0])))) return out;
  std::string script = script_argument(args);
  if (script.empty()) return out;
  int fd = open_in_process(pid, script);
  if (fd < 0) return out;
  ContentVerdict v = scan_fd(fd, kMaxScriptBytes, true);
  if (!v.sha256.empty()) out.push_back(v);
  return out;
}

std::vector<TcpEntry> parse_proc_net_tcp(std::string_view text) {
  std::vector<TcpEntry> out;
  std::istringstream in{std::string(text)};
  std::string line;
  std::getline(in, line);  // header
  while (std::getline(in, line)) {
    std::istringstream row(line);
    std::string slot, local, remote, state, queues, timer, retransmits, uid, timeout, inode;
    if (!(row >> slot >> local >> remote >> state >> queues >> timer >> retransmits >> uid >> timeout >> inode))
      continue;
    size_t colon = remote.find(':');
    if (colon == std::string::npos) continue;
    try {
      TcpEntry e;
      e.remote_port = static_cast<int>(std::stoul(remote.substr(colon + 1), nullptr, 16));
      e.remote = address_text(remote.substr(0, colon)) + ":" + std::to_string(e.remote_port);
      e.state = static_cast<int>(std::stoul(state, nullptr, 16));
      e.inode = std::stoull(inode);
      out.push_back(std::move(e));
    } catch (const std::exception&) {
      // a row we cannot read is skipped
    }
  }
  return out;
}

std::vector<TcpEntry> pool_connections(int pid, const std::vector<int>& ports,
                                       std::map<std::string, std::vector<TcpEntry>>& tables) {
  std::vector<TcpEntry> out;
  std::string proc = "/proc/" + std::to_string(pid);
  std::string ns = link_target(proc + "/ns/net");
  if (ns.empty()) return out;
  auto it = tables.find(ns);
  if (it == tables.end()) {
    std::vector<TcpEntry> rows = parse_proc_net_tcp(read_proc_file(proc + "/net/tcp", 1 << 22));
    for (auto& r : parse_proc_net_tcp(read_proc_file(proc + "/net/tcp6", 1 << 22))) rows.push_back(std::move(r));
    it = tables.emplace(ns, std::move(rows)).first;
  }
  std::optional<std::set<uint64_t>> mine;  // read only when a row is a candidate
  for (const auto& row : it->second) {
    bool opening_or_open = row.state == 1 || row.state == 2;
    if (!opening_or_open || std::find(ports.begin(), ports.end(), row.remote_port) == ports.end()) continue;
    if (!mine) mine = socket_inodes(pid);
    if (mine->count(row.inode)) out.push_back(row);
  }
  return out;
}

}  // namespace rampart::guard
