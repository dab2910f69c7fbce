// Archived workflows: in rampart every finished workflow stays in the store, so the archive is
// the finished ones, addressed by uid as Argo's archive is.
//   GET    /api/v1/archived-workflows?namespace=NS
//   GET    /api/v1/archived-workflows/{uid}
//   DELETE /api/v1/archived-workflows/{uid}
#include <filesystem>

#include "engine/engine.h"
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

}  // namespace

void add_archive_routes(Router& router) {
  router.add({"GET", "/api/v1/archived-workflows", Role::Viewer, Scope::Any, [](Call& call) {
                std::string ns = call.request.query_value("namespace");
                if (ns.empty()) ns = call.request.query_value("listOptions.fieldSelector").rfind("metadata.namespace=", 0) == 0
                                         ? call.request.query_value("listOptions.fieldSelector").substr(19)
                                         : "";
                LabelSelector labels(call.request.query_value("listOptions.labelSelector"));
                store::ListFilter filter;
                filter.namespace_ = ns;
                filter.phases = {"Succeeded", "Failed", "Error"};
                Json items = Json::array();
                auto& store = call.api.store();
                for (const auto& record : store.list_workflows(filter)) {
                  if (call.subject.role_in(record.namespace_) == Role::None) continue;
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
                return json_response(engine::Engine::workflow_object(call.api.store(), record->namespace_, record->name));
              }});
  router.add({"DELETE", "/api/v1/archived-workflows/{uid}", Role::Viewer, Scope::Any, [](Call& call) {
                auto record = find_by_uid(call, call.param("uid"));
                if (!record) throw ApiError(404, "archived workflow not found");
                if (!call.subject.can(record->namespace_, Role::Submitter)) {
                  throw ApiError(403, "permission denied: submitter role needed in namespace \"" + record->namespace_ + "\"");
                }
                call.audit_object = record->namespace_ + "/" + record->name;
                call.api.store().delete_workflow(record->namespace_, record->name);
                std::error_code ec;
                std::filesystem::remove_all(std::filesystem::path(call.api.state_dir) / "logs" / record->namespace_ / record->name, ec);
                return json_response(Json::object());
              }});
}

}  // namespace rampart::server
