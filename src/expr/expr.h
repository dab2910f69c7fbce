// Public facade of rampart's expression layer. Callers include only this header.
//
// Four small languages live here, all as Argo Workflows defines them:
//   * template tags      "{{inputs.parameters.x}}" and "{{= expr }}"
//   * expr-lang          expressions inside "{{= }}", `expression:` fields, hooks...
//   * govaluate          `when:` conditions (after tag substitution)
//   * depends            DAG task `depends:` conditions
#pragma once

#include <cstddef>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "expr/scope.h"

namespace rampart::expr {

using Value = nlohmann::json;

// Every syntax or evaluation problem. column() is 1-based inside the text that was
// handed to the failing function (0 when no position applies, e.g. runtime type errors).
class ExprError : public std::runtime_error {
  public:
    ExprError(const std::string& message, std::size_t column) : std::runtime_error(message), column_(column) {}
    std::size_t column() const noexcept { return column_; }

  private:
    std::size_t column_;
};

// ---------------------------------------------------------------------------
// Template tags
// ---------------------------------------------------------------------------

struct Tag {
    std::size_t begin = 0;       // byte offset of the opening "{{"
    std::size_t end = 0;         // byte offset one past the closing "}}"
    bool is_expression = false;  // "{{= ...}}"
    std::string body;            // trimmed content; for expressions without the leading '='
};

// Every "{{...}}" in order. Throws ExprError (column of the "{{") when one is unterminated.
std::vector<Tag> find_tags(std::string_view text);

// Flat dotted names ("inputs.parameters.message", "item", "item.evenness") to values: the
// persistent map of expr/scope.h.

enum class Unresolved {
    Error,  // an unknown simple tag / failing expression tag throws ExprError
    Keep,   // leave it in place verbatim for a later stage to fill
};

// Replaces tags: simple tags by the scope value (strings raw, other JSON compact),
// expression tags by evaluating them against expand_scope(scope) and stringifying
// the result the way Argo does (see to_template_string).
std::string substitute(std::string_view text, const Scope& scope, Unresolved policy);

// Names referenced by the text: simple tag bodies verbatim, and for expression tags the
// dotted root paths best effort (e.g. "inputs.parameters.x", "steps.flip-coin.outputs.result").
std::vector<std::string> referenced_names(std::string_view text);

// Turns the flat scope into nested objects for expressions. Like Argo, when a name is both a
// leaf and a prefix of other names the children win, except that an object-valued leaf is
// merged with its children. The leaf stays reachable by its full name through simple tags.
Value expand_scope(const Scope& scope);

// Stringification of a value as Argo writes it into a template: strings raw, integral
// numbers without ".0", floats in Go's shortest %v form, bools, compact JSON for containers,
// null as the empty string.
std::string to_template_string(const Value& value);

// An RFC 3339 time as Go's time.Parse reads it ("2026-01-31T00:00:00Z", offsets, fractions),
// as unix milliseconds; nullopt when `text` is not one.
std::optional<std::int64_t> parse_rfc3339_ms(std::string_view text);

// ---------------------------------------------------------------------------
// expr-lang (https://expr-lang.org) with Argo's additions (asInt, asFloat, jsonpath,
// toJson, sprig.*)
// ---------------------------------------------------------------------------

Value eval_expr(std::string_view source, const Value& env);
void check_expr(std::string_view source);  // syntax only

// ---------------------------------------------------------------------------
// govaluate `when:` conditions. Bare words are strings, as Argo rewrites variables.
// ---------------------------------------------------------------------------

bool eval_when(std::string_view source);
void check_when(std::string_view source);

// ---------------------------------------------------------------------------
// DAG `depends:`
// ---------------------------------------------------------------------------

enum class TaskPhase { Pending, Running, Succeeded, Failed, Error, Skipped, Omitted };

struct TaskResult {
    TaskPhase phase = TaskPhase::Pending;
    bool daemoned = false;       // task is a daemon that was started
    bool any_succeeded = false;  // loop/group: at least one child succeeded
    bool all_failed = false;     // loop/group: every child failed
    // The task's continueOn: a bare reference to it also holds when it Failed / Errored.
    bool continue_on_failed = false;
    bool continue_on_error = false;
};

// True for phases after which the task will not change any more.
bool is_completed(TaskPhase phase);

class DependsExpr {
  public:
    struct Node;  // defined in depends.cpp; public so the implementation can build it

    DependsExpr();
    DependsExpr(std::shared_ptr<const Node> root, std::vector<std::string> tasks);

    // Referenced task names, unique, in order of first appearance.
    const std::vector<std::string>& tasks() const { return tasks_; }

    using Lookup = std::function<TaskResult(const std::string& task)>;
    bool evaluate(const Lookup& lookup) const;

    // True when every referenced task is completed (or daemoned), so evaluate() is final.
    bool resolvable(const Lookup& lookup) const;

  private:
    std::shared_ptr<const Node> root_;
    std::vector<std::string> tasks_;
};

DependsExpr parse_depends(std::string_view source);

// Legacy `dependencies: [A, B]` as the equivalent depends text "A && B".
std::string dependencies_to_depends(const std::vector<std::string>& dependencies);

}  // namespace rampart::expr
