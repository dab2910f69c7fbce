#include "server/object_loader.h"

#include <set>

#include "guard/admission.h"
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
  // Compact, not indented: JSON is YAML, and indentation costs two bytes per level for every
  // value, so a wide object near the depth limit would grow a hundredfold on its way to the
  // loader. Objects reaching here came through parse_untrusted_json (or from the store), so
  // copying and dumping them recurses at most kMaxJsonDepth levels.
  spec::LoadResult loaded = spec::load_string(copy.dump(-1, ' ', false, Json::error_handler_t::replace), what);
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

namespace {
void collect_refs(const Json& j, std::set<std::pair<std::string, bool>>& out) {
  if (j.is_object()) {
    for (const char* key : {"templateRef", "workflowTemplateRef"}) {
      if (j.contains(key) && j[key].is_object())
        out.emplace(j[key].value("name", ""), j[key].value("clusterScope", false));
    }
    for (const auto& [k, v] : j.items()) collect_refs(v, out);
  } else if (j.is_array()) {
    for (const auto& v : j) collect_refs(v, out);
  }
}
}  // namespace

Json admit_or_throw(const ApiContext& api, const std::string& ns, const spec::Document& document,
                    const engine::References& references) {
  if (!api.policy) throw ApiError(500, "no admission policy");
  const guard::PolicyRules& rules = api.policy->for_namespace(ns);
  guard::Admission all = guard::admit_object(rules, document.raw);
  std::set<std::pair<std::string, bool>> refs;
  collect_refs(document.raw, refs);
  for (const auto& d : references.documents) {
    bool cluster = d.kind == spec::Kind::ClusterWorkflowTemplate;
    if (!refs.count({d.metadata.name, cluster})) continue;
    for (auto decision : guard::admit_object(rules, d.raw).decisions) {
      decision.path = std::string(spec::to_string(d.kind)) + "/" + d.metadata.name + ":" + decision.path;
      all.decisions.push_back(std::move(decision));
    }
  }
  if (all.denied()) throw ApiError(403, all.denial_message());
  return all.to_json()["decisions"];
}

void validate_or_throw(const spec::Document& document, const engine::References& references) {
  spec::Library library;
  library.add(references.documents);
  Diagnostics problems = spec::validate(document, library);
  if (!problems.empty()) throw ApiError(400, joined(problems));
}

}  // namespace rampart::server
