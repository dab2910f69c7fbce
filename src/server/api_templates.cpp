// WorkflowTemplates, ClusterWorkflowTemplates and CronWorkflows: CRUD and lint. Creating or
// changing any of them needs the author role: a template is code that submitters may then run.
//   POST /api/v1/workflow-templates/{ns}            {"template": {...}}
//   PUT  /api/v1/workflow-templates/{ns}/{name}     {"template": {...}}
//   POST /api/v1/cluster-workflow-templates          {"template": {...}}
//   POST /api/v1/cron-workflows/{ns}                 {"cronWorkflow": {...}}
#include <chrono>

#include "engine/node.h"
#include "common/clock.h"
#include "server/api_routes.h"
#include "server/list_options.h"
#include "server/object_loader.h"
#include "server/resource_files.h"

namespace rampart::server {

namespace {

struct Kind {
  std::string plural;    // storage folder and URL word
  std::string url;       // /api/v1/<url>
  std::string body_key;  // "template" or "cronWorkflow"
  spec::Kind kind;
  bool cluster;
};

spec::Document object_from_body(Call& call, const Kind& k, Json& object) {
  Json body = parse_body(call.request);
  if (!body.contains(k.body_key)) throw ApiError(400, "body must have a \"" + k.body_key + "\" object");
  object = body[k.body_key];
  if (object.is_object() && object.contains("metadata") && object["metadata"].is_object()) {
    std::string own = object["metadata"].value("namespace", "");
    if (!k.cluster && !own.empty() && own != call.param("namespace")) {
      throw ApiError(400, "metadata.namespace \"" + own + "\" differs from the path's");
    }
    object["metadata"].erase("namespace");
  }
  spec::Document doc = load_object(object, k.kind, k.body_key);
  if (!is_valid_object_name(doc.metadata.name)) throw ApiError(400, "metadata.name must be a valid object name");
  engine::References refs = namespace_references(call.api, call.param("namespace"));
  validate_or_throw(doc, refs);
  // A template is code that submitters may run later: it is admitted now, and its steps again
  // when they start.
  admit_or_throw(call.api, call.param("namespace"), doc, refs);
  return doc;
}

Json stored_shape(const Kind& k, const spec::Document& doc, const std::string& ns, const Json* previous) {
  Json object = doc.raw;
  object["apiVersion"] = "argoproj.io/v1alpha1";
  object["kind"] = spec::to_string(k.kind);
  if (!k.cluster) object["metadata"]["namespace"] = ns;
  if (previous && previous->contains("metadata")) {
    object["metadata"]["uid"] = (*previous)["metadata"].value("uid", "");
    object["metadata"]["creationTimestamp"] = (*previous)["metadata"].value("creationTimestamp", "");
  } else {
    object["metadata"]["uid"] = engine::format_time(now_ms()) + "-" + doc.metadata.name;
    object["metadata"]["creationTimestamp"] = engine::format_time(now_ms());
  }
  return object;
}

void add_kind(Router& router, const Kind& k) {
  std::string base = "/api/v1/" + k.url + (k.cluster ? "" : "/{namespace}");
  Scope scope = k.cluster ? Scope::Cluster : Scope::Namespaced;
  auto ns_of = [k](Call& call) { return k.cluster ? std::string() : call.param("namespace"); };

  router.add({"GET", base, Role::Viewer, scope, [k, ns_of](Call& call) {
                LabelSelector labels(call.request.query_value("listOptions.labelSelector"));
                Json items = Json::array();
                for (auto& object : call.api.resources->list(k.plural, ns_of(call))) {
                  if (!labels.empty() && !labels.matches(object["metadata"].value("labels", Json::object()))) continue;
                  items.push_back(std::move(object));
                }
                return json_response({{"metadata", Json::object()}, {"items", items}});
              }});
  router.add({"POST", base, Role::Author, scope, [k, ns_of](Call& call) {
                Json object;
                spec::Document doc = object_from_body(call, k, object);
                std::string ns = ns_of(call);
                if (call.api.resources->get(k.plural, ns, doc.metadata.name)) {
                  throw ApiError(
                      409, std::string(spec::to_string(k.kind)) + " \"" + doc.metadata.name + "\" already exists");
                }
                Json stored = stored_shape(k, doc, ns, nullptr);
                call.api.resources->put(k.plural, ns, doc.metadata.name, stored);
                call.audit_object = ns + "/" + doc.metadata.name;
                return json_response(stored);
              }});
  router.add({"POST", base + "/lint", Role::Viewer, scope, [k](Call& call) {
                Json object;
                spec::Document doc = object_from_body(call, k, object);
                return json_response(doc.raw);
              }});
  router.add({"GET", base + "/{name}", Role::Viewer, scope, [k, ns_of](Call& call) {
                auto object = call.api.resources->get(k.plural, ns_of(call), call.param("name"));
                if (!object)
                  throw ApiError(404,
                                 std::string(spec::to_string(k.kind)) + " \"" + call.param("name") + "\" not found");
                return json_response(*object);
              }});
  router.add({"PUT", base + "/{name}", Role::Author, scope, [k, ns_of](Call& call) {
                Json object;
                spec::Document doc = object_from_body(call, k, object);
                if (doc.metadata.name != call.param("name"))
                  throw ApiError(400, "metadata.name differs from the path's name");
                std::string ns = ns_of(call);
                auto previous = call.api.resources->get(k.plural, ns, doc.metadata.name);
                if (!previous)
                  throw ApiError(404,
                                 std::string(spec::to_string(k.kind)) + " \"" + doc.metadata.name + "\" not found");
                Json stored = stored_shape(k, doc, ns, &*previous);
                call.api.resources->put(k.plural, ns, doc.metadata.name, stored);
                return json_response(stored);
              }});
  router.add({"DELETE", base + "/{name}", Role::Author, scope, [k, ns_of](Call& call) {
                if (!call.api.resources->remove(k.plural, ns_of(call), call.param("name"))) {
                  throw ApiError(404,
                                 std::string(spec::to_string(k.kind)) + " \"" + call.param("name") + "\" not found");
                }
                return json_response(Json::object());
              }});
  if (k.kind == spec::Kind::CronWorkflow) {
    for (bool suspend : {true, false}) {
      router.add({"PUT", base + "/{name}/" + (suspend ? "suspend" : "resume"), Role::Submitter, scope,
                  [k, ns_of, suspend](Call& call) {
                    std::string ns = ns_of(call);
                    auto object = call.api.resources->get(k.plural, ns, call.param("name"));
                    if (!object) throw ApiError(404, "CronWorkflow \"" + call.param("name") + "\" not found");
                    (*object)["spec"]["suspend"] = suspend;
                    call.api.resources->put(k.plural, ns, call.param("name"), *object);
                    return json_response(*object);
                  }});
    }
  }
}

}  // namespace

void add_template_routes(Router& router) {
  add_kind(router, {"workflowtemplates", "workflow-templates", "template", spec::Kind::WorkflowTemplate, false});
  add_kind(router, {"clusterworkflowtemplates", "cluster-workflow-templates", "template",
                    spec::Kind::ClusterWorkflowTemplate, true});
  add_kind(router, {"cronworkflows", "cron-workflows", "cronWorkflow", spec::Kind::CronWorkflow, false});
}

}  // namespace rampart::server
