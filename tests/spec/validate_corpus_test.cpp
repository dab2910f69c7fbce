// Every example of the conformance corpus is a workflow Argo accepts, so validation of the
// whole folder (templateRefs resolving across files) must find nothing.
#include <gtest/gtest.h>

#include "spec/loader.h"
#include "spec/validate.h"

namespace rampart::spec {
namespace {

const std::string kCorpus = RAMPART_SOURCE_DIR "/../shared/conformance/examples";

TEST(ValidateCorpus, ArgoExamplesHaveNoDiagnostics) {
  const LoadResult loaded = load_paths({kCorpus});
  ASSERT_GE(loaded.documents.size(), 89u);
  std::string report;
  for (const auto& diagnostic : validate_all(loaded)) report += diagnostic.to_string() + "\n";
  EXPECT_EQ(report, "");
}

TEST(ValidateCorpus, TemplateRefsResolveOnlyWithTheirLibrary) {
  // Without the support files, the cluster template examples must fail to resolve.
  const LoadResult loaded = load_paths({kCorpus + "/cluster-workflow-template/cluster-wftmpl-dag.yaml"});
  const Diagnostics found = validate_all(loaded);
  ASSERT_FALSE(found.empty());
  EXPECT_NE(found.front().message.find("ClusterWorkflowTemplate \"cluster-workflow-template-print-message\" not found"),
            std::string::npos)
      << found.front().to_string();
}

}  // namespace
}  // namespace rampart::spec
