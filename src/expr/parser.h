// Recursive-descent (precedence climbing) parser for expr-lang.
#pragma once

#include <string_view>

#include "expr/ast.h"
#include "expr/lexer.h"

namespace rampart::expr::detail {

// Expressions nested deeper than this are rejected, so neither the parser nor the
// evaluator can exhaust the stack.
inline constexpr int kMaxNestingDepth = 200;

// Throws ExprError with the column of the offending token, including for calls of
// unknown functions.
NodePtr parse_expr(std::string_view source, LexerOptions options = {});

}  // namespace rampart::expr::detail
