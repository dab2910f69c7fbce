// POST /api/v1/workflows/{ns}/lint-yaml {"yaml": "<text>"}: rampart's own route for the
// dashboard's submit page. Argo's lint takes a parsed object, which loses the positions; this
// one parses the text the user typed with the same YAML loader as `rampart lint` (and as the
// server itself), so every problem comes back with its line and column, and the parsed workflow
// comes back as the object to submit. Viewer role, like Argo's lint: it changes nothing.
#include "server/api_routes.h"
#include "server/object_loader.h"
#include "spec/validate.h"

namespace rampart::server {

namespace {

constexpr size_t kMaxProblems = 200;

Json problem(const Diagnostic& d) {
  return {{"line", d.where.line}, {"column", d.where.column}, {"path", d.path}, {"message", d.message}};
}

HttpResponse lint_yaml(Call& call) {
  Json body = parse_body(call.request);
  if (!body.contains("yaml") || !body["yaml"].is_string()) throw ApiError(400, "body must have a \"yaml\" string");
  spec::LoadResult loaded = spec::load_string(body["yaml"].get<std::string>(), "workflow.yaml");
  Diagnostics problems = loaded.errors;
  Json workflow;
  if (problems.empty()) {
    if (loaded.documents.size() != 1 || loaded.documents[0].kind != spec::Kind::Workflow) {
      Diagnostic d;
      d.where = {1, 1};
      d.message = "expected exactly one Workflow document";
      problems.push_back(d);
    } else {
      const spec::Document& doc = loaded.documents[0];
      engine::References refs = namespace_references(call.api, call.param("namespace"));
      spec::Library library;
      library.add(refs.documents);
      problems = spec::validate(doc, library);
      workflow = doc.raw;
    }
  }
  Json out = Json::array();
  for (const auto& d : problems) {
    if (out.size() == kMaxProblems) break;
    out.push_back(problem(d));
  }
  Json answer = {{"valid", problems.empty()}, {"errors", out}};
  if (problems.empty()) answer["workflow"] = workflow;
  return json_response(answer);
}

}  // namespace

void add_lint_yaml_route(Router& router) {
  router.add({"POST", "/api/v1/workflows/{namespace}/lint-yaml", Role::Viewer, Scope::Namespaced, lint_yaml});
}

}  // namespace rampart::server
