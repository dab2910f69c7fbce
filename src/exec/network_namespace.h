// A network namespace that several steps of one pod share (a main container and its sidecars):
// only a loopback device, up; no route out and no way to the host's own loopback. It is pinned
// by a bind mount at a path, so that crun (a "network" namespace with a path) and bubblewrap
// (through nsenter) can join it, and it lives as long as the last step holding it.
#pragma once

#include <map>
#include <memory>
#include <mutex>
#include <string>

namespace rampart::exec {

class NetworkNamespace {
 public:
  // Creates the namespace and pins it at `path`; `owner` is written beside it (path + ".owner")
  // so that a sweep can tell whose it was. Throws std::runtime_error.
  NetworkNamespace(const std::string& path, const std::string& owner);
  ~NetworkNamespace();  // unpins it; the kernel frees it once no process is inside
  NetworkNamespace(const NetworkNamespace&) = delete;
  NetworkNamespace& operator=(const NetworkNamespace&) = delete;

  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

// Namespaces by pod: the first step of a pod creates it, the last one to let go removes it.
class PodNetworks {
 public:
  // The namespace pinned at <pod_dir>/netns, created on first use. Throws std::runtime_error.
  std::shared_ptr<NetworkNamespace> acquire(const std::string& pod_dir, const std::string& owner);

 private:
  std::mutex mutex_;
  std::map<std::string, std::weak_ptr<NetworkNamespace>> by_pod_;
};

}  // namespace rampart::exec
