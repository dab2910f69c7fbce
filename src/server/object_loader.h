// API bodies carry Kubernetes objects as JSON; these go through the same loader and validator
// as YAML files (JSON is YAML), so the API accepts and rejects exactly what `rampart lint` does.
#pragma once

#include <string>

#include <nlohmann/json.hpp>

#include "engine/engine.h"
#include "server/api_context.h"
#include "spec/loader.h"

namespace rampart::server {

// Parses one object of the expected kind; throws ApiError(400) listing every problem.
spec::Document load_object(const nlohmann::json& object, spec::Kind expected, const std::string& what);

// The WorkflowTemplates of `ns` and every ClusterWorkflowTemplate, for templateRef and
// workflowTemplateRef: a workflow sees only its own namespace's templates.
engine::References namespace_references(const ApiContext& api, const std::string& ns);

// Admission under the namespace's policy: the object itself and every template it references.
// Throws ApiError(403) naming each rule that denies it; returns the warnings.
nlohmann::json admit_or_throw(const ApiContext& api, const std::string& ns, const spec::Document& document,
                              const engine::References& references);

// Validates `document` against the references; throws ApiError(400) listing every problem.
void validate_or_throw(const spec::Document& document, const engine::References& references);

}  // namespace rampart::server
