// Function tables: expr-lang builtins (plus Argo's asInt, asFloat, jsonpath, toJson) and
// the sprig library exposed to expressions as "sprig.<name>".
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "expr/expr.h"

namespace rampart::expr::detail {

using Arguments = std::vector<Value>;
using Function = Value (*)(Arguments& args);

// nullptr when unknown. Closure-taking builtins (filter, map, ...) are not in this table;
// the evaluator implements them because they evaluate syntax per element.
Function find_builtin(std::string_view name);
Function find_sprig(std::string_view name);

// Builtins whose argument at index 1 is a predicate/closure ({# > 1} or .field).
bool is_closure_builtin(std::string_view name);

// Throws an ExprError (column 0; the evaluator attaches the call's column) unless
// args.size() is within [min, max].
void expect_arity(std::string_view function, const Arguments& args, std::size_t min, std::size_t max);

// Argument coercion helpers used by both tables. They throw ExprError on mismatches.
const std::string& expect_string(std::string_view function, const Value& value);
std::int64_t expect_int(std::string_view function, const Value& value);
double expect_number(std::string_view function, const Value& value);

// jsonpath(jsonText, path) as Argo exposes it.
Value json_path(const Value& document, std::string_view path);

}  // namespace rampart::expr::detail
