// Decoding of ListFilter::continue_after (encoded by continue_token() in store.h).
#pragma once

#include <optional>
#include <string>
#include <utility>

#include "store/store.h"

namespace rampart::store {

// The (namespace, name) key a listing resumes after, or nullopt when the filter starts at the
// beginning. Throws std::invalid_argument for a bare name when listing all namespaces, where a
// name alone does not say where to resume.
std::optional<std::pair<std::string, std::string>> resume_key(const ListFilter& filter);

}  // namespace rampart::store
