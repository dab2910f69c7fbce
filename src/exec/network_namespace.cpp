#include "exec/network_namespace.h"

#include <fcntl.h>
#include <net/if.h>
#include <sched.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <stdexcept>
#include <thread>

namespace rampart::exec {

namespace fs = std::filesystem;

NetworkNamespace::NetworkNamespace(const std::string& path, const std::string& owner) : path_(path) {
  std::error_code ec;
  fs::create_directories(fs::path(path).parent_path(), ec);
  std::ofstream(path + ".owner") << owner;
  int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_CLOEXEC, 0600);
  if (fd < 0) throw std::runtime_error("cannot create " + path + ": " + std::strerror(errno));
  ::close(fd);
  std::string error;
  // unshare(CLONE_NEWNET) moves only the calling thread: a short-lived thread makes the
  // namespace, brings its loopback up and pins it, and the engine's threads stay where they are.
  std::thread maker([&] {
    if (::unshare(CLONE_NEWNET) != 0) {
      error = std::string("cannot create a network namespace: ") + std::strerror(errno);
      return;
    }
    int s = ::socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    ifreq ifr{};
    std::strncpy(ifr.ifr_name, "lo", IFNAMSIZ - 1);
    if (s < 0 || ::ioctl(s, SIOCGIFFLAGS, &ifr) != 0 ||
        (ifr.ifr_flags |= IFF_UP, ::ioctl(s, SIOCSIFFLAGS, &ifr)) != 0) {
      error = std::string("cannot bring up the loopback device of a new network namespace: ") + std::strerror(errno);
    }
    if (s >= 0) ::close(s);
    if (error.empty() && ::mount("/proc/thread-self/ns/net", path.c_str(), nullptr, MS_BIND, nullptr) != 0) {
      error = std::string("cannot pin a network namespace: ") + std::strerror(errno);
    }
  });
  maker.join();
  if (!error.empty()) {
    ::unlink(path.c_str());
    ::unlink((path + ".owner").c_str());
    throw std::runtime_error(error);
  }
}

NetworkNamespace::~NetworkNamespace() {
  ::umount2(path_.c_str(), MNT_DETACH);
  ::unlink(path_.c_str());
  ::unlink((path_ + ".owner").c_str());
}

std::shared_ptr<NetworkNamespace> PodNetworks::acquire(const std::string& pod_dir, const std::string& owner) {
  std::lock_guard lock(mutex_);
  auto& slot = by_pod_[pod_dir];
  if (auto existing = slot.lock()) return existing;
  auto created = std::make_shared<NetworkNamespace>((fs::path(pod_dir) / "netns").string(), owner);
  slot = created;
  // Forget pods whose namespace is gone, so the map does not grow without bound.
  for (auto it = by_pod_.begin(); it != by_pod_.end();) {
    it = it->second.expired() ? by_pod_.erase(it) : std::next(it);
  }
  return created;
}

}  // namespace rampart::exec
