// A problem found in user input, pointing at the file, line and column where a person can fix it.
#pragma once

#include <string>
#include <vector>

namespace rampart {

// 1-based line and column in a source file; 0 means "unknown".
struct SourceLocation {
  int line = 0;
  int column = 0;
};

struct Diagnostic {
  std::string file;      // path as the user gave it
  SourceLocation where;  // position of the offending node (or of its parent when it is missing)
  std::string path;      // field path, e.g. spec.templates[2].dag.tasks[1].depends
  std::string message;   // what is wrong, and when useful how to fix it

  // "wf.yaml:14:9: spec.templates[2].dag.tasks[1].depends: unknown task "C""
  std::string to_string() const;
};

using Diagnostics = std::vector<Diagnostic>;

}  // namespace rampart
