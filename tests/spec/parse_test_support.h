// Helpers shared by the parse_* tests.
#pragma once

#include <string>

#include "spec/loader.h"

namespace rampart::spec::testing {

inline const std::string kCorpusDir = RAMPART_SOURCE_DIR "/../shared/conformance/examples";
inline const std::string kValidDir = RAMPART_SOURCE_DIR "/tests/spec/data/parse/valid";

// All diagnostics, one per line, for readable assertion failures.
inline std::string dump(const Diagnostics& errors) {
  std::string out;
  for (const Diagnostic& d : errors) out += d.to_string() + "\n";
  return out;
}

}  // namespace rampart::spec::testing
