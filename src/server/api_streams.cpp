// Streams: workflow logs and the workflow event stream. Both poll the store on the server's
// threads (every stream_interval_ms) and never block: a slow or vanished client costs a
// coroutine, not a thread.
//   GET /api/v1/workflows/{ns}/{name}/log?podName=&logOptions.follow=true&grep=
//   GET /api/v1/workflows/{ns}/{name}/{podName}/log
//     -> lines of {"result":{"content":"...","podName":"..."}} (server-sent events when the
//        client accepts text/event-stream, as Argo's UI does; newline-delimited JSON otherwise)
//   GET /api/v1/workflow-events/{ns}?listOptions.fieldSelector=metadata.name=NAME
//     -> server-sent events: data: {"result":{"type":"ADDED|MODIFIED|DELETED","object":{...}}}
#include <chrono>
#include <filesystem>
#include <fstream>
#include <functional>
#include <memory>

#include "engine/engine.h"
#include "common/clock.h"
#include "engine/node.h"
#include "server/api_routes.h"
#include "server/list_options.h"

namespace rampart::server {

namespace fs = std::filesystem;

namespace {

bool wants_event_stream(const HttpRequest& request) {
  return request.header("accept").find("text/event-stream") != std::string::npos;
}

std::string frame(const Json& message, bool sse) {
  std::string text = message.dump(-1, ' ', false, Json::error_handler_t::replace);
  return sse ? "data: " + text + "\n\n" : text + "\n";
}

struct LogState {
  ApiContext api;
  std::string ns, name, pod_filter, grep;
  bool follow = false, sse = false;
  std::map<std::string, std::streamoff> offsets;
  bool finished_seen = false;
};

// Appends the complete lines written since the last call; true while more may come.
bool poll_logs(LogState& s, std::string& out) {
  auto& store = s.api.store();
  auto record = store.get_workflow(s.ns, s.name);
  if (!record) return false;
  bool finished = is_finished_phase(record->phase);
  std::vector<engine::Node> pods;
  for (const auto& n : store.get_nodes(s.ns, s.name)) {
    engine::Node node = engine::Node::from_json(n.status);
    if (node.type != engine::NodeType::Pod && node.type != engine::NodeType::Container) continue;
    if (!s.pod_filter.empty() && node.pod_name != s.pod_filter && node.id != s.pod_filter) continue;
    pods.push_back(std::move(node));
  }
  std::sort(pods.begin(), pods.end(), [](const auto& a, const auto& b) { return a.started_at < b.started_at; });
  size_t budget = 256 * 1024;  // per poll, so one huge log cannot monopolise a thread
  bool more_pending = false;
  for (const auto& p : pods) {
    std::ifstream in(fs::path(s.api.state_dir) / "logs" / s.ns / s.name / (p.id + ".log"), std::ios::binary);
    if (!in) continue;
    in.seekg(s.offsets[p.id]);
    std::string line;
    std::string pod = p.pod_name.empty() ? p.display_name : p.pod_name;
    while (std::getline(in, line)) {
      if (in.eof() && !finished) break;  // a partial last line waits until it is complete
      s.offsets[p.id] = in.tellg() == std::streamoff(-1) ? s.offsets[p.id] + static_cast<std::streamoff>(line.size())
                                                         : static_cast<std::streamoff>(in.tellg());
      if (!s.grep.empty() && line.find(s.grep) == std::string::npos) continue;
      out += frame({{"result", {{"content", line}, {"podName", pod}}}}, s.sse);
      if (out.size() > budget) {
        more_pending = true;
        break;
      }
    }
    if (more_pending) break;
  }
  if (more_pending) return true;
  if (!s.follow) return false;
  // One more pass after the workflow finished, for lines written just before the end.
  if (finished && s.finished_seen) return false;
  s.finished_seen = finished;
  return true;
}

HttpResponse logs(Call& call) {
  auto& store = call.api.store();
  const std::string& ns = call.param("namespace");
  const std::string& name = call.param("name");
  if (!store.get_workflow(ns, name))
    throw ApiError(404, "workflow \"" + name + "\" not found in namespace \"" + ns + "\"");
  auto state = std::make_shared<LogState>();
  state->api = call.api;
  state->ns = ns;
  state->name = name;
  state->pod_filter = call.param("podName").empty() ? call.request.query_value("podName") : call.param("podName");
  state->grep = call.request.query_value("grep");
  std::string follow = call.request.query_value("logOptions.follow");
  state->follow = follow == "true" || follow == "1";
  state->sse = wants_event_stream(call.request);
  HttpResponse r;
  r.content_type = state->sse ? "text/event-stream" : "application/json";
  r.stream = [state](std::string& out) { return poll_logs(*state, out); };
  r.stream_interval_ms = 250;
  return r;
}

struct EventState {
  ApiContext api;
  std::string ns;
  std::unique_ptr<FieldSelector> fields;
  std::unique_ptr<LabelSelector> labels;
  std::map<std::string, size_t> seen;  // "ns/name" -> hash of the last object sent
  int64_t last_write_ms = 0;
};

bool poll_events(EventState& s, std::string& out) {
  auto& store = s.api.store();
  store::ListFilter filter;
  filter.namespace_ = s.ns;
  std::map<std::string, size_t> now_seen;
  for (const auto& record : store.list_workflows(filter)) {
    if (!s.fields->matches(record.namespace_, record.name)) continue;
    if (!s.labels->empty() && !s.labels->matches(Json::parse(record.labels_json, nullptr, false))) continue;
    std::string key = record.namespace_ + "/" + record.name;
    auto previous = s.seen.find(key);
    // A finished workflow that was already sent does not change any more.
    if (previous != s.seen.end() && is_finished_phase(record.phase) && previous->second & 1) {
      now_seen[key] = previous->second;
      continue;
    }
    Json object = engine::Engine::workflow_object(store, record.namespace_, record.name);
    size_t hash = std::hash<std::string>{}(object.dump(-1, ' ', false, Json::error_handler_t::replace));
    hash = is_finished_phase(record.phase) ? (hash | 1) : (hash & ~size_t{1});
    now_seen[key] = hash;
    if (previous != s.seen.end() && previous->second == hash) continue;
    out += frame({{"result", {{"type", previous == s.seen.end() ? "ADDED" : "MODIFIED"}, {"object", object}}}}, true);
  }
  for (const auto& [key, hash] : s.seen) {
    if (now_seen.count(key)) continue;
    size_t slash = key.find('/');
    Json object = {{"apiVersion", "argoproj.io/v1alpha1"},
                   {"kind", "Workflow"},
                   {"metadata", {{"namespace", key.substr(0, slash)}, {"name", key.substr(slash + 1)}}}};
    out += frame({{"result", {{"type", "DELETED"}, {"object", object}}}}, true);
  }
  s.seen = std::move(now_seen);
  int64_t now = monotonic_ms();
  if (!out.empty()) {
    s.last_write_ms = now;
  } else if (now - s.last_write_ms > 15'000) {
    out = ":\n\n";  // comment line: keeps proxies from closing, and finds vanished clients
    s.last_write_ms = now;
  }
  return true;
}

HttpResponse events(Call& call) {
  auto state = std::make_shared<EventState>();
  state->api = call.api;
  state->ns = call.param("namespace");
  state->fields = std::make_unique<FieldSelector>(call.request.query_value("listOptions.fieldSelector"));
  state->labels = std::make_unique<LabelSelector>(call.request.query_value("listOptions.labelSelector"));
  state->last_write_ms = monotonic_ms();
  HttpResponse r;
  r.content_type = "text/event-stream";
  r.stream = [state](std::string& out) { return poll_events(*state, out); };
  r.stream_interval_ms = 250;
  return r;
}

}  // namespace

void add_stream_routes(Router& router) {
  router.add({"GET", "/api/v1/workflows/{namespace}/{name}/log", Role::Viewer, Scope::Namespaced, logs});
  router.add({"GET", "/api/v1/workflows/{namespace}/{name}/{podName}/log", Role::Viewer, Scope::Namespaced, logs});
  router.add({"GET", "/api/v1/workflow-events/{namespace}", Role::Viewer, Scope::Namespaced, events});
}

}  // namespace rampart::server
