// Facade entry points for expr-lang: parse + evaluate with uniform error reporting.
#include <exception>

#include "expr/evaluator.h"
#include "expr/expr.h"
#include "expr/parser.h"

namespace rampart::expr {

Value eval_expr(std::string_view source, const Value& env) {
    detail::NodePtr root = detail::parse_expr(source);
    try {
        return detail::evaluate(*root, env);
    } catch (const ExprError&) {
        throw;
    } catch (const std::exception& error) {
        // Library errors (e.g. allocation or JSON type errors) must not escape as anything
        // but ExprError: callers only handle that.
        throw ExprError(std::string("evaluation failed: ") + error.what(), 0);
    }
}

void check_expr(std::string_view source) { detail::parse_expr(source); }

}  // namespace rampart::expr
