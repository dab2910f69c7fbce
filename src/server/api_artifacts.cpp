// Argo's artifact download routes, served from the local artifact repository:
//   GET /artifacts/{namespace}/{name}/{nodeId}/{artifactName}            (outputs)
//   GET /input-artifacts/{namespace}/{name}/{nodeId}/{artifactName}
//   GET /artifacts-by-uid/{uid}/{nodeId}/{artifactName}
//   GET /input-artifacts-by-uid/{uid}/{nodeId}/{artifactName}
//   GET /artifact-files/{namespace}/{idDiscriminator}/{id}/{nodeId}/{artifactDiscriminator}/{artifactName}
// Viewer role in the workflow's namespace, like reading the workflow (a workflow found by uid
// in a namespace the caller cannot see is 404, as if it did not exist). Artifacts are content
// written by steps, that is by users: they are always served as downloads that a browser will
// not render or run (CVE-2022-29164, CVE-2026-23960): application/octet-stream, attachment,
// nosniff, and a CSP sandbox that allows nothing.
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <memory>

#include "common/object_names.h"
#include "engine/artifact_repository.h"
#include "engine/engine.h"
#include "server/api_routes.h"

namespace rampart::server {

namespace {

constexpr size_t kInlineBytes = 8 << 20;  // larger artifacts are streamed in chunks of this size

struct Wanted {
  store::WorkflowRecord record;
  std::string node_id, artifact, side;  // side: "outputs" or "inputs"
};

// The repository key of the artifact on the node, or nullopt.
std::optional<std::string> key_of(const Json& node, const std::string& side, const std::string& artifact) {
  const Json& list = node.value(side, Json::object()).value("artifacts", Json::array());
  for (const auto& a : list) {
    if (!a.is_object() || a.value("name", "") != artifact) continue;
    Json source = a;
    if (a.contains("from") && a["from"].is_string()) source = Json::parse(a["from"].get<std::string>(), nullptr, false);
    if (!source.is_object()) return std::nullopt;
    const Json& s3 = source.value("s3", Json::object());
    if (s3.is_object() && s3.contains("key") && s3["key"].is_string()) return s3["key"].get<std::string>();
  }
  return std::nullopt;
}

std::string download_name(const std::string& artifact, int fd) {
  unsigned char magic[2] = {0, 0};
  bool gzip = ::pread(fd, magic, 2, 0) == 2 && magic[0] == 0x1f && magic[1] == 0x8b;
  return gzip ? artifact + ".tgz" : artifact;
}

HttpResponse serve(Call& call, const Wanted& w) {
  const std::string& ns = w.record.namespace_;
  call.audit_object = ns + "/" + w.record.name;
  Json wf = engine::Engine::workflow_object(call.api.store(), ns, w.record.name);
  const Json& nodes = wf.value("status", Json::object()).value("nodes", Json::object());
  if (!nodes.contains(w.node_id)) throw ApiError(404, "node " + shown_name(w.node_id) + " not found");
  auto key = key_of(nodes[w.node_id], w.side, w.artifact);
  if (!key) throw ApiError(404, "artifact " + shown_name(w.artifact) + " not found on node " + shown_name(w.node_id));
  std::string error;
  engine::ArtifactRepository repository(std::filesystem::path(call.api.state_dir) / "artifacts", ns);
  auto fd = std::make_shared<UniqueFd>(repository.open(*key, &error));
  struct stat st {};
  if (!*fd || ::fstat(fd->get(), &st) != 0 || !S_ISREG(st.st_mode)) {
    throw ApiError(404, "artifact " + shown_name(w.artifact) +
                            " is not in the artifact repository (a directory stored unarchived cannot be downloaded)");
  }
  HttpResponse r;
  r.content_type = "application/octet-stream";
  r.headers.emplace_back("Content-Disposition",
                         "attachment; filename=\"" + download_name(w.artifact, fd->get()) + "\"");
  r.headers.emplace_back("X-Content-Type-Options", "nosniff");
  r.headers.emplace_back("Content-Security-Policy", "sandbox; default-src 'none'");
  r.headers.emplace_back("X-Frame-Options", "DENY");
  auto read_chunk = [fd](std::string& out) {
    std::string chunk(kInlineBytes, '\0');
    ssize_t n = ::read(fd->get(), chunk.data(), chunk.size());
    if (n > 0) out.append(chunk.data(), static_cast<size_t>(n));
    return n > 0;
  };
  if (static_cast<size_t>(st.st_size) <= kInlineBytes) {
    read_chunk(r.body);
  } else {
    r.stream = read_chunk;
    r.stream_interval_ms = 0;
  }
  return r;
}

store::WorkflowRecord by_name(Call& call) {
  auto record = call.api.store().get_workflow(call.param("namespace"), call.param("name"));
  if (!record) throw ApiError(404, "workflow " + shown_name(call.param("name")) + " not found");
  return *record;
}

store::WorkflowRecord by_uid(Call& call, const std::string& uid) {
  for (auto& record : call.api.store().list_workflows(store::ListFilter{})) {
    if (record.uid != uid) continue;
    if (!call.subject.can(record.namespace_, Role::Viewer)) break;  // as if it did not exist
    return record;
  }
  throw ApiError(404, "workflow with uid " + shown_name(uid) + " not found");
}

HttpResponse artifact_files(Call& call) {
  const std::string& id_kind = call.param("idDiscriminator");
  const std::string& side = call.param("artifactDiscriminator");
  if (side != "outputs" && side != "inputs") throw ApiError(400, "artifactDiscriminator must be outputs or inputs");
  store::WorkflowRecord record;
  if (id_kind == "workflow") {
    auto found = call.api.store().get_workflow(call.param("namespace"), call.param("id"));
    if (!found) throw ApiError(404, "workflow " + shown_name(call.param("id")) + " not found");
    record = *found;
  } else if (id_kind == "archived-workflows") {
    record = by_uid(call, call.param("id"));
    if (record.namespace_ != call.param("namespace")) throw ApiError(404, "workflow not found in this namespace");
  } else {
    throw ApiError(400, "idDiscriminator must be workflow or archived-workflows");
  }
  return serve(call, {record, call.param("nodeId"), call.param("artifactName"), side});
}

}  // namespace

bool is_artifact_path(const std::string& path) {
  for (const char* prefix :
       {"/artifacts/", "/input-artifacts/", "/artifacts-by-uid/", "/input-artifacts-by-uid/", "/artifact-files/"}) {
    if (path.rfind(prefix, 0) == 0) return true;
  }
  return false;
}

void add_artifact_routes(Router& router) {
  for (const auto& [prefix, side] : {std::pair{"/artifacts", "outputs"}, std::pair{"/input-artifacts", "inputs"}}) {
    std::string which = side;
    router.add({"GET", std::string(prefix) + "/{namespace}/{name}/{nodeId}/{artifactName}", Role::Viewer,
                Scope::Namespaced, [which](Call& call) {
                  return serve(call, {by_name(call), call.param("nodeId"), call.param("artifactName"), which});
                }});
    router.add({"GET", std::string(prefix) + "-by-uid/{uid}/{nodeId}/{artifactName}", Role::Viewer, Scope::Any,
                [which](Call& call) {
                  return serve(
                      call, {by_uid(call, call.param("uid")), call.param("nodeId"), call.param("artifactName"), which});
                }});
  }
  router.add({"GET",
              "/artifact-files/{namespace}/{idDiscriminator}/{id}/{nodeId}/{artifactDiscriminator}/{artifactName}",
              Role::Viewer, Scope::Namespaced, artifact_files});
}

}  // namespace rampart::server
