// What the Router bounds for every caller: failed token checks per (address, token id), browser
// sessions per subject and in all, JSON nesting in bodies, and no-store on every answer. Built
// from the same add_all_routes() as the server, with the real token service on a temp SQLite.
#include <gtest/gtest.h>

#include <strings.h>

#include "../store/temp_dir.h"
#include "server/api_routes.h"
#include "server/resource_files.h"
#include "server/workflow_runner.h"
#include "store/access_store.h"

namespace rampart::server {
namespace {

class RouterLimitsTest : public ::testing::Test {
 protected:
  RouterLimitsTest()
      : access(store::open_sqlite_access(dir.file("access.db"))),
        audit_db(store::open_sqlite_access(dir.file("access.db"))),
        tokens(*access, dir.file("token.key")),
        audit(*audit_db, dir.file("audit.jsonl")),
        resources(dir.file("resources")),
        runner(RunnerOptions{dir.path().string()}) {
    api.state_dir = dir.path().string();
    api.runner = &runner;
    api.resources = &resources;
    router = std::make_unique<Router>(api, tokens, audit, limiter, SessionLimits{3, 5});
    add_all_routes(*router);
    viewer = tokens.create("vera", 0, "", 0).token;
    access->put_binding({"vera", "team-a", "viewer"});
  }

  HttpResponse send(const std::string& method, const std::string& path, const std::string& authorization,
                    const std::string& from = "10.0.0.1", const std::string& body = "") {
    net::HttpRequest request;
    request.method = method;
    request.path = path;
    request.target = path;
    request.client_address = from;
    if (authorization.rfind("Cookie ", 0) == 0) {
      request.headers["cookie"] = authorization.substr(7);
    } else if (!authorization.empty()) {
      request.headers["authorization"] = authorization;
    }
    request.headers["content-type"] = "application/json";
    request.body = body;
    return router->handle(request);
  }

  // A wrong secret for a real token's id: the id is public (token lists, audit), the secret not.
  static std::string guess_for(const std::string& token, int n) {
    std::string secret = std::to_string(n);
    return token.substr(0, 25) + std::string(64 - secret.size(), '0') + secret;
  }

  static std::string header(const HttpResponse& r, const char* name) {
    std::string out;
    for (const auto& [k, v] : r.headers) {
      if (strcasecmp(k.c_str(), name) == 0) out += (out.empty() ? "" : ",") + v;
    }
    return out;
  }

  std::string login(const std::string& token) {
    HttpResponse r = send("POST", "/api/v1/session", "Bearer " + token);
    if (r.status != 200) return "status " + std::to_string(r.status);
    std::string cookie = header(r, "Set-Cookie");
    return cookie.substr(0, cookie.find(';'));
  }

  store::testing::TempDir dir;
  std::unique_ptr<store::AccessStore> access, audit_db;
  TokenService tokens;
  AuditLog audit;
  FailureLimiter limiter{FailureLimits{10, 60'000, 60'000}};
  ResourceFiles resources;
  WorkflowRunner runner;
  ApiContext api;
  std::unique_ptr<Router> router;
  std::string viewer;
};

TEST_F(RouterLimitsTest, AStrangerGuessingATokenIdCannotLockItsOwnerOut) {
  ASSERT_EQ(guess_for(viewer, 1).size(), viewer.size());
  for (int i = 0; i < 12; ++i) send("GET", "/api/v1/info", "Bearer " + guess_for(viewer, i), "10.0.0.66");
  // The stranger's address is locked out, even with a valid token...
  EXPECT_EQ(send("GET", "/api/v1/info", "Bearer " + viewer, "10.0.0.66").status, 429);
  HttpResponse refused = send("GET", "/api/v1/info", "Bearer " + viewer, "10.0.0.66");
  EXPECT_NE(refused.body.find("--auth-failure-limit"), std::string::npos) << refused.body;
  EXPECT_EQ(header(refused, "Retry-After"), "60");
  // ...but the owner, elsewhere, is not: the token id alone counts for nothing.
  EXPECT_EQ(send("GET", "/api/v1/info", "Bearer " + viewer, "10.0.0.1").status, 200);
}

TEST_F(RouterLimitsTest, GuessesAreCountedPerAddressAndTokenIdEvenWhenTheAddressHasRoom) {
  // The pair (address, token id) has its own count: here the address limit is out of reach.
  FailureLimiter generous{FailureLimits{10, 60'000, 60'000}};
  for (int i = 0; i < 10; ++i) generous.record_failure(Router::token_key("10.0.0.7", guess_for(viewer, i)), 0);
  EXPECT_FALSE(generous.allowed(Router::token_key("10.0.0.7", viewer), 1));
  EXPECT_TRUE(generous.allowed(Router::token_key("10.0.0.8", viewer), 1));
  EXPECT_TRUE(generous.allowed(Router::address_key("10.0.0.7"), 1));
  EXPECT_NE(Router::token_key("10.0.0.7", viewer), Router::token_key("10.0.0.70", viewer));
}

TEST_F(RouterLimitsTest, OneLoginTooManyEndsTheSubjectsOldestSession) {
  std::vector<std::string> cookies;
  for (int i = 0; i < 4; ++i) cookies.push_back(login(viewer));
  for (const auto& c : cookies) ASSERT_EQ(c.rfind("rampart_session=", 0), 0u) << c;
  EXPECT_EQ(send("GET", "/api/v1/session", "Cookie " + cookies[0]).status, 401);  // the oldest ended
  for (int i = 1; i < 4; ++i) EXPECT_EQ(send("GET", "/api/v1/session", "Cookie " + cookies[i]).status, 200) << i;
}

TEST_F(RouterLimitsTest, AFullSessionStoreRefusesLoginsWith429) {
  std::vector<std::string> subjects = {"a1", "a2", "a3"};
  std::vector<std::string> cookies, subject_tokens;
  for (const auto& s : subjects) {
    std::string token = subject_tokens.emplace_back(tokens.create(s, 0, "", 0).token);
    access->put_binding({s, "team-a", "viewer"});
    cookies.push_back(login(token));
    cookies.push_back(login(token));
  }
  // 5 fit in all; the sixth login (a3's second) was refused, naming the limit and its flag.
  EXPECT_EQ(cookies[5], "status 429");
  HttpResponse refused = send("POST", "/api/v1/session", "Bearer " + viewer);
  EXPECT_EQ(refused.status, 429);
  EXPECT_NE(refused.body.find("--max-sessions"), std::string::npos) << refused.body;
  // Logging out makes room.
  net::HttpRequest logout;
  logout.method = "DELETE";
  logout.path = logout.target = "/api/v1/session";
  logout.client_address = "10.0.0.1";
  logout.headers = {{"authorization", "Bearer " + subject_tokens[0]}, {"cookie", cookies[0]}};
  ASSERT_EQ(router->handle(logout).status, 200);
  EXPECT_EQ(login(viewer).rfind("rampart_session=", 0), 0u);
}

TEST_F(RouterLimitsTest, DeeplyNestedBodiesAre400NamingTheLimit) {
  for (size_t depth : {200u, 20'000u, 200'000u}) {
    std::string body = R"({"workflow": {"metadata": {"name": "x"}, "spec": )" + std::string(depth, '[') +
                       std::string(depth, ']') + "}}";
    for (const char* path : {"/api/v1/workflows/team-a/lint", "/api/v1/workflow-templates/team-a/lint",
                             "/api/v1/cron-workflows/team-a/lint", "/api/v1/workflows/team-a/lint-yaml"}) {
      HttpResponse r = send("POST", path, "Bearer " + viewer, "10.0.0.1", body);
      EXPECT_EQ(r.status, 400) << path << " " << depth;
      EXPECT_NE(r.body.find("deeper than 128 levels"), std::string::npos) << path << ": " << r.body.substr(0, 300);
    }
  }
}

TEST_F(RouterLimitsTest, EveryAnswerIsNoStoreWhateverItsStatus) {
  std::vector<HttpResponse> answers = {
      send("GET", "/api/v1/info", "Bearer " + viewer),                                        // 200
      send("GET", "/api/v1/info", ""),                                                        // 401
      send("GET", "/api/v1/workflows/team-b", "Bearer " + viewer),                            // 404 (invisible)
      send("POST", "/api/v1/workflows/team-a", "Bearer " + viewer, "10.0.0.1", "{}"),         // 403
      send("POST", "/api/v1/workflows/team-a/lint", "Bearer " + viewer, "10.0.0.1", "{bad"),  // 400
      send("GET", "/api/v1/workflow-events/team-a", "Bearer " + viewer),                      // a stream
      send("POST", "/api/v1/session", "Bearer " + viewer),                                    // sets a cookie
  };
  for (int i = 0; i < 12; ++i) send("GET", "/api/v1/info", "Bearer " + guess_for(viewer, i), "10.0.0.9");
  answers.push_back(send("GET", "/api/v1/info", "Bearer " + viewer, "10.0.0.9"));  // 429
  EXPECT_EQ(answers.back().status, 429);
  EXPECT_TRUE(answers[5].stream);
  for (const auto& r : answers) {
    EXPECT_EQ(header(r, "Cache-Control"), "no-store") << r.status << " " << r.body;
    EXPECT_EQ(header(r, "Pragma"), "no-cache") << r.status;
  }
}

}  // namespace
}  // namespace rampart::server
