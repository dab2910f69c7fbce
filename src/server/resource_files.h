// WorkflowTemplates, ClusterWorkflowTemplates and CronWorkflows submitted through the API, kept
// as one JSON file each under <state>/resources/<kind>/<namespace>/<name>.json (written to a
// temporary file and renamed, so a crash never leaves half an object).
#pragma once

#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace rampart::server {

class ResourceFiles {
 public:
  explicit ResourceFiles(std::string root);

  // kind: "workflowtemplates", "clusterworkflowtemplates", "cronworkflows".
  // Cluster-scoped kinds use namespace "".
  std::vector<nlohmann::json> list(const std::string& kind, const std::string& ns);
  std::optional<nlohmann::json> get(const std::string& kind, const std::string& ns, const std::string& name);
  void put(const std::string& kind, const std::string& ns, const std::string& name, const nlohmann::json& object);
  bool remove(const std::string& kind, const std::string& ns, const std::string& name);

 private:
  std::string path_of(const std::string& kind, const std::string& ns, const std::string& name) const;
  std::mutex mutex_;
  std::string root_;
};

}  // namespace rampart::server
