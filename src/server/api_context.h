// What every API handler shares: where state lives, the runner of submitted workflows, and the
// helpers that shape Argo's JSON answers. Handlers are plain functions of a request.
#pragma once

#include <map>
#include <memory>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "common/secret_masker.h"
#include "net/http_message.h"
#include "server/access.h"
#include "store/store.h"

namespace rampart::server {

using Json = nlohmann::json;
using net::HttpRequest;
using net::HttpResponse;

class WorkflowRunner;
class ResourceFiles;
}  // namespace rampart::server
namespace rampart::guard {
struct Policy;
class AlertLog;
}  // namespace rampart::guard
namespace rampart::server {

struct ApiContext {
  std::string state_dir;
  std::string db;  // the store's location: a SQLite path or a postgres:// URL
  WorkflowRunner* runner = nullptr;
  ResourceFiles* resources = nullptr;
  const guard::Policy* policy = nullptr;  // admission policy (never null in a running server)
  guard::AlertLog* alerts = nullptr;
  std::string version;
  // Masks the secret values given to the server (--secret) in every response body and stream.
  // Null or empty: nothing to mask.
  std::shared_ptr<const SecretMasker> masker;

  // A Store for the calling thread (SQLite connections are per thread).
  store::Store& store() const;
};

// Path parameters of a matched route, e.g. {"namespace": "argo", "name": "hello"}.
using Params = std::map<std::string, std::string>;

struct Call {
  const ApiContext& api;
  const HttpRequest& request;
  const Params& params;
  const Subject& subject;
  std::string& audit_object;            // set by handlers to "namespace/name" of what they acted on
  const std::string* bearer = nullptr;  // the token this request was authenticated with
  bool via_session = false;             // authenticated by a browser session cookie

  const std::string& param(const std::string& key) const;
};

// Argo's error body: {"code": <gRPC code>, "message": "..."} with the matching HTTP status.
HttpResponse error_response(int http_status, const std::string& message);
HttpResponse json_response(const Json& body, int http_status = 200);
// The request body as a JSON object, parsed with parse_untrusted_json (common/bounded_json.h):
// nesting is bounded to kMaxJsonDepth inside the parse, so every handler may copy, dump and
// walk the result recursively. Throws ApiError 415 for another Content-Type, 400 (naming the
// depth limit, or where the syntax broke) for anything but a JSON object. The transport has
// already bounded the body's size (HttpServerOptions::body_limit).
Json parse_body(const HttpRequest& request);

// Thrown by handlers for expected failures; the router turns it into error_response.
struct ApiError : std::runtime_error {
  int status;
  ApiError(int s, const std::string& message) : std::runtime_error(message), status(s) {}
};

bool is_finished_phase(const std::string& phase);

// Bumped after every request that may have written (any method but GET), so that per-thread
// read caches notice writes made through this process's own connections, which SQLite's
// data_version does not report to the connection that made them.
uint64_t write_generation();
void bump_write_generation();

}  // namespace rampart::server
