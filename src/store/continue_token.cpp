#include "store/continue_token.h"

#include <stdexcept>

namespace rampart::store {

// Kubernetes namespaces and names cannot contain '/', so the first '/' separates them.
std::string continue_token(const WorkflowRecord& last) { return last.namespace_ + "/" + last.name; }

std::optional<std::pair<std::string, std::string>> resume_key(const ListFilter& filter) {
  const std::string& token = filter.continue_after;
  if (token.empty()) return std::nullopt;
  const auto slash = token.find('/');
  if (slash != std::string::npos) return std::pair{token.substr(0, slash), token.substr(slash + 1)};
  if (filter.namespace_.empty()) {
    throw std::invalid_argument(
        "continue_after must be \"namespace/name\" (see continue_token) when listing all namespaces");
  }
  return std::pair{filter.namespace_, token};
}

}  // namespace rampart::store
