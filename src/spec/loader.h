// Reading YAML files into typed documents: multi-document files, folders, strict field checks.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "common/diagnostic.h"
#include "spec/workflow.h"

namespace rampart::spec {

struct LoadResult {
  std::vector<Document> documents;       // kinds rampart runs or reads, in file order
  std::vector<SkippedDocument> skipped;  // other kinds (PersistentVolumeClaim, ...), listed not errors
  Diagnostics errors;                    // bad YAML, wrong types, unknown fields, unreadable files
  std::vector<std::string> files;        // every file read, in order

  void append(LoadResult&& other);
};

// Parses every document of `yaml`; `file` names it in diagnostics.
LoadResult load_string(std::string_view yaml, const std::string& file);

// Reads one file. An unreadable file is a diagnostic, not an exception.
LoadResult load_file(const std::string& path);

// Files are read as given; folders are walked recursively for *.yaml / *.yml / *.json, in sorted
// order, so a folder is loaded as a whole.
LoadResult load_paths(const std::vector<std::string>& paths);

}  // namespace rampart::spec
