// Syntax of everything rampart will later evaluate: {{...}} tags in every string of the
// workflow spec, expr-lang bodies of {{= ...}} tags and of `expression` fields, and govaluate
// `when` conditions. Whether the names inside resolve is validate_variables.cpp's concern.
#include "expr/expr.h"
#include "spec/decode_node.h"
#include "spec/validate_internal.h"

namespace rampart::spec::validation {
namespace {

size_t error_offset(const expr::ExprError& error) { return error.column() > 0 ? error.column() - 1 : 0; }

// Replaces every tag by `placeholder`, so that what is around the tags can be parsed alone.
// Returns false (leaving `out` alone) when the tags themselves are malformed.
bool replace_tags(const std::string& text, std::string_view placeholder, std::string& out) {
  std::vector<expr::Tag> tags;
  try {
    tags = expr::find_tags(text);
  } catch (const expr::ExprError&) {
    return false;
  }
  out.clear();
  size_t pos = 0;
  for (const auto& tag : tags) {
    out.append(text, pos, tag.begin - pos);
    out.append(placeholder);
    pos = tag.end;
  }
  out.append(text, pos, std::string::npos);
  return true;
}

// Every {{...}} must be closed, and every {{= ...}} body must parse as expr-lang.
void check_tags(const Checker& checker, const std::string& text, const std::string& path) {
  if (!is_templated(text)) return;
  std::vector<expr::Tag> tags;
  try {
    tags = expr::find_tags(text);
  } catch (const expr::ExprError& error) {
    checker.report_at(path, error_offset(error), std::string("malformed {{...}}: ") + error.what());
    return;
  }
  for (const auto& tag : tags) {
    if (!tag.is_expression) {
      if (tag.body.empty()) checker.report_at(path, tag.begin, "empty {{}}");
      continue;
    }
    // Where the trimmed body starts inside `text`: after "{{", "=" and any spaces.
    size_t body_start = text.find('=', tag.begin + 2) + 1;
    while (body_start < text.size() &&
           (text[body_start] == ' ' || text[body_start] == '\t' || text[body_start] == '\n')) {
      ++body_start;
    }
    try {
      expr::check_expr(tag.body);
    } catch (const expr::ExprError& error) {
      checker.report_at(path, body_start + error_offset(error), std::string("invalid expression: ") + error.what());
    }
  }
}

// `expression:` / `fromExpression:` fields are expr-lang as a whole.
void check_expression_field(const Checker& checker, const std::string& text, const std::string& path) {
  std::string source = text;
  const bool has_tags = is_templated(text);
  if (has_tags && !replace_tags(text, "rampart_placeholder", source)) return;  // check_tags reports it
  try {
    expr::check_expr(source);
  } catch (const expr::ExprError& error) {
    checker.report_at(path, has_tags ? 0 : error_offset(error), std::string("invalid expression: ") + error.what());
  }
}

bool is_expression_key(std::string_view key) { return key == "expression" || key == "fromExpression"; }

void walk(const Checker& checker, const Json& node, const std::string& path, std::string_view key) {
  if (node.is_string()) {
    const std::string& text = node.get_ref<const std::string&>();
    check_tags(checker, text, path);
    if (is_expression_key(key)) check_expression_field(checker, text, path);
    if (key == "when") check_when_text(checker, text, path);
    return;
  }
  if (node.is_array()) {
    for (size_t i = 0; i < node.size(); ++i) walk(checker, node[i], index_path(path, i), {});
  } else if (node.is_object()) {
    for (const auto& [child_key, child] : node.items()) walk(checker, child, join_path(path, child_key), child_key);
  }
}

}  // namespace

void check_when_text(const Checker& checker, const std::string& text, const std::string& path) {
  std::string source;
  // Each tag becomes a bare word: Argo substitutes before handing the condition to govaluate.
  if (!replace_tags(text, "placeholder", source)) return;
  try {
    expr::check_when(source);
  } catch (const expr::ExprError& error) {
    checker.report_at(path, is_templated(text) ? 0 : error_offset(error), std::string("invalid when: ") + error.what());
  }
}

void check_expression_text(const Checker& checker, const std::string& text, const std::string& path) {
  if (text.empty()) return;
  check_tags(checker, text, path);
  check_expression_field(checker, text, path);
}

void check_expressions(const Checker& checker) {
  const Json* spec = &checker.doc.raw;
  for (const char* part : {"spec", "workflowSpec"}) {
    if (part == std::string_view("workflowSpec") && checker.doc.kind != Kind::CronWorkflow) break;
    if (!spec->is_object() || !spec->contains(part)) return;
    spec = &(*spec)[part];
  }
  walk(checker, *spec, checker.spec_path(), {});
}

}  // namespace rampart::spec::validation
