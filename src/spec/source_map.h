// Where each field of a parsed document came from, so that any later check (validation,
// admission policy, the engine's own errors) can point a person at file:line:column.
#pragma once

#include <string>
#include <string_view>
#include <unordered_map>

#include "common/diagnostic.h"

namespace rampart::spec {

class SourceMap {
 public:
  SourceMap() = default;
  explicit SourceMap(std::string file) : file_(std::move(file)) {}

  const std::string& file() const { return file_; }
  int document_index() const { return document_index_; }
  void set_document_index(int index) { document_index_ = index; }

  // Records the position of the node at `path` (e.g. "spec.templates[2].dag.tasks[1].depends").
  void add(std::string path, SourceLocation where) { locations_[std::move(path)] = where; }

  // Position of `path`; when it is absent (a missing field), the position of its nearest
  // recorded ancestor, so an error about a missing field points at the object that lacks it.
  SourceLocation find(std::string_view path) const;

  // A diagnostic for `path` with this map's file and the best known position.
  Diagnostic diagnose(std::string path, std::string message) const;

 private:
  std::string file_;
  int document_index_ = 0;
  std::unordered_map<std::string, SourceLocation> locations_;
};

}  // namespace rampart::spec
