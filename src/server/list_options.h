// Kubernetes list options as Argo's API takes them: label selectors, field selectors on
// metadata.name / metadata.namespace, and the `fields` projection of the response.
#pragma once

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace rampart::server {

// "app=web,tier!=db,env in (a,b),!legacy,owner". Throws ApiError(400) on malformed input.
class LabelSelector {
 public:
  explicit LabelSelector(const std::string& text);
  bool matches(const nlohmann::json& labels) const;  // labels: object of strings (or null)
  bool empty() const { return terms_.empty(); }

 private:
  struct Term {
    std::string key;
    enum Op { Equals, NotEquals, In, NotIn, Exists, NotExists } op;
    std::vector<std::string> values;
  };
  std::vector<Term> terms_;
};

// "metadata.name=hello,metadata.namespace=argo" (also "!="). Other fields are a 400.
struct FieldSelector {
  explicit FieldSelector(const std::string& text);
  bool matches(const std::string& ns, const std::string& name) const;
  std::vector<std::pair<std::string, std::pair<bool, std::string>>> terms;  // field -> (equal?, value)
};

// Keeps only the listed dotted paths ("items.metadata.name,metadata.continue"); a leading '-'
// on the whole list removes them instead. Arrays are walked through.
nlohmann::json project_fields(const nlohmann::json& object, const std::string& fields);
// Whether project_fields(object, fields) can keep anything at or below the dotted `path`
// ("items.status.nodes"), so a list can skip reading what the caller will not get.
bool projection_keeps(const std::string& fields, const std::string& path);

}  // namespace rampart::server
