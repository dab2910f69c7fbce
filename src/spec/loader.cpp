// Reading files into documents: YAML parsing, kind dispatch, schema check, decoding.
#include "spec/loader.h"

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <memory>

#include <yaml-cpp/yaml.h>

#include "spec/decode.h"
#include "spec/decode_guard.h"
#include "spec/schema.h"

namespace rampart::spec {

namespace {

constexpr const char* kArgoApiVersion = "argoproj.io/v1alpha1";

struct KnownKind {
  const char* name;
  Kind kind;
  const char* api_version;
};

constexpr KnownKind kKnownKinds[] = {
    {"Workflow", Kind::Workflow, kArgoApiVersion},
    {"WorkflowTemplate", Kind::WorkflowTemplate, kArgoApiVersion},
    {"ClusterWorkflowTemplate", Kind::ClusterWorkflowTemplate, kArgoApiVersion},
    {"CronWorkflow", Kind::CronWorkflow, kArgoApiVersion},
    {"ConfigMap", Kind::ConfigMap, "v1"},
};

// Aliases can make a few bytes expand into a huge tree ("billion laughs"); a legitimate
// document reuses anchors only a few times, so its expanded size stays near its text size.
size_t node_budget(size_t text_bytes) { return 100'000 + 50 * text_bytes; }

Diagnostic problem(const std::string& file, SourceLocation where, std::string path, std::string message) {
  return {file, where, std::move(path), std::move(message)};
}

// A yaml-cpp parse error as a diagnostic. yaml-cpp reports a tab used for indentation as an
// unrelated error somewhere on the line; say what is wrong and point at the tab.
Diagnostic yaml_error(std::string_view text, const std::string& file, const YAML::Exception& e) {
  Diagnostic d{file, {}, "", "invalid YAML: " + e.msg};
  if (e.mark.is_null() || e.mark.line < 0) return d;
  d.where = {e.mark.line + 1, e.mark.column + 1};
  size_t start = 0;
  for (int line = 0; line < e.mark.line && start != std::string_view::npos; ++line) {
    start = text.find('\n', start);
    if (start != std::string_view::npos) ++start;
  }
  for (size_t i = start; start != std::string_view::npos && i < text.size(); ++i) {
    if (text[i] == '\t') {
      d.where.column = static_cast<int>(i - start) + 1;
      d.message = "invalid YAML: tabs are not allowed for indentation";
      break;
    }
    if (text[i] != ' ') break;
  }
  return d;
}

const KnownKind* find_kind(std::string_view name) {
  for (const KnownKind& known : kKnownKinds) {
    if (name == known.name) return &known;
  }
  return nullptr;
}

// An argoproj.io document whose kind is one letter off an Argo kind is a typo, not a kind to skip.
const KnownKind* misspelled_argo_kind(std::string_view api_version, std::string_view name) {
  if (api_version.rfind("argoproj.io/", 0) != 0) return nullptr;
  for (const KnownKind& known : kKnownKinds) {
    if (known.kind != Kind::ConfigMap && edit_distance(name, known.name) <= 2) return &known;
  }
  return nullptr;
}

void load_document(const YAML::Node& node, int index, const std::string& file, size_t text_bytes, LoadResult& result) {
  if (!node.IsDefined() || node.IsNull()) return;  // empty document, e.g. a trailing `---`
  const SourceLocation start = location_of(node);
  if (!node.IsMap()) {
    result.errors.push_back(
        problem(file, start, "", "a document must be a map with apiVersion and kind, got " + describe(node)));
    return;
  }
  const Fields fields(node);
  const YAML::Node kind_node = fields.get("kind");
  const YAML::Node api_node = fields.get("apiVersion");
  for (const auto& [key, value] : {std::pair{"kind", kind_node}, std::pair{"apiVersion", api_node}}) {
    if (!value.IsDefined()) {
      result.errors.push_back(problem(file, start, "", std::string("missing required field \"") + key + "\""));
      return;
    }
    if (!value.IsScalar()) {
      result.errors.push_back(problem(file, location_of(value), key, "expected a string, got " + describe(value)));
      return;
    }
  }
  const std::string& kind_name = kind_node.Scalar();
  const std::string& api_version = api_node.Scalar();
  const KnownKind* known = find_kind(kind_name);
  if (!known) {
    if (const KnownKind* intended = misspelled_argo_kind(api_version, kind_name)) {
      result.errors.push_back(problem(file, location_of(kind_node), "kind",
                                      "unknown kind \"" + kind_name + "\" (did you mean \"" + intended->name + "\"?)"));
      return;
    }
    SkippedDocument skipped{file, index, start, api_version, kind_name, ""};
    if (const YAML::Node metadata = fields.get("metadata"); metadata.IsMap()) {
      if (const YAML::Node name = Fields(metadata).get("name"); name.IsScalar()) {
        skipped.name = name.Scalar();
      }
    }
    result.skipped.push_back(std::move(skipped));
    return;
  }
  if (api_version != known->api_version) {
    result.errors.push_back(problem(file, location_of(api_node), "apiVersion",
                                    "apiVersion \"" + api_version + "\" is not supported for kind " + kind_name +
                                        " (expected \"" + known->api_version + "\")"));
    return;
  }
  Diagnostics errors = Schema::argo().check(node, kind_name, file, "", node_budget(text_bytes));
  if (!errors.empty()) {
    result.errors.insert(result.errors.end(), std::make_move_iterator(errors.begin()),
                         std::make_move_iterator(errors.end()));
    return;
  }
  result.documents.push_back(decode_document(node, known->kind, file, index));
}

void load_text(std::string_view text, const std::string& file, LoadResult& result) {
  if (text.size() > kMaxDocumentBytes) {
    result.errors.push_back(problem(file, {}, "",
                                    "file too large: " + std::to_string(text.size()) + " bytes (the limit is " +
                                        std::to_string(kMaxDocumentBytes >> 20) + " MiB)"));
    return;
  }
  if (auto where = find_excessive_nesting(text, kMaxNestingDepth)) {
    result.errors.push_back(
        problem(file, *where, "", "invalid YAML: nesting deeper than " + std::to_string(kMaxNestingDepth) + " levels"));
    return;
  }
  std::vector<YAML::Node> documents;
  try {
    if (auto where = find_stalled_parse(text)) {
      result.errors.push_back(problem(file, *where, "", "invalid YAML: unexpected \",\" after a complete value"));
      return;
    }
    documents = YAML::LoadAll(std::string(text));
  } catch (const YAML::Exception& e) {
    result.errors.push_back(yaml_error(text, file, e));
    return;
  }
  for (size_t i = 0; i < documents.size(); ++i) {
    load_document(documents[i], static_cast<int>(i), file, text.size(), result);
  }
}

bool is_manifest_file(const std::filesystem::path& path) {
  const std::string extension = path.extension().string();
  return extension == ".yaml" || extension == ".yml" || extension == ".json";
}

}  // namespace

void LoadResult::append(LoadResult&& other) {
  auto move_all = [](auto& into, auto& from) {
    into.insert(into.end(), std::make_move_iterator(from.begin()), std::make_move_iterator(from.end()));
    from.clear();
  };
  move_all(documents, other.documents);
  move_all(skipped, other.skipped);
  move_all(errors, other.errors);
  move_all(files, other.files);
}

LoadResult load_string(std::string_view yaml, const std::string& file) {
  LoadResult result;
  result.files.push_back(file);
  // The loader reports problems; it never throws, whatever the input.
  try {
    load_text(yaml, file, result);
  } catch (const std::exception& e) {
    result.errors.push_back(problem(file, {}, "", std::string("internal error: ") + e.what()));
  } catch (...) {
    result.errors.push_back(problem(file, {}, "", "internal error while loading"));
  }
  return result;
}

LoadResult load_file(const std::string& path) {
  auto unreadable = [&](int error) {
    LoadResult result;
    result.errors.push_back(problem(path, {}, "", std::string("cannot read file: ") + std::strerror(error)));
    return result;
  };
  std::error_code ec;
  if (std::filesystem::is_directory(path, ec)) return unreadable(EISDIR);
  std::unique_ptr<FILE, int (*)(FILE*)> in(std::fopen(path.c_str(), "rb"), &std::fclose);
  if (!in) return unreadable(errno);
  std::string text;
  char buffer[1 << 16];
  size_t count = 0;
  while ((count = std::fread(buffer, 1, sizeof buffer, in.get())) > 0) {
    text.append(buffer, count);
    if (text.size() > kMaxDocumentBytes) break;  // load_string reports it as too large
  }
  if (std::ferror(in.get())) return unreadable(errno ? errno : EIO);
  return load_string(text, path);
}

LoadResult load_paths(const std::vector<std::string>& paths) {
  LoadResult all;
  for (const std::string& path : paths) {
    std::error_code ec;
    if (!std::filesystem::is_directory(path, ec)) {
      all.append(load_file(path));
      continue;
    }
    std::vector<std::string> files;
    auto walker = std::filesystem::recursive_directory_iterator(
        path, std::filesystem::directory_options::skip_permission_denied, ec);
    for (; !ec && walker != std::filesystem::recursive_directory_iterator(); walker.increment(ec)) {
      std::error_code type_ec;
      if (walker->is_regular_file(type_ec) && is_manifest_file(walker->path())) {
        files.push_back(walker->path().string());
      }
    }
    if (ec) {
      all.errors.push_back(problem(path, {}, "", "cannot read folder: " + ec.message()));
    }
    std::sort(files.begin(), files.end());
    for (const std::string& file : files) all.append(load_file(file));
  }
  return all;
}

}  // namespace rampart::spec
