#include "server/object_loader.h"

#include "server/resource_files.h"
#include "spec/validate.h"

namespace rampart::server {

namespace {
std::string joined(const Diagnostics& problems) {
  std::string out;
  for (const auto& d : problems) {
    if (!out.empty()) out += "; ";
    out += d.to_string();
    if (out.size() > 4000) break;
  }
  return out;
}
}  // namespace

spec::Document load_object(const nlohmann::json& object, spec::Kind expected, const std::string& what) {
  if (!object.is_object()) throw ApiError(400, what + " must be a JSON object");
  Json copy = object;
  if (!copy.contains("apiVersion")) copy["apiVersion"] = "argoproj.io/v1alpha1";
  if (!copy.contains("kind")) copy["kind"] = spec::to_string(expected);
  // Fields the API server fills in are not part of what a client may set.
  if (copy.contains("metadata") && copy["metadata"].is_object()) {
    for (const char* k : {"uid", "resourceVersion", "creationTimestamp", "managedFields", "generation", "selfLink"}) {
      copy["metadata"].erase(k);
    }
  }
  copy.erase("status");
  spec::LoadResult loaded = spec::load_string(copy.dump(2, ' ', false, Json::error_handler_t::replace), what);
  if (!loaded.errors.empty()) throw ApiError(400, joined(loaded.errors));
  if (loaded.documents.size() != 1 || loaded.documents[0].kind != expected) {
    throw ApiError(400, what + ": expected one " + spec::to_string(expected));
  }
  return std::move(loaded.documents[0]);
}

engine::References namespace_references(const ApiContext& api, const std::string& ns) {
  engine::References refs;
  auto add = [&](const std::string& kind, const std::string& scope, spec::Kind expected) {
    for (const auto& object : api.resources->list(kind, scope)) {
      try {
        refs.documents.push_back(load_object(object, expected, kind));
      } catch (const ApiError&) {
        // Stored objects were valid when stored; a later, stricter rule must not break all runs.
      }
    }
  };
  add("workflowtemplates", ns, spec::Kind::WorkflowTemplate);
  add("clusterworkflowtemplates", "", spec::Kind::ClusterWorkflowTemplate);
  return refs;
}

void validate_or_throw(const spec::Document& document, const engine::References& references) {
  spec::Library library;
  library.add(references.documents);
  Diagnostics problems = spec::validate(document, library);
  if (!problems.empty()) throw ApiError(400, joined(problems));
}

}  // namespace rampart::server
