#include "expr/value_ops.h"

#include <charconv>
#include <cmath>
#include <limits>

namespace rampart::expr::detail {

std::string type_name(const Value& value) {
    switch (value.type()) {
        case Value::value_t::null: return "nil";
        case Value::value_t::boolean: return "bool";
        case Value::value_t::number_integer:
        case Value::value_t::number_unsigned: return is_int(value) ? "int" : "float64";
        case Value::value_t::number_float: return "float64";
        case Value::value_t::string: return "string";
        case Value::value_t::array: return "[]interface {}";
        case Value::value_t::object: return "map[string]interface {}";
        default: return "unknown";
    }
}

bool is_int(const Value& value) {
    if (value.is_number_integer() && !value.is_number_unsigned()) return true;
    if (value.is_number_unsigned()) {
        return value.get<std::uint64_t>() <= static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max());
    }
    return false;
}

bool is_number(const Value& value) { return value.is_number(); }

std::int64_t to_int64(const Value& value) {
    if (value.is_number_unsigned()) return static_cast<std::int64_t>(value.get<std::uint64_t>());
    return value.get<std::int64_t>();
}

double to_double(const Value& value) {
    if (value.is_number_float()) return value.get<double>();
    if (value.is_number_unsigned()) return static_cast<double>(value.get<std::uint64_t>());
    return static_cast<double>(value.get<std::int64_t>());
}

std::int64_t saturating_int64(double value) {
    if (std::isnan(value)) return 0;
    // 2^63 is exactly representable; anything at or above it does not fit.
    if (value >= 9223372036854775808.0) return std::numeric_limits<std::int64_t>::max();
    if (value < -9223372036854775808.0) return std::numeric_limits<std::int64_t>::min();
    return static_cast<std::int64_t>(value);
}

std::int64_t wrapping_add(std::int64_t a, std::int64_t b) {
    return static_cast<std::int64_t>(static_cast<std::uint64_t>(a) + static_cast<std::uint64_t>(b));
}
std::int64_t wrapping_sub(std::int64_t a, std::int64_t b) {
    return static_cast<std::int64_t>(static_cast<std::uint64_t>(a) - static_cast<std::uint64_t>(b));
}
std::int64_t wrapping_mul(std::int64_t a, std::int64_t b) {
    return static_cast<std::int64_t>(static_cast<std::uint64_t>(a) * static_cast<std::uint64_t>(b));
}

std::string go_format_float(double value) {
    if (std::isnan(value)) return "NaN";
    if (std::isinf(value)) return value > 0 ? "+Inf" : "-Inf";
    if (value == 0) return std::signbit(value) ? "-0" : "0";

    // Shortest round-trip digits in scientific form, e.g. "-1.2345e+06".
    char buffer[64];
    auto result = std::to_chars(buffer, buffer + sizeof buffer, value, std::chars_format::scientific);
    std::string scientific(buffer, result.ptr);
    bool negative = scientific[0] == '-';
    if (negative) scientific.erase(0, 1);
    std::size_t e_pos = scientific.find('e');
    std::string digits;
    for (std::size_t i = 0; i < e_pos; ++i) {
        if (scientific[i] != '.') digits += scientific[i];
    }
    int exponent = std::stoi(scientific.substr(e_pos + 1));

    std::string out = negative ? "-" : "";
    // Go's %v uses exponent form when exp < -4 || exp >= 6 (precision 6 for shortest).
    if (exponent < -4 || exponent >= 6) {
        out += digits[0];
        if (digits.size() > 1) {
            out += '.';
            out += digits.substr(1);
        }
        out += 'e';
        out += exponent < 0 ? '-' : '+';
        int magnitude = std::abs(exponent);
        if (magnitude < 10) out += '0';
        out += std::to_string(magnitude);
        return out;
    }
    if (exponent < 0) {
        out += "0.";
        out.append(static_cast<std::size_t>(-exponent - 1), '0');
        out += digits;
        return out;
    }
    auto integer_digits = static_cast<std::size_t>(exponent) + 1;
    if (digits.size() <= integer_digits) {
        out += digits;
        out.append(integer_digits - digits.size(), '0');
    } else {
        out += digits.substr(0, integer_digits);
        out += '.';
        out += digits.substr(integer_digits);
    }
    return out;
}

std::string go_sprint(const Value& value) {
    switch (value.type()) {
        case Value::value_t::null: return "<nil>";
        case Value::value_t::boolean: return value.get<bool>() ? "true" : "false";
        case Value::value_t::string: return value.get<std::string>();
        case Value::value_t::number_float: return go_format_float(value.get<double>());
        case Value::value_t::number_integer:
        case Value::value_t::number_unsigned:
            return value.is_number_unsigned() ? std::to_string(value.get<std::uint64_t>())
                                              : std::to_string(value.get<std::int64_t>());
        case Value::value_t::array: {
            std::string out = "[";
            bool first = true;
            for (const auto& element : value) {
                if (!first) out += ' ';
                first = false;
                out += go_sprint(element);
                check_string_size(out.size());
            }
            return out + "]";
        }
        case Value::value_t::object: {
            std::string out = "map[";
            bool first = true;
            for (const auto& [key, element] : value.items()) {
                if (!first) out += ' ';
                first = false;
                out += key;
                out += ':';
                out += go_sprint(element);
                check_string_size(out.size());
            }
            return out + "]";
        }
        default: return "";
    }
}

std::string compact_json(const Value& value) { return value.dump(-1, ' ', false, Value::error_handler_t::replace); }

bool values_equal(const Value& a, const Value& b) {
    if (a.is_number() && b.is_number()) {
        if (is_int(a) && is_int(b)) return to_int64(a) == to_int64(b);
        if (a.is_number_unsigned() && b.is_number_unsigned()) {
            return a.get<std::uint64_t>() == b.get<std::uint64_t>();
        }
        return to_double(a) == to_double(b);
    }
    if (a.type() != b.type()) return false;
    if (a.is_array()) {
        if (a.size() != b.size()) return false;
        for (std::size_t i = 0; i < a.size(); ++i) {
            if (!values_equal(a[i], b[i])) return false;
        }
        return true;
    }
    if (a.is_object()) {
        if (a.size() != b.size()) return false;
        for (const auto& [key, element] : a.items()) {
            auto other = b.find(key);
            if (other == b.end() || !values_equal(element, *other)) return false;
        }
        return true;
    }
    return a == b;
}

std::optional<Value> parse_json(std::string_view text) {
    bool too_deep = false;
    Value::parser_callback_t guard = [&too_deep](int depth, Value::parse_event_t, Value&) {
        if (depth > kMaxJsonDepth) too_deep = true;
        return !too_deep;
    };
    Value parsed = Value::parse(text, guard, false);
    if (too_deep || parsed.is_discarded()) return std::nullopt;
    return parsed;
}

void check_string_size(std::size_t bytes) {
    if (bytes > kMaxStringBytes) throw ExprError("string result too large", 0);
}

void check_array_size(std::size_t elements) {
    if (elements > kMaxArrayElements) throw ExprError("array result too large", 0);
}

}  // namespace rampart::expr::detail
