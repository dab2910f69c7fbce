// expr-lang's operator semantics on JSON values (the non-short-circuiting ones).
#pragma once

#include <string_view>

#include "expr/expr.h"

namespace rampart::expr::detail {

// Throws ExprError (column 0) for type mismatches such as "a" < 1 or 1 % 0.
Value apply_binary(std::string_view op, const Value& left, const Value& right);
Value apply_unary(std::string_view op, const Value& operand);

// Whole-number ranges "1..5" (inclusive), shared with sprig's seq/until helpers.
Value make_range(std::int64_t from, std::int64_t to);

}  // namespace rampart::expr::detail
