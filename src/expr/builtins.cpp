// expr-lang builtin functions and Argo's additions to the expression environment.
#include <algorithm>
#include <chrono>
#include <cmath>
#include <map>

#include "expr/functions.h"
#include "expr/go_time.h"
#include "expr/text_util.h"
#include "expr/value_ops.h"

namespace rampart::expr::detail {

void expect_arity(std::string_view function, const Arguments& args, std::size_t min, std::size_t max) {
    if (args.size() < min) throw ExprError("not enough arguments to call " + std::string(function), 0);
    if (args.size() > max) throw ExprError("too many arguments to call " + std::string(function), 0);
}

const std::string& expect_string(std::string_view function, const Value& value) {
    if (!value.is_string()) {
        throw ExprError(
            "cannot use " + type_name(value) + " as argument (type string) to call " + std::string(function), 0);
    }
    return value.get_ref<const std::string&>();
}

std::int64_t expect_int(std::string_view function, const Value& value) {
    if (!is_int(value)) {
        throw ExprError("cannot use " + type_name(value) + " as argument (type int) to call " + std::string(function),
                        0);
    }
    return to_int64(value);
}

double expect_number(std::string_view function, const Value& value) {
    if (!is_number(value)) {
        throw ExprError(
            "cannot use " + type_name(value) + " as argument (type float64) to call " + std::string(function), 0);
    }
    return to_double(value);
}

namespace {

const Value& expect_array(std::string_view function, const Value& value) {
    if (!value.is_array()) {
        throw ExprError("cannot use " + type_name(value) + " as argument (type array) to call " + std::string(function),
                        0);
    }
    return value;
}

const Value& expect_object(std::string_view function, const Value& value) {
    if (!value.is_object()) {
        throw ExprError("cannot use " + type_name(value) + " as argument (type map) to call " + std::string(function),
                        0);
    }
    return value;
}

Value builtin_len(Arguments& args) {
    expect_arity("len", args, 1, 1);
    const Value& v = args[0];
    if (v.is_string()) return static_cast<std::int64_t>(v.get_ref<const std::string&>().size());
    if (v.is_array() || v.is_object()) return static_cast<std::int64_t>(v.size());
    throw ExprError("invalid argument for len (type " + type_name(v) + ")", 0);
}

Value builtin_abs(Arguments& args) {
    expect_arity("abs", args, 1, 1);
    if (is_int(args[0])) {
        auto v = to_int64(args[0]);
        return v < 0 ? wrapping_sub(0, v) : v;
    }
    return std::fabs(expect_number("abs", args[0]));
}

// int(): Argo's asInt is the same function.
Value builtin_int(Arguments& args) {
    expect_arity("int", args, 1, 1);
    const Value& v = args[0];
    if (is_int(v)) return to_int64(v);
    if (v.is_number()) return saturating_int64(to_double(v));
    if (v.is_string()) {
        auto parsed = parse_int(v.get_ref<const std::string&>());
        if (!parsed) throw ExprError("strconv.Atoi: parsing " + go_quote(v.get<std::string>()) + ": invalid syntax", 0);
        return static_cast<std::int64_t>(*parsed);
    }
    throw ExprError("invalid operation: int(" + type_name(v) + ")", 0);
}

Value builtin_float(Arguments& args) {
    expect_arity("float", args, 1, 1);
    const Value& v = args[0];
    if (v.is_number()) return to_double(v);
    if (v.is_string()) {
        auto parsed = parse_float(v.get_ref<const std::string&>());
        if (!parsed) {
            throw ExprError("strconv.ParseFloat: parsing " + go_quote(v.get<std::string>()) + ": invalid syntax", 0);
        }
        return *parsed;
    }
    throw ExprError("invalid operation: float(" + type_name(v) + ")", 0);
}

Value builtin_string(Arguments& args) {
    expect_arity("string", args, 1, 1);
    return go_sprint(args[0]);
}

Value builtin_trim(Arguments& args) {
    expect_arity("trim", args, 1, 2);
    const auto& text = expect_string("trim", args[0]);
    if (args.size() == 2) return trim_cutset(text, expect_string("trim", args[1]));
    return trim_space(text);
}

Value builtin_trim_prefix(Arguments& args) {
    expect_arity("trimPrefix", args, 1, 2);
    std::string text = expect_string("trimPrefix", args[0]);
    std::string prefix = args.size() == 2 ? expect_string("trimPrefix", args[1]) : " ";
    return text.starts_with(prefix) ? text.substr(prefix.size()) : text;
}

Value builtin_trim_suffix(Arguments& args) {
    expect_arity("trimSuffix", args, 1, 2);
    std::string text = expect_string("trimSuffix", args[0]);
    std::string suffix = args.size() == 2 ? expect_string("trimSuffix", args[1]) : " ";
    return text.ends_with(suffix) ? text.substr(0, text.size() - suffix.size()) : text;
}

Value builtin_upper(Arguments& args) {
    expect_arity("upper", args, 1, 1);
    return to_upper(expect_string("upper", args[0]));
}

Value builtin_lower(Arguments& args) {
    expect_arity("lower", args, 1, 1);
    return to_lower(expect_string("lower", args[0]));
}

Value builtin_split(Arguments& args) {
    expect_arity("split", args, 2, 3);
    long limit = args.size() == 3 ? static_cast<long>(expect_int("split", args[2])) : -1;
    Value out = Value::array();
    for (auto& part : split_string(expect_string("split", args[0]), expect_string("split", args[1]), limit)) {
        out.push_back(std::move(part));
    }
    return out;
}

Value builtin_join(Arguments& args) {
    expect_arity("join", args, 1, 2);
    std::vector<std::string> parts;
    for (const auto& element : expect_array("join", args[0])) parts.push_back(expect_string("join", element));
    return join_strings(parts, args.size() == 2 ? expect_string("join", args[1]) : "");
}

Value builtin_replace(Arguments& args) {
    expect_arity("replace", args, 3, 3);
    return replace_all(expect_string("replace", args[0]), expect_string("replace", args[1]),
                       expect_string("replace", args[2]));
}

Value builtin_index_of(Arguments& args) {
    expect_arity("indexOf", args, 2, 2);
    auto found = expect_string("indexOf", args[0]).find(expect_string("indexOf", args[1]));
    return found == std::string::npos ? std::int64_t{-1} : static_cast<std::int64_t>(found);
}

Value builtin_last_index_of(Arguments& args) {
    expect_arity("lastIndexOf", args, 2, 2);
    auto found = expect_string("lastIndexOf", args[0]).rfind(expect_string("lastIndexOf", args[1]));
    return found == std::string::npos ? std::int64_t{-1} : static_cast<std::int64_t>(found);
}

Value builtin_has_prefix(Arguments& args) {
    expect_arity("hasPrefix", args, 2, 2);
    return expect_string("hasPrefix", args[0]).starts_with(expect_string("hasPrefix", args[1]));
}

Value builtin_has_suffix(Arguments& args) {
    expect_arity("hasSuffix", args, 2, 2);
    return expect_string("hasSuffix", args[0]).ends_with(expect_string("hasSuffix", args[1]));
}

Value builtin_keys(Arguments& args) {
    expect_arity("keys", args, 1, 1);
    Value out = Value::array();
    for (const auto& [key, value] : expect_object("keys", args[0]).items()) out.push_back(key);
    return out;
}

Value builtin_values(Arguments& args) {
    expect_arity("values", args, 1, 1);
    Value out = Value::array();
    for (const auto& [key, value] : expect_object("values", args[0]).items()) out.push_back(value);
    return out;
}

// expr-lang's toJSON indents with two spaces; Argo's toJson is compact.
Value builtin_to_json_indented(Arguments& args) {
    expect_arity("toJSON", args, 1, 1);
    return args[0].dump(2, ' ', false, Value::error_handler_t::replace);
}

Value builtin_to_json_compact(Arguments& args) {
    expect_arity("toJson", args, 1, 1);
    return compact_json(args[0]);
}

Value builtin_from_json(Arguments& args) {
    expect_arity("fromJSON", args, 1, 1);
    auto parsed = parse_json(expect_string("fromJSON", args[0]));
    if (!parsed) throw ExprError("fromJSON: invalid JSON", 0);
    return *parsed;
}

Value builtin_to_base64(Arguments& args) {
    expect_arity("toBase64", args, 1, 1);
    return base64_encode(expect_string("toBase64", args[0]));
}

Value builtin_from_base64(Arguments& args) {
    expect_arity("fromBase64", args, 1, 1);
    auto decoded = base64_decode(expect_string("fromBase64", args[0]));
    if (!decoded) throw ExprError("fromBase64: illegal base64 data", 0);
    return *decoded;
}

Value extreme(std::string_view name, Arguments& args, bool want_max) {
    if (args.empty()) throw ExprError("not enough arguments to call " + std::string(name), 0);
    const Value* items = &args[0];
    std::size_t count = args.size();
    Value flattened;
    if (args.size() == 1 && args[0].is_array()) {
        flattened = args[0];
        if (flattened.empty()) return nullptr;
        items = &flattened[0];
        count = flattened.size();
    }
    Value best = items[0];
    for (std::size_t i = 0; i < count; ++i) {
        const Value& candidate = items[i];
        if (!is_number(candidate)) {
            throw ExprError("invalid argument for " + std::string(name) + " (type " + type_name(candidate) + ")", 0);
        }
        bool better =
            is_int(candidate) && is_int(best)
                ? (want_max ? to_int64(candidate) > to_int64(best) : to_int64(candidate) < to_int64(best))
                : (want_max ? to_double(candidate) > to_double(best) : to_double(candidate) < to_double(best));
        if (better) best = candidate;
    }
    return best;
}

Value builtin_max(Arguments& args) { return extreme("max", args, true); }
Value builtin_min(Arguments& args) { return extreme("min", args, false); }

Value builtin_first(Arguments& args) {
    expect_arity("first", args, 1, 1);
    const auto& list = expect_array("first", args[0]);
    return list.empty() ? Value(nullptr) : list.front();
}

Value builtin_last(Arguments& args) {
    expect_arity("last", args, 1, 1);
    const auto& list = expect_array("last", args[0]);
    return list.empty() ? Value(nullptr) : list.back();
}

Value builtin_mean(Arguments& args) {
    expect_arity("mean", args, 1, 1);
    const auto& list = expect_array("mean", args[0]);
    if (list.empty()) return 0.0;
    double total = 0;
    for (const auto& element : list) total += expect_number("mean", element);
    return total / static_cast<double>(list.size());
}

Value builtin_sort(Arguments& args) {
    expect_arity("sort", args, 1, 2);
    Value list = expect_array("sort", args[0]);
    bool descending = false;
    if (args.size() == 2) {
        const auto& order = expect_string("sort", args[1]);
        if (order != "asc" && order != "desc") throw ExprError("sort: order must be \"asc\" or \"desc\"", 0);
        descending = order == "desc";
    }
    bool all_numbers = std::all_of(list.begin(), list.end(), [](const Value& v) { return is_number(v); });
    bool all_strings = std::all_of(list.begin(), list.end(), [](const Value& v) { return v.is_string(); });
    if (!all_numbers && !all_strings) throw ExprError("sort: elements must all be numbers or all be strings", 0);
    std::vector<Value> items(list.begin(), list.end());
    auto less = [&](const Value& a, const Value& b) {
        if (all_strings) return a.get_ref<const std::string&>() < b.get_ref<const std::string&>();
        double x = to_double(a), y = to_double(b);
        if (std::isnan(x)) return !std::isnan(y);  // NaN first keeps a strict weak order
        return x < y;
    };
    std::stable_sort(items.begin(), items.end(), less);
    if (descending) std::reverse(items.begin(), items.end());
    return Value(items);
}

Value builtin_reverse(Arguments& args) {
    expect_arity("reverse", args, 1, 1);
    Value list = expect_array("reverse", args[0]);
    std::vector<Value> items(list.begin(), list.end());
    std::reverse(items.begin(), items.end());
    return Value(items);
}

Value builtin_uniq(Arguments& args) {
    expect_arity("uniq", args, 1, 1);
    Value out = Value::array();
    for (const auto& element : expect_array("uniq", args[0])) {
        bool seen = std::any_of(out.begin(), out.end(), [&](const Value& v) { return values_equal(v, element); });
        if (!seen) out.push_back(element);
    }
    return out;
}

Value builtin_concat(Arguments& args) {
    Value out = Value::array();
    for (const auto& list : args) {
        for (const auto& element : expect_array("concat", list)) out.push_back(element);
        check_array_size(out.size());
    }
    return out;
}

Value builtin_flatten(Arguments& args) {
    expect_arity("flatten", args, 1, 1);
    Value out = Value::array();
    // Iterative so that deeply nested arrays cannot exhaust the stack.
    std::vector<std::pair<const Value*, std::size_t>> stack{{&expect_array("flatten", args[0]), 0}};
    while (!stack.empty()) {
        auto& [list, index] = stack.back();
        if (index >= list->size()) {
            stack.pop_back();
            continue;
        }
        const Value& element = (*list)[index++];
        if (element.is_array()) {
            stack.emplace_back(&element, 0);
        } else {
            out.push_back(element);
            check_array_size(out.size());
        }
    }
    return out;
}

Value builtin_now(Arguments& args) {
    expect_arity("now", args, 0, 0);
    return format_rfc3339(current_time());
}

Value builtin_repeat(Arguments& args) {
    expect_arity("repeat", args, 2, 2);
    const auto& text = expect_string("repeat", args[0]);
    auto count = expect_int("repeat", args[1]);
    if (count < 0) throw ExprError("repeat: negative repeat count", 0);
    if (!text.empty() && static_cast<std::uint64_t>(count) > kMaxStringBytes / text.size()) {
        check_string_size(kMaxStringBytes + 1);
    }
    std::string out;
    for (std::int64_t i = 0; i < count && !text.empty(); ++i) out += text;
    return out;
}

Value builtin_to_pairs(Arguments& args) {
    expect_arity("toPairs", args, 1, 1);
    Value out = Value::array();
    for (const auto& [key, value] : expect_object("toPairs", args[0]).items())
        out.push_back(Value::array({key, value}));
    return out;
}

Value builtin_from_pairs(Arguments& args) {
    expect_arity("fromPairs", args, 1, 1);
    Value out = Value::object();
    for (const auto& pair : expect_array("fromPairs", args[0])) {
        if (!pair.is_array() || pair.size() != 2) throw ExprError("fromPairs: expected [key, value] pairs", 0);
        out[pair[0].is_string() ? pair[0].get<std::string>() : go_sprint(pair[0])] = pair[1];
    }
    return out;
}

Value builtin_get(Arguments& args) {
    expect_arity("get", args, 2, 2);
    const Value& container = args[0];
    const Value& key = args[1];
    if (container.is_object() && key.is_string()) {
        auto found = container.find(key.get_ref<const std::string&>());
        return found == container.end() ? Value(nullptr) : *found;
    }
    if (container.is_array() && is_int(key)) {
        auto index = to_int64(key);
        auto size = static_cast<std::int64_t>(container.size());
        if (index < 0) index += size;
        if (index < 0 || index >= size) return nullptr;
        return container[static_cast<std::size_t>(index)];
    }
    return nullptr;
}

Value rounding(std::string_view name, Arguments& args, double (*round_fn)(double)) {
    expect_arity(name, args, 1, 1);
    if (is_int(args[0])) return to_double(args[0]);
    return round_fn(expect_number(name, args[0]));
}
Value builtin_round(Arguments& args) {
    return rounding("round", args, [](double v) { return std::round(v); });
}
Value builtin_ceil(Arguments& args) {
    return rounding("ceil", args, [](double v) { return std::ceil(v); });
}
Value builtin_floor(Arguments& args) {
    return rounding("floor", args, [](double v) { return std::floor(v); });
}

Value builtin_type(Arguments& args) {
    expect_arity("type", args, 1, 1);
    const Value& v = args[0];
    if (v.is_null()) return "nil";
    if (v.is_boolean()) return "bool";
    if (is_int(v)) return "int";
    if (v.is_number()) return "float";
    if (v.is_string()) return "string";
    if (v.is_array()) return "array";
    return "map";
}

Value builtin_jsonpath(Arguments& args) {
    expect_arity("jsonpath", args, 2, 2);
    auto document = parse_json(expect_string("jsonpath", args[0]));
    if (!document) throw ExprError("jsonpath: invalid JSON document", 0);
    return json_path(*document, expect_string("jsonpath", args[1]));
}

const std::map<std::string_view, Function>& builtin_table() {
    static const std::map<std::string_view, Function> table{
        {"len", builtin_len},
        {"abs", builtin_abs},
        {"int", builtin_int},
        {"asInt", builtin_int},
        {"float", builtin_float},
        {"asFloat", builtin_float},
        {"string", builtin_string},
        {"trim", builtin_trim},
        {"trimPrefix", builtin_trim_prefix},
        {"trimSuffix", builtin_trim_suffix},
        {"upper", builtin_upper},
        {"lower", builtin_lower},
        {"split", builtin_split},
        {"join", builtin_join},
        {"replace", builtin_replace},
        {"indexOf", builtin_index_of},
        {"lastIndexOf", builtin_last_index_of},
        {"hasPrefix", builtin_has_prefix},
        {"hasSuffix", builtin_has_suffix},
        {"keys", builtin_keys},
        {"values", builtin_values},
        {"toJSON", builtin_to_json_indented},
        {"toJson", builtin_to_json_compact},
        {"fromJSON", builtin_from_json},
        {"toBase64", builtin_to_base64},
        {"fromBase64", builtin_from_base64},
        {"max", builtin_max},
        {"min", builtin_min},
        {"first", builtin_first},
        {"last", builtin_last},
        {"mean", builtin_mean},
        {"sort", builtin_sort},
        {"reverse", builtin_reverse},
        {"uniq", builtin_uniq},
        {"concat", builtin_concat},
        {"flatten", builtin_flatten},
        {"now", builtin_now},
        {"repeat", builtin_repeat},
        {"toPairs", builtin_to_pairs},
        {"fromPairs", builtin_from_pairs},
        {"get", builtin_get},
        {"round", builtin_round},
        {"ceil", builtin_ceil},
        {"floor", builtin_floor},
        {"type", builtin_type},
        {"jsonpath", builtin_jsonpath},
    };
    return table;
}

}  // namespace

Function find_builtin(std::string_view name) {
    const auto& table = builtin_table();
    auto found = table.find(name);
    return found == table.end() ? nullptr : found->second;
}

bool is_closure_builtin(std::string_view name) {
    static constexpr std::string_view kNames[] = {"filter",        "map",   "all",     "any",       "none",
                                                  "one",           "count", "find",    "findIndex", "findLast",
                                                  "findLastIndex", "sum",   "groupBy", "sortBy",    "reduce"};
    return std::find(std::begin(kNames), std::end(kNames), name) != std::end(kNames);
}

}  // namespace rampart::expr::detail
