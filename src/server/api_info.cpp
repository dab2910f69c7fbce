// GET /api/v1/info, /version and /userinfo. Even these need a token: an Argo server that
// answered /api/v1/info without one was the first thing the miners' scanners looked for.
#include "server/api_routes.h"

namespace rampart::server {

void add_info_routes(Router& router) {
  router.add({"GET", "/api/v1/info", Role::Viewer, Scope::Any, [](Call&) {
                return json_response({{"managedNamespace", ""},
                                      {"links", Json::array()},
                                      {"columns", Json::array()},
                                      {"navColor", ""},
                                      {"modals", Json::object()}});
              }});
  router.add({"GET", "/api/v1/version", Role::Viewer, Scope::Any, [](Call& call) {
                return json_response({{"version", "v" + call.api.version + "+rampart"},
                                      {"buildDate", ""},
                                      {"gitCommit", ""},
                                      {"gitTag", "v" + call.api.version},
                                      {"gitTreeState", "clean"},
                                      {"goVersion", ""},
                                      {"compiler", "rampart"},
                                      {"platform", "linux/amd64"}});
              }});
  router.add({"GET", "/api/v1/userinfo", Role::Viewer, Scope::Any, [](Call& call) {
                Json roles = Json::object();
                for (const auto& [ns, role] : call.subject.roles) roles[ns] = std::string(role_name(role));
                return json_response({{"subject", call.subject.name},
                                      {"issuer", "rampart"},
                                      {"serviceAccountName", ""},
                                      {"serviceAccountNamespace", ""},
                                      {"roles", roles}});
              }});
}

void add_all_routes(Router& router) {
  add_info_routes(router);
  add_workflow_routes(router);
  add_stream_routes(router);
  add_template_routes(router);
  add_archive_routes(router);
  add_guard_routes(router);
  add_audit_routes(router);
  add_artifact_routes(router);
  add_lint_yaml_route(router);
}

}  // namespace rampart::server
