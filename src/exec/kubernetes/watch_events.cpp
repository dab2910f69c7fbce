#include "exec/kubernetes/watch_events.h"

namespace rampart::exec::kube {

using Json = nlohmann::json;

WatchEvent WatchEventParser::parse_line(const std::string& line) const {
  WatchEvent event;
  Json parsed = Json::parse(line, nullptr, false);
  if (!parsed.is_object() || !parsed.contains("type") || !parsed["type"].is_string()) {
    event.type = "ERROR";
    event.error = "the watch sent a line that is not an event";
    return event;
  }
  event.type = parsed["type"];
  if (parsed.contains("object")) event.object = parsed["object"];
  if (event.object.is_object()) {
    const Json& meta = event.object.value("metadata", Json::object());
    if (meta.is_object() && meta.contains("resourceVersion") && meta["resourceVersion"].is_string()) {
      event.resource_version = meta["resourceVersion"];
    }
  }
  if (event.type == "ERROR") {
    int code = event.object.is_object() && event.object.value("code", Json()).is_number_integer()
                   ? event.object["code"].get<int>()
                   : 0;
    event.expired = code == 410;
    event.error = event.object.is_object() && event.object.value("message", Json()).is_string()
                      ? event.object["message"].get<std::string>()
                      : "the watch reported an error";
    event.resource_version.clear();  // a Status's version says nothing about where the watch was
  }
  return event;
}

std::vector<WatchEvent> WatchEventParser::feed(const char* data, size_t size) {
  std::vector<WatchEvent> events;
  for (size_t i = 0; i < size; ++i) {
    char c = data[i];
    if (c != '\n') {
      if (discarding_) continue;
      pending_ += c;
      if (pending_.size() > max_line_bytes_) {
        pending_.clear();
        discarding_ = true;
        WatchEvent e;
        e.type = "ERROR";
        e.error = "a watch event was longer than " + std::to_string(max_line_bytes_) + " bytes";
        events.push_back(std::move(e));
      }
      continue;
    }
    if (discarding_) {
      discarding_ = false;
      continue;
    }
    if (!pending_.empty() && pending_.back() == '\r') pending_.pop_back();
    if (!pending_.empty()) events.push_back(parse_line(pending_));
    pending_.clear();
  }
  return events;
}

std::vector<WatchEvent> WatchEventParser::finish() {
  std::vector<WatchEvent> events;
  if (!pending_.empty() && !discarding_) events.push_back(parse_line(pending_));
  pending_.clear();
  discarding_ = false;
  return events;
}

}  // namespace rampart::exec::kube
