// The text of `rampart get`, and of the end of `rampart run`, for a workflow in the store.
#pragma once

#include <cstddef>
#include <optional>
#include <string>

#include "common/secret_masker.h"
#include "store/store.h"

namespace rampart::cli {

// The workflow's summary and node tree (see render_workflow), its nodes read from the store one
// at a time and kept only as tree nodes, so memory grows with what the tree needs, not with the
// nodes' JSON. `masker` (may be null) masks secrets in every field shown. Nullopt: no such
// workflow.
std::optional<std::string> render_stored_workflow(store::Store& store, const std::string& ns, const std::string& name,
                                                  size_t width, bool all, const SecretMasker* masker);

}  // namespace rampart::cli
