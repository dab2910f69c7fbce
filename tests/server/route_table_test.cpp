// Every registered route refuses a request without valid credentials. The routes come from the
// same add_all_routes() the server uses, so a route added without going through the Router's
// authentication would have to bypass this table, and one added to it is checked here.
#include <gtest/gtest.h>

#include <set>

#include "../store/temp_dir.h"
#include "server/api_routes.h"
#include "server/resource_files.h"
#include "server/workflow_runner.h"
#include "store/access_store.h"

namespace rampart::server {
namespace {

std::string concrete_path(const std::string& pattern) {
  std::string out;
  size_t i = 0;
  while (i < pattern.size()) {
    if (pattern[i] == '{') {
      size_t end = pattern.find('}', i);
      out += "argo";
      i = end + 1;
    } else {
      out += pattern[i++];
    }
  }
  return out;
}

class RouteTableTest : public ::testing::Test {
 protected:
  RouteTableTest()
      : access(store::open_sqlite_access(dir.file("access.db"))),
        audit_db(store::open_sqlite_access(dir.file("access.db"))),
        tokens(*access, dir.file("token.key")),
        audit(*audit_db, dir.file("audit.jsonl")),
        resources(dir.file("resources")),
        runner(RunnerOptions{dir.path().string()}) {
    api.state_dir = dir.path().string();
    api.runner = &runner;
    api.resources = &resources;
    router = std::make_unique<Router>(api, tokens, audit, limiter);
    add_all_routes(*router);
  }

  HttpResponse send(const Route& route, const std::string& authorization) {
    net::HttpRequest request;
    request.method = route.method;
    request.path = concrete_path(route.pattern);
    request.target = request.path;
    request.client_address = "127.0.0.1";
    if (authorization.rfind("Cookie ", 0) == 0) {
      request.headers["cookie"] = authorization.substr(7);
    } else if (!authorization.empty()) {
      request.headers["authorization"] = authorization;
    }
    request.headers["content-type"] = "application/json";
    request.body = R"({"workflow": {}})";
    return router->handle(request);
  }

  store::testing::TempDir dir;
  std::unique_ptr<store::AccessStore> access, audit_db;
  TokenService tokens;
  AuditLog audit;
  FailureLimiter limiter{FailureLimits{1000000, 60000, 60000}};
  ResourceFiles resources;
  WorkflowRunner runner;
  ApiContext api;
  std::unique_ptr<Router> router;
};

TEST_F(RouteTableTest, EveryRouteRejectsRequestsWithoutValidCredentials) {
  ASSERT_GE(router->routes().size(), 30u);
  int64_t now = 1'700'000'000'000;
  auto revoked = tokens.create("gone", 0, "", now);
  tokens.revoke(revoked.record.id, now);
  auto expired = tokens.create("old", 1, "", now - 10'000);
  for (const auto& route : router->routes()) {
    for (std::string authorization :
         {std::string(), std::string("Bearer "), std::string("Basic YWRtaW46YWRtaW4="),
          std::string("Bearer rampart_xxxxxxxxxxxx_yyyy"), "Bearer " + revoked.token, "Bearer " + expired.token,
          "Cookie rampart_session=" + std::string(64, 'a'), std::string("Cookie other=1")}) {
      HttpResponse response = send(route, authorization);
      EXPECT_EQ(response.status, 401) << route.method << " " << route.pattern << " with [" << authorization << "]";
      EXPECT_FALSE(response.stream) << route.pattern;
    }
  }
}

TEST_F(RouteTableTest, EveryArgoPathIsRegistered) {
  std::set<std::string> registered;
  for (const auto& r : router->routes()) registered.insert(r.method + " " + r.pattern);
  for (const char* expected : {"GET /api/v1/info",
                               "GET /api/v1/version",
                               "GET /api/v1/userinfo",
                               "GET /api/v1/workflows/{namespace}",
                               "POST /api/v1/workflows/{namespace}",
                               "POST /api/v1/workflows/{namespace}/lint",
                               "POST /api/v1/workflows/{namespace}/submit",
                               "GET /api/v1/workflows/{namespace}/{name}",
                               "DELETE /api/v1/workflows/{namespace}/{name}",
                               "PUT /api/v1/workflows/{namespace}/{name}/stop",
                               "PUT /api/v1/workflows/{namespace}/{name}/terminate",
                               "PUT /api/v1/workflows/{namespace}/{name}/suspend",
                               "PUT /api/v1/workflows/{namespace}/{name}/resume",
                               "PUT /api/v1/workflows/{namespace}/{name}/retry",
                               "PUT /api/v1/workflows/{namespace}/{name}/resubmit",
                               "PUT /api/v1/workflows/{namespace}/{name}/set",
                               "GET /api/v1/workflows/{namespace}/{name}/log",
                               "GET /api/v1/workflow-events/{namespace}",
                               "GET /api/v1/workflow-templates/{namespace}",
                               "POST /api/v1/workflow-templates/{namespace}/lint",
                               "PUT /api/v1/workflow-templates/{namespace}/{name}",
                               "GET /api/v1/cluster-workflow-templates",
                               "DELETE /api/v1/cluster-workflow-templates/{name}",
                               "GET /api/v1/cron-workflows/{namespace}",
                               "PUT /api/v1/cron-workflows/{namespace}/{name}/suspend",
                               "GET /api/v1/archived-workflows",
                               "GET /api/v1/archived-workflows/{uid}"}) {
    EXPECT_TRUE(registered.count(expected)) << expected;
  }
}

TEST_F(RouteTableTest, UnknownApiPathsAreAuthenticatedBeforeBeingNotFound) {
  Route fake{"GET", "/api/v1/not-a-route/{namespace}", Role::Viewer, Scope::Namespaced, nullptr};
  EXPECT_EQ(send(fake, "").status, 401);
  auto admin = tokens.create("root", 0, "", 0);
  access->put_binding({"root", "*", "admin"});
  EXPECT_EQ(send(fake, "Bearer " + admin.token).status, 404);
}

TEST_F(RouteTableTest, NamespacesWithoutARoleAreInvisibleAndWeakRolesAreForbidden) {
  auto viewer = tokens.create("vera", 0, "", 0);
  access->put_binding({"vera", "team-a", "viewer"});
  net::HttpRequest request;
  request.client_address = "127.0.0.1";
  request.headers["authorization"] = "Bearer " + viewer.token;
  request.headers["content-type"] = "application/json";
  request.method = "GET";
  request.path = "/api/v1/workflows/team-b";
  EXPECT_EQ(router->handle(request).status, 404);
  request.path = "/api/v1/workflows/team-a";
  EXPECT_EQ(router->handle(request).status, 200);
  request.method = "POST";
  request.body = R"({"workflow": {}})";
  EXPECT_EQ(router->handle(request).status, 403);
  request.method = "GET";
  request.path = "/api/v1/workflows/team-a/..";
  EXPECT_EQ(router->handle(request).status, 400);
}

}  // namespace
}  // namespace rampart::server
