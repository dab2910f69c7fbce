// Pointing inside a scalar: a bad character in `depends: "A && (B"` is reported at its own
// column, not at the start of the value. The source map knows where each value starts; whether
// it is written plain, quoted or as a block is read back from the file when it can be.
#include <fstream>

#include "spec/validate_internal.h"

namespace rampart::spec::validation {
namespace {

// Line `number` (1-based) of `file`, or nullopt when the file cannot be read (e.g. the
// document came from a string).
std::optional<std::string> read_line(const std::string& file, int number) {
  std::ifstream in(file, std::ios::binary);
  if (!in) return std::nullopt;
  std::string line;
  for (int i = 1; std::getline(in, line); ++i) {
    if (i == number) return line;
  }
  return std::nullopt;
}

// How many columns separate the start of the value from its first character, or nullopt when
// the value is not on one line with its start (block scalars, or text past the line's end).
std::optional<int> content_shift(const std::optional<std::string>& line, int column, size_t offset) {
  if (!line) return 0;  // unknown source: assume a plain scalar
  const size_t start = static_cast<size_t>(column - 1);
  if (start >= line->size()) return std::nullopt;
  const char first = (*line)[start];
  if (first == '|' || first == '>') return std::nullopt;
  const int shift = (first == '"' || first == '\'') ? 1 : 0;
  if (start + shift + offset >= line->size()) return std::nullopt;
  return shift;
}

}  // namespace

void Checker::report_at(std::string path, size_t offset, std::string message) const {
  Diagnostic diagnostic = doc.source.diagnose(std::move(path), std::move(message));
  // A path that was not recorded falls back to its parent: then there is no value to point into.
  const std::string& recorded = diagnostic.path;
  const size_t cut = recorded.find_last_of(".[");
  const SourceLocation parent = doc.source.find(cut == std::string::npos ? std::string() : recorded.substr(0, cut));
  const bool exact = parent.line != diagnostic.where.line || parent.column != diagnostic.where.column;
  if (diagnostic.where.line > 0 && exact) {
    const auto shift =
        content_shift(read_line(doc.source.file(), diagnostic.where.line), diagnostic.where.column, offset);
    if (shift) diagnostic.where.column += *shift + static_cast<int>(offset);
  }
  out.push_back(std::move(diagnostic));
}

}  // namespace rampart::spec::validation
