// The route table and the one door every API request goes through: authenticate, find the
// route, check the caller's role in the namespace, run the handler, audit. There is no way to
// register a route that skips authentication: the table has no such field, and requests to
// unknown /api paths are authenticated before they are told the path does not exist.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "server/api_context.h"
#include "server/audit_log.h"
#include "server/failure_limiter.h"
#include "server/session_store.h"
#include "server/token_service.h"

namespace rampart::server {

// Where a route's namespace comes from, for the role check.
enum class Scope {
  Namespaced,  // the {namespace} path parameter; a namespace the caller has no role in is 404
  Listing,     // {namespace} may be empty (all namespaces): the handler filters by visibility
  Cluster,     // cluster-scoped objects: reading needs a role anywhere, writing needs it in "*"
  Any,         // info, version, userinfo: any authenticated subject with at least `role` somewhere
};

using Handler = std::function<HttpResponse(Call&)>;

struct Route {
  std::string method;   // GET, POST, PUT, DELETE
  std::string pattern;  // e.g. /api/v1/workflows/{namespace}/{name}; {x} matches one segment
  Role role;            // the least role needed
  Scope scope;
  Handler handler;
};

class Router {
 public:
  // Keeps references to all four (they must outlive the router). `sessions` bounds the browser
  // sessions (see session_store.h).
  Router(ApiContext& api, TokenService& tokens, AuditLog& audit, FailureLimiter& limiter, SessionLimits sessions = {});

  void add(Route route);
  const std::vector<Route>& routes() const { return routes_; }

  // Authenticates, authorizes, runs the route's handler and audits. Every answer, whatever its
  // status, carries Cache-Control: no-store and Pragma: no-cache: no proxy or browser may keep
  // what an authenticated caller was shown. Failed token checks count against the client's
  // address and against the pair (address, token id), never against the token id alone, so a
  // stranger who knows an id cannot lock its owner out. Thread-safe; never throws for bad input.
  HttpResponse handle(net::HttpRequest& request);

  // Failure-limiter keys for a request from `address` presenting `token` (tests use them).
  static std::string address_key(const std::string& address);
  static std::string token_key(const std::string& address, const std::string& token);

 private:
  HttpResponse dispatch(net::HttpRequest& request, store::AuditRecord& audit);
  const Route* match(const std::string& method, const std::string& path, Params& params, bool& path_known) const;

  void add_session_routes();

  ApiContext& api_;
  SessionStore sessions_;
  TokenService& tokens_;
  AuditLog& audit_;
  FailureLimiter& limiter_;
  std::vector<Route> routes_;
};

// Kubernetes object names (DNS-1123 subdomains); anything else in a path is rejected with 400
// before a handler sees it, which rules out traversal ("..", "/", NUL) in names.
bool is_valid_object_name(const std::string& name);

}  // namespace rampart::server
