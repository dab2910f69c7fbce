// Archived workflows: in rampart every finished workflow stays in the store, so the archive is
// the finished ones, addressed by uid as Argo's archive is.
//   GET    /api/v1/archived-workflows?namespace=NS
//          &listOptions.fieldSelector=metadata.namespace=NS,metadata.name=N,spec.startedAt>T,spec.startedAt<T
//          &listOptions.labelSelector=...  (T: RFC3339, as Argo's archive takes them)
//   GET    /api/v1/archived-workflows/{uid}
//   DELETE /api/v1/archived-workflows/{uid}
#include <filesystem>

#include "engine/engine.h"
#include "expr/expr.h"
#include "server/api_routes.h"
#include "server/list_options.h"

namespace rampart::server {

namespace {

std::optional<store::WorkflowRecord> find_by_uid(Call& call, const std::string& uid) {
  store::ListFilter filter;
  filter.phases = {"Succeeded", "Failed", "Error"};
  for (auto& record : call.api.store().list_workflows(filter)) {
    if (record.uid == uid && call.subject.role_in(record.namespace_) != Role::None) return record;
  }
  return std::nullopt;
}

// Argo's archive field selector: comma-separated requirements on namespace, name and start time.
struct ArchiveSelector {
  std::string namespace_, name;
  int64_t started_after_ms = 0, started_before_ms = 0;
};

int64_t parse_time_ms(const std::string& requirement, const std::string& text) {
  auto time = expr::parse_rfc3339_ms(text);
  if (!time)
    throw ApiError(400, "fieldSelector: \"" + requirement + "\": expected an RFC3339 time, e.g. 2026-01-31T00:00:00Z");
  return *time;
}

ArchiveSelector parse_archive_selector(const std::string& raw) {
  ArchiveSelector out;
  size_t start = 0;
  while (start < raw.size()) {
    size_t comma = raw.find(',', start);
    std::string req = raw.substr(start, comma == std::string::npos ? std::string::npos : comma - start);
    start = comma == std::string::npos ? raw.size() : comma + 1;
    if (req.empty()) continue;
    auto value_after = [&](const std::string& prefix) -> std::optional<std::string> {
      if (req.rfind(prefix, 0) != 0) return std::nullopt;
      return req.substr(prefix.size());
    };
    if (auto v = value_after("metadata.namespace=")) {
      out.namespace_ = *v;
    } else if (auto v = value_after("metadata.name=")) {
      out.name = *v;
    } else if (auto v = value_after("spec.startedAt>")) {
      out.started_after_ms = parse_time_ms(req, *v);
    } else if (auto v = value_after("spec.startedAt<")) {
      out.started_before_ms = parse_time_ms(req, *v);
    } else {
      throw ApiError(400,
                     "fieldSelector: \"" + req +
                         "\" is not supported (metadata.namespace=, metadata.name=, spec.startedAt>, spec.startedAt<)");
    }
  }
  return out;
}

}  // namespace

void add_archive_routes(Router& router) {
  router.add({"GET", "/api/v1/archived-workflows", Role::Viewer, Scope::Any, [](Call& call) {
                ArchiveSelector selector =
                    parse_archive_selector(call.request.query_value("listOptions.fieldSelector"));
                std::string ns = call.request.query_value("namespace");
                if (ns.empty()) ns = selector.namespace_;
                LabelSelector labels(call.request.query_value("listOptions.labelSelector"));
                store::ListFilter filter;
                filter.namespace_ = ns;
                filter.phases = {"Succeeded", "Failed", "Error"};
                filter.started_after_ms = selector.started_after_ms;
                filter.started_before_ms = selector.started_before_ms;
                Json items = Json::array();
                auto& store = call.api.store();
                for (const auto& record : store.list_workflows(filter)) {
                  if (call.subject.role_in(record.namespace_) == Role::None) continue;
                  if (!selector.name.empty() && record.name != selector.name) continue;
                  if (!labels.empty() && !labels.matches(Json::parse(record.labels_json, nullptr, false))) continue;
                  Json wf = engine::Engine::workflow_object(store, record.namespace_, record.name);
                  wf["status"].erase("nodes");  // Argo's archive list leaves nodes out too
                  items.push_back(std::move(wf));
                }
                return json_response(project_fields({{"metadata", Json::object()}, {"items", items}},
                                                    call.request.query_value("fields")));
              }});
  router.add({"GET", "/api/v1/archived-workflows/{uid}", Role::Viewer, Scope::Any, [](Call& call) {
                auto record = find_by_uid(call, call.param("uid"));
                if (!record) throw ApiError(404, "archived workflow not found");
                return json_response(
                    engine::Engine::workflow_object(call.api.store(), record->namespace_, record->name));
              }});
  router.add({"DELETE", "/api/v1/archived-workflows/{uid}", Role::Viewer, Scope::Any, [](Call& call) {
                auto record = find_by_uid(call, call.param("uid"));
                if (!record) throw ApiError(404, "archived workflow not found");
                if (!call.subject.can(record->namespace_, Role::Submitter)) {
                  throw ApiError(
                      403, "permission denied: submitter role needed in namespace \"" + record->namespace_ + "\"");
                }
                call.audit_object = record->namespace_ + "/" + record->name;
                call.api.store().delete_workflow(record->namespace_, record->name);
                std::error_code ec;
                std::filesystem::remove_all(
                    std::filesystem::path(call.api.state_dir) / "logs" / record->namespace_ / record->name, ec);
                return json_response(Json::object());
              }});
}

}  // namespace rampart::server
