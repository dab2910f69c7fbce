// Argo's validation rules over parsed documents: references resolve, DAGs are acyclic,
// expressions parse, durations and quantities are well-formed, parameters can be resolved.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "common/diagnostic.h"
#include "spec/loader.h"

namespace rampart::spec {

// The templates and config maps that templateRef, workflowTemplateRef and configMapKeyRef may
// point into: every WorkflowTemplate, ClusterWorkflowTemplate and ConfigMap that was loaded.
struct Library {
  std::map<std::string, const Document*, std::less<>> workflow_templates;
  std::map<std::string, const Document*, std::less<>> cluster_workflow_templates;
  std::map<std::string, const Document*, std::less<>> config_maps;

  // Indexes the given documents (pointers must outlive the library). Later documents with the
  // same name replace earlier ones.
  void add(const std::vector<Document>& documents);
};

// Validates one document against the library. Returns every problem found (not just the first).
Diagnostics validate(const Document& document, const Library& library);

// Validates everything in `loaded` as a whole: templateRefs resolve against any file in it.
// Includes loaded.errors first. Duplicate names of the same kind are reported here.
Diagnostics validate_all(const LoadResult& loaded);

}  // namespace rampart::spec
