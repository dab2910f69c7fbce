#include "server/api_context.h"

#include <atomic>
#include <filesystem>
#include <unordered_map>

#include "common/bounded_json.h"

namespace rampart::server {

store::Store& ApiContext::store() const {
  // One connection per (thread, database): SQLite handles must not be shared across threads,
  // and opening one per request would cost more than most requests.
  thread_local std::unordered_map<std::string, std::unique_ptr<store::Store>> stores;
  std::string location = db.empty() ? (std::filesystem::path(state_dir) / "rampart.db").string() : db;
  auto& slot = stores[location];
  if (!slot) slot = store::open_store(location);
  return *slot;
}

const std::string& Call::param(const std::string& key) const {
  static const std::string empty;
  auto it = params.find(key);
  return it == params.end() ? empty : it->second;
}

namespace {
// gRPC status codes, which Argo's JSON errors carry.
int grpc_code(int http_status) {
  switch (http_status) {
    case 400: return 3;   // InvalidArgument
    case 401: return 16;  // Unauthenticated
    case 403: return 7;   // PermissionDenied
    case 404: return 5;   // NotFound
    case 409: return 6;   // AlreadyExists
    case 413: return 8;   // ResourceExhausted
    case 429: return 8;
    case 501: return 12;  // Unimplemented
    default: return http_status >= 500 ? 13 : 2;
  }
}
}  // namespace

HttpResponse error_response(int http_status, const std::string& message) {
  return json_response(Json{{"code", grpc_code(http_status)}, {"message", message}}, http_status);
}

HttpResponse json_response(const Json& body, int http_status) {
  HttpResponse r;
  r.status = http_status;
  // Invalid UTF-8 that slipped into stored data is replaced, never a failed response.
  r.body = body.dump(-1, ' ', false, Json::error_handler_t::replace);
  return r;
}

Json parse_body(const HttpRequest& request) {
  std::string type = request.header("content-type");
  if (!type.empty() && type.find("application/json") == std::string::npos) {
    throw ApiError(415, "expected Content-Type application/json, got \"" + type.substr(0, 64) + "\"");
  }
  if (request.body.empty()) throw ApiError(400, "request body is empty; expected a JSON object");
  Json body;
  try {
    body = parse_untrusted_json(request.body);
  } catch (const JsonInputError& e) {
    throw ApiError(400, std::string("request body: ") + e.what());
  }
  if (!body.is_object()) throw ApiError(400, "request body must be a JSON object");
  return body;
}

namespace {
std::atomic<uint64_t> generation{0};
}  // namespace

uint64_t write_generation() { return generation.load(); }
void bump_write_generation() { ++generation; }

bool is_finished_phase(const std::string& phase) {
  return phase == "Succeeded" || phase == "Failed" || phase == "Error";
}

}  // namespace rampart::server
