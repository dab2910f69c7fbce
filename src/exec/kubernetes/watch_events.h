// The body of a Kubernetes watch (`?watch=1`): one JSON object per line, {"type": ADDED |
// MODIFIED | DELETED | BOOKMARK | ERROR, "object": {...}}, arriving in pieces that need not end
// at a line. The parser keeps what is incomplete until the rest comes; the watcher keeps the
// last resourceVersion so it can resume where it was, and re-lists when the server says that
// version is gone (ERROR with a Status of code 410).
#pragma once

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace rampart::exec::kube {

struct WatchEvent {
  std::string type;              // ADDED, MODIFIED, DELETED, BOOKMARK, ERROR
  nlohmann::json object;         // the Pod (or, for ERROR, a Status)
  std::string resource_version;  // object.metadata.resourceVersion, when present
  bool expired = false;          // ERROR 410 Gone: resume by listing again
  std::string error;             // ERROR's message, or why a line could not be read
};

class WatchEventParser {
 public:
  // Lines longer than this are dropped with an error event (a Pod is far smaller).
  explicit WatchEventParser(size_t max_line_bytes = 8u << 20) : max_line_bytes_(max_line_bytes) {}
  std::vector<WatchEvent> feed(const char* data, size_t size);
  std::vector<WatchEvent> feed(const std::string& data) { return feed(data.data(), data.size()); }
  // Anything left without a final newline when the stream ended.
  std::vector<WatchEvent> finish();

 private:
  WatchEvent parse_line(const std::string& line) const;
  std::string pending_;
  bool discarding_ = false;
  size_t max_line_bytes_;
};

}  // namespace rampart::exec::kube
