#include "expr/operators.h"

#include <cmath>
#include <limits>

#include <re2/re2.h>

#include "expr/value_ops.h"

namespace rampart::expr::detail {
namespace {

[[noreturn]] void mismatched(std::string_view op, const Value& left, const Value& right) {
    throw ExprError("invalid operation: " + std::string(op) + " (mismatched types " + type_name(left) + " and " +
                        type_name(right) + ")",
                    0);
}

// -1, 0, 1; only numbers with numbers and strings with strings are ordered.
int compare(std::string_view op, const Value& left, const Value& right) {
    if (is_number(left) && is_number(right)) {
        if (is_int(left) && is_int(right)) {
            auto a = to_int64(left), b = to_int64(right);
            return a < b ? -1 : a > b ? 1 : 0;
        }
        double a = to_double(left), b = to_double(right);
        if (std::isnan(a) || std::isnan(b)) return 2;  // unordered: every comparison false
        return a < b ? -1 : a > b ? 1 : 0;
    }
    if (left.is_string() && right.is_string()) {
        int c = left.get_ref<const std::string&>().compare(right.get_ref<const std::string&>());
        return c < 0 ? -1 : c > 0 ? 1 : 0;
    }
    mismatched(op, left, right);
}

Value arithmetic(std::string_view op, const Value& left, const Value& right) {
    if (!is_number(left) || !is_number(right)) mismatched(op, left, right);
    bool both_int = is_int(left) && is_int(right);
    if (op == "/") return to_double(left) / to_double(right);
    if (op == "**" || op == "^") return std::pow(to_double(left), to_double(right));
    if (op == "%") {
        if (!both_int) mismatched(op, left, right);
        auto divisor = to_int64(right);
        if (divisor == 0) throw ExprError("integer divide by zero", 0);
        if (divisor == -1) return std::int64_t{0};  // avoids INT64_MIN % -1 overflow
        return to_int64(left) % divisor;
    }
    if (both_int) {
        auto a = to_int64(left), b = to_int64(right);
        if (op == "+") return wrapping_add(a, b);
        if (op == "-") return wrapping_sub(a, b);
        return wrapping_mul(a, b);
    }
    double a = to_double(left), b = to_double(right);
    if (op == "+") return a + b;
    if (op == "-") return a - b;
    return a * b;
}

const std::string& string_operand(std::string_view op, const Value& left, const Value& right, const Value& which) {
    if (!left.is_string() || !right.is_string()) mismatched(op, left, right);
    return which.get_ref<const std::string&>();
}

}  // namespace

Value make_range(std::int64_t from, std::int64_t to) {
    Value out = Value::array();
    if (to < from) return out;
    // Compare as unsigned to avoid overflow on extreme bounds.
    auto count = static_cast<std::uint64_t>(to) - static_cast<std::uint64_t>(from) + 1;
    if (count == 0 || count > kMaxArrayElements) throw ExprError("range too large", 0);
    for (std::uint64_t i = 0; i < count; ++i) out.push_back(wrapping_add(from, static_cast<std::int64_t>(i)));
    return out;
}

Value apply_binary(std::string_view op, const Value& left, const Value& right) {
    if (op == "==") return values_equal(left, right);
    if (op == "!=") return !values_equal(left, right);
    if (op == "<" || op == ">" || op == "<=" || op == ">=") {
        int c = compare(op, left, right);
        if (c == 2) return false;
        if (op == "<") return c < 0;
        if (op == ">") return c > 0;
        if (op == "<=") return c <= 0;
        return c >= 0;
    }
    if (op == "+") {
        if (left.is_string() && right.is_string()) {
            check_string_size(left.get_ref<const std::string&>().size() + right.get_ref<const std::string&>().size());
            return left.get<std::string>() + right.get<std::string>();
        }
        if (left.is_array() && right.is_array()) {
            check_array_size(left.size() + right.size());
            Value out = left;
            for (const auto& element : right) out.push_back(element);
            return out;
        }
        return arithmetic(op, left, right);
    }
    if (op == "-" || op == "*" || op == "/" || op == "%" || op == "**" || op == "^") {
        return arithmetic(op, left, right);
    }
    if (op == "in") {
        if (right.is_array()) {
            for (const auto& element : right) {
                if (values_equal(left, element)) return true;
            }
            return false;
        }
        if (right.is_object()) {
            if (!left.is_string()) mismatched(op, left, right);
            return right.contains(left.get_ref<const std::string&>());
        }
        mismatched(op, left, right);
    }
    if (op == "matches") {
        const auto& text = string_operand(op, left, right, left);
        const auto& pattern = right.get_ref<const std::string&>();
        RE2 regex(pattern, RE2::Quiet);
        if (!regex.ok()) throw ExprError("invalid regular expression: " + regex.error(), 0);
        return RE2::PartialMatch(text, regex);
    }
    if (op == "contains") {
        return string_operand(op, left, right, left).find(right.get_ref<const std::string&>()) != std::string::npos;
    }
    if (op == "startsWith") {
        return string_operand(op, left, right, left).starts_with(right.get_ref<const std::string&>());
    }
    if (op == "endsWith") {
        return string_operand(op, left, right, left).ends_with(right.get_ref<const std::string&>());
    }
    if (op == "..") {
        if (!is_int(left) || !is_int(right)) mismatched(op, left, right);
        return make_range(to_int64(left), to_int64(right));
    }
    throw ExprError("unknown operator " + std::string(op), 0);
}

Value apply_unary(std::string_view op, const Value& operand) {
    if (op == "not") {
        if (!operand.is_boolean()) {
            throw ExprError("invalid operation: not (mismatched type " + type_name(operand) + ")", 0);
        }
        return !operand.get<bool>();
    }
    if (!is_number(operand)) {
        throw ExprError("invalid operation: " + std::string(op) + " (mismatched type " + type_name(operand) + ")", 0);
    }
    if (op == "+") return operand;
    if (is_int(operand)) return wrapping_sub(0, to_int64(operand));
    return -to_double(operand);
}

}  // namespace rampart::expr::detail
