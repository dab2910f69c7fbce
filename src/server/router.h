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
  std::string method;    // GET, POST, PUT, DELETE
  std::string pattern;   // e.g. /api/v1/workflows/{namespace}/{name}; {x} matches one segment
  Role role;             // the least role needed
  Scope scope;
  Handler handler;
};

class Router {
 public:
  Router(ApiContext& api, TokenService& tokens, AuditLog& audit, FailureLimiter& limiter);

  void add(Route route);
  const std::vector<Route>& routes() const { return routes_; }

  HttpResponse handle(net::HttpRequest& request);

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
