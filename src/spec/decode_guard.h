// Cheap checks on raw text before it reaches yaml-cpp, whose parser recurses once per nesting
// level: a document like `[[[[...` thousands deep would overflow the stack inside the library.
#pragma once

#include <cstddef>
#include <optional>
#include <string_view>

#include "common/diagnostic.h"

namespace rampart::spec {

// Larger inputs are refused outright: no workflow is this big, and parsing cost grows with size.
inline constexpr size_t kMaxDocumentBytes = 32u << 20;

// Finds the first point where the text nests deeper than `max_depth` levels, counting block
// indentation levels, `- ` / `? ` indicators and flow brackets. It over-estimates on purpose
// (it does not parse quoting perfectly), so a true answer means "too deep or nearly so".
// Block scalar bodies (after `|` or `>`) are skipped: scripts may contain any brackets.
std::optional<SourceLocation> find_excessive_nesting(std::string_view text, int max_depth);

// yaml-cpp 0.7 never returns on a value followed by a stray `,` at document level (`"a",` or
// `[a] ,`): its parser keeps starting empty documents at the same position. This runs the parser
// without building nodes and returns where it stalled, if it does. YAML syntax errors propagate
// as YAML::Exception, as they would from YAML::LoadAll.
std::optional<SourceLocation> find_stalled_parse(std::string_view text);

}  // namespace rampart::spec
