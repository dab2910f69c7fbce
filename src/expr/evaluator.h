// Tree-walking evaluator for parsed expr-lang expressions.
#pragma once

#include "expr/ast.h"

namespace rampart::expr::detail {

// Upper bound on evaluation work (nodes visited + closure iterations) so that inputs such
// as map(1..100000, {1..100000}) fail fast instead of hanging.
inline constexpr std::size_t kMaxEvaluationSteps = 2'000'000;

// env must be an object of root names; anything else behaves like an empty env.
Value evaluate(const Node& root, const Value& env);

}  // namespace rampart::expr::detail
