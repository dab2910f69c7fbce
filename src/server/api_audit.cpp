// GET /api/v1/audit?limit=N: the newest audit records (as in audit.jsonl), for the dashboard's
// audit page. Admins bound in every namespace only: the log names every subject and object.
// Not an Argo route; Argo has no audit log.
#include <algorithm>
#include <filesystem>
#include <fstream>

#include "server/api_routes.h"

namespace rampart::server {

namespace {

constexpr std::streamoff kTailBytes = 4 * 1024 * 1024;  // enough for the newest 5,000 records

HttpResponse audit_records(Call& call) {
  if (!call.subject.can("*", Role::Admin))
    throw ApiError(403, "permission denied: admin role needed in every namespace");
  int64_t limit = 500;
  std::string text = call.request.query_value("limit");
  if (!text.empty()) {
    try {
      limit = std::stoll(text);
    } catch (const std::exception&) {
      throw ApiError(400, "limit must be a number");
    }
  }
  limit = std::clamp<int64_t>(limit, 1, 5000);
  std::ifstream in(std::filesystem::path(call.api.state_dir) / "audit.jsonl", std::ios::binary);
  std::vector<std::string> lines;
  if (in) {
    in.seekg(0, std::ios::end);
    std::streamoff size = in.tellg();
    std::streamoff start = size > kTailBytes ? size - kTailBytes : 0;
    in.seekg(start);
    std::string line;
    if (start > 0) std::getline(in, line);  // a partial first line
    while (std::getline(in, line)) {
      if (!line.empty()) lines.push_back(std::move(line));
    }
  }
  Json items = Json::array();
  size_t first = lines.size() > static_cast<size_t>(limit) ? lines.size() - limit : 0;
  for (size_t i = first; i < lines.size(); ++i) {
    Json record = Json::parse(lines[i], nullptr, false);
    if (!record.is_discarded()) items.push_back(std::move(record));
  }
  return json_response({{"items", items}});
}

}  // namespace

void add_audit_routes(Router& router) { router.add({"GET", "/api/v1/audit", Role::Viewer, Scope::Any, audit_records}); }

}  // namespace rampart::server
