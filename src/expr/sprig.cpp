// The sprig template library (https://masterminds.github.io/sprig/) as Argo exposes it to
// expressions: sprig.add(1, 2), sprig.date('2006', ts)... Conversions follow sprig's lenient
// Go semantics: unparsable numbers become 0, strval() is fmt's %v.
#include <algorithm>
#include <cmath>
#include <map>

#include <re2/re2.h>

#include "expr/functions.h"
#include "expr/go_time.h"
#include "expr/operators.h"
#include "expr/text_util.h"
#include "expr/value_ops.h"

namespace rampart::expr::detail {
namespace {

// cast.ToInt64: numbers truncate, strings parse (with 0x/0o/0b prefixes), bools are 0/1,
// everything else is 0.
std::int64_t to_int64_lenient(const Value& value) {
    if (is_int(value)) return to_int64(value);
    if (value.is_number()) return saturating_int64(to_double(value));
    if (value.is_boolean()) return value.get<bool>() ? 1 : 0;
    if (value.is_string()) {
        auto text = trim_space(value.get<std::string>());
        if (auto parsed = parse_int(text, true)) return *parsed;
    }
    return 0;
}

double to_float_lenient(const Value& value) {
    if (value.is_number()) return to_double(value);
    if (value.is_boolean()) return value.get<bool>() ? 1 : 0;
    if (value.is_string()) {
        if (auto parsed = parse_float(trim_space(value.get<std::string>()))) return *parsed;
    }
    return 0;
}

std::string strval(const Value& value) { return go_sprint(value); }

std::string string_arg(std::string_view function, const Value& value) {
    // Go's reflection-based call converts nothing: non-strings are a call error.
    return expect_string("sprig." + std::string(function), value);
}

bool empty(const Value& value) {
    switch (value.type()) {
        case Value::value_t::null: return true;
        case Value::value_t::boolean: return !value.get<bool>();
        case Value::value_t::string: return value.get_ref<const std::string&>().empty();
        case Value::value_t::array:
        case Value::value_t::object: return value.empty();
        case Value::value_t::number_float: return value.get<double>() == 0;
        default: return is_int(value) ? to_int64(value) == 0 : false;
    }
}

void arity(std::string_view function, const Arguments& args, std::size_t min, std::size_t max) {
    expect_arity("sprig." + std::string(function), args, min, max);
}

const Value& list_arg(std::string_view function, const Value& value) {
    if (!value.is_array()) {
        throw ExprError("sprig." + std::string(function) + ": cannot use " + type_name(value) + " as a list", 0);
    }
    return value;
}

const Value& dict_arg(std::string_view function, const Value& value) {
    if (!value.is_object()) {
        throw ExprError("sprig." + std::string(function) + ": cannot use " + type_name(value) + " as a dict", 0);
    }
    return value;
}

// --- math -------------------------------------------------------------------

Value sprig_add(Arguments& args) {
    std::int64_t total = 0;
    for (const auto& v : args) total = wrapping_add(total, to_int64_lenient(v));
    return total;
}
Value sprig_add1(Arguments& args) {
    arity("add1", args, 1, 1);
    return wrapping_add(to_int64_lenient(args[0]), 1);
}
Value sprig_sub(Arguments& args) {
    arity("sub", args, 2, 2);
    return wrapping_sub(to_int64_lenient(args[0]), to_int64_lenient(args[1]));
}
Value sprig_mul(Arguments& args) {
    arity("mul", args, 1, SIZE_MAX);
    std::int64_t product = 1;
    for (const auto& v : args) product = wrapping_mul(product, to_int64_lenient(v));
    return product;
}
Value sprig_div(Arguments& args) {
    arity("div", args, 2, 2);
    auto divisor = to_int64_lenient(args[1]);
    if (divisor == 0) throw ExprError("sprig.div: integer divide by zero", 0);
    auto dividend = to_int64_lenient(args[0]);
    if (divisor == -1) return wrapping_sub(0, dividend);
    return dividend / divisor;
}
Value sprig_mod(Arguments& args) {
    arity("mod", args, 2, 2);
    auto divisor = to_int64_lenient(args[1]);
    if (divisor == 0) throw ExprError("sprig.mod: integer divide by zero", 0);
    if (divisor == -1) return std::int64_t{0};
    return to_int64_lenient(args[0]) % divisor;
}
Value sprig_max(Arguments& args) {
    arity("max", args, 1, SIZE_MAX);
    std::int64_t best = to_int64_lenient(args[0]);
    for (const auto& v : args) best = std::max(best, to_int64_lenient(v));
    return best;
}
Value sprig_min(Arguments& args) {
    arity("min", args, 1, SIZE_MAX);
    std::int64_t best = to_int64_lenient(args[0]);
    for (const auto& v : args) best = std::min(best, to_int64_lenient(v));
    return best;
}
Value sprig_addf(Arguments& args) {
    double total = 0;
    for (const auto& v : args) total += to_float_lenient(v);
    return total;
}
Value sprig_subf(Arguments& args) {
    arity("subf", args, 1, SIZE_MAX);
    double total = to_float_lenient(args[0]);
    for (std::size_t i = 1; i < args.size(); ++i) total -= to_float_lenient(args[i]);
    return total;
}
Value sprig_mulf(Arguments& args) {
    arity("mulf", args, 1, SIZE_MAX);
    double product = 1;
    for (const auto& v : args) product *= to_float_lenient(v);
    return product;
}
Value sprig_divf(Arguments& args) {
    arity("divf", args, 1, SIZE_MAX);
    double total = to_float_lenient(args[0]);
    for (std::size_t i = 1; i < args.size(); ++i) total /= to_float_lenient(args[i]);
    return total;
}
Value sprig_floor(Arguments& args) {
    arity("floor", args, 1, 1);
    return std::floor(to_float_lenient(args[0]));
}
Value sprig_ceil(Arguments& args) {
    arity("ceil", args, 1, 1);
    return std::ceil(to_float_lenient(args[0]));
}
Value sprig_round(Arguments& args) {
    arity("round", args, 2, 3);
    double value = to_float_lenient(args[0]);
    auto places = std::clamp<std::int64_t>(to_int64_lenient(args[1]), -300, 300);
    double scale = std::pow(10.0, static_cast<double>(places));
    double round_on = args.size() == 3 ? to_float_lenient(args[2]) : 0.5;
    double shifted = value * scale;
    double integral = std::trunc(shifted);
    double fraction = std::fabs(shifted - integral);
    if (fraction >= round_on) integral += shifted < 0 ? -1 : 1;
    return integral / scale;
}

// --- conversions ------------------------------------------------------------

Value sprig_int(Arguments& args) {
    arity("int", args, 1, 1);
    return to_int64_lenient(args[0]);
}
Value sprig_float64(Arguments& args) {
    arity("float64", args, 1, 1);
    return to_float_lenient(args[0]);
}
Value sprig_to_string(Arguments& args) {
    arity("toString", args, 1, 1);
    return strval(args[0]);
}
Value sprig_atoi(Arguments& args) {
    arity("atoi", args, 1, 1);
    auto parsed = parse_int(string_arg("atoi", args[0]));
    return parsed ? static_cast<std::int64_t>(*parsed) : std::int64_t{0};
}
Value sprig_to_strings(Arguments& args) {
    arity("toStrings", args, 1, 1);
    Value out = Value::array();
    if (args[0].is_array()) {
        for (const auto& v : args[0]) out.push_back(strval(v));
    } else {
        out.push_back(strval(args[0]));
    }
    return out;
}

// --- strings ----------------------------------------------------------------

Value sprig_trim(Arguments& args) {
    arity("trim", args, 1, 1);
    return trim_space(string_arg("trim", args[0]));
}
Value sprig_trim_all(Arguments& args) {
    arity("trimAll", args, 2, 2);
    return trim_cutset(string_arg("trimAll", args[1]), string_arg("trimAll", args[0]));
}
Value sprig_trim_prefix(Arguments& args) {
    arity("trimPrefix", args, 2, 2);
    std::string prefix = string_arg("trimPrefix", args[0]);
    std::string text = string_arg("trimPrefix", args[1]);
    return text.starts_with(prefix) ? text.substr(prefix.size()) : text;
}
Value sprig_trim_suffix(Arguments& args) {
    arity("trimSuffix", args, 2, 2);
    std::string suffix = string_arg("trimSuffix", args[0]);
    std::string text = string_arg("trimSuffix", args[1]);
    return text.ends_with(suffix) ? text.substr(0, text.size() - suffix.size()) : text;
}
Value sprig_upper(Arguments& args) {
    arity("upper", args, 1, 1);
    return to_upper(string_arg("upper", args[0]));
}
Value sprig_lower(Arguments& args) {
    arity("lower", args, 1, 1);
    return to_lower(string_arg("lower", args[0]));
}
Value sprig_title(Arguments& args) {
    arity("title", args, 1, 1);
    return title_case(string_arg("title", args[0]));
}
Value sprig_repeat(Arguments& args) {
    arity("repeat", args, 2, 2);
    auto count = to_int64_lenient(args[0]);
    std::string text = string_arg("repeat", args[1]);
    if (count < 0) throw ExprError("sprig.repeat: negative repeat count", 0);
    if (!text.empty() && static_cast<std::uint64_t>(count) > kMaxStringBytes / text.size()) {
        check_string_size(kMaxStringBytes + 1);
    }
    std::string out;
    for (std::int64_t i = 0; i < count && !text.empty(); ++i) out += text;
    return out;
}
Value sprig_substr(Arguments& args) {
    arity("substr", args, 3, 3);
    auto start = to_int64_lenient(args[0]);
    auto end = to_int64_lenient(args[1]);
    std::string text = string_arg("substr", args[2]);
    auto size = static_cast<std::int64_t>(text.size());
    // Go slicing panics out of range; report it instead.
    auto checked = [&](std::int64_t from, std::int64_t to) {
        if (from < 0 || to > size || from > to) throw ExprError("sprig.substr: slice bounds out of range", 0);
        return text.substr(static_cast<std::size_t>(from), static_cast<std::size_t>(to - from));
    };
    if (start < 0) return checked(0, end);
    if (end < 0 || end > size) return checked(start, size);
    return checked(start, end);
}
Value sprig_trunc(Arguments& args) {
    arity("trunc", args, 2, 2);
    auto count = to_int64_lenient(args[0]);
    std::string text = string_arg("trunc", args[1]);
    auto size = static_cast<std::int64_t>(text.size());
    if (count < 0 && size + count > 0) return text.substr(static_cast<std::size_t>(size + count));
    if (count >= 0 && size > count) return text.substr(0, static_cast<std::size_t>(count));
    return text;
}
Value sprig_nospace(Arguments& args) {
    arity("nospace", args, 1, 1);
    std::string out;
    for (char c : string_arg("nospace", args[0])) {
        if (c != ' ' && c != '\t' && c != '\n' && c != '\r' && c != '\v' && c != '\f') out += c;
    }
    return out;
}
Value sprig_contains(Arguments& args) {
    arity("contains", args, 2, 2);
    return string_arg("contains", args[1]).find(string_arg("contains", args[0])) != std::string::npos;
}
Value sprig_has_prefix(Arguments& args) {
    arity("hasPrefix", args, 2, 2);
    return string_arg("hasPrefix", args[1]).starts_with(string_arg("hasPrefix", args[0]));
}
Value sprig_has_suffix(Arguments& args) {
    arity("hasSuffix", args, 2, 2);
    return string_arg("hasSuffix", args[1]).ends_with(string_arg("hasSuffix", args[0]));
}
Value sprig_replace(Arguments& args) {
    arity("replace", args, 3, 3);
    return replace_all(string_arg("replace", args[2]), string_arg("replace", args[0]), string_arg("replace", args[1]));
}
Value sprig_split(Arguments& args) {
    arity("split", args, 2, 2);
    Value out = Value::object();
    auto parts = split_string(string_arg("split", args[1]), string_arg("split", args[0]));
    for (std::size_t i = 0; i < parts.size(); ++i) {
        std::string key = "_";
        key.append(std::to_string(i));  // not "_" + ...: avoids a GCC 12 -Wrestrict false positive
        out[key] = parts[i];
    }
    return out;
}
Value sprig_split_list(Arguments& args) {
    arity("splitList", args, 2, 2);
    Value out = Value::array();
    for (auto& part : split_string(string_arg("splitList", args[1]), string_arg("splitList", args[0]))) {
        out.push_back(std::move(part));
    }
    return out;
}
Value sprig_join(Arguments& args) {
    arity("join", args, 2, 2);
    std::vector<std::string> parts;
    if (args[1].is_array()) {
        for (const auto& v : args[1]) {
            if (!v.is_null()) parts.push_back(strval(v));
        }
    } else if (!args[1].is_null()) {
        parts.push_back(strval(args[1]));
    }
    return join_strings(parts, string_arg("join", args[0]));
}
Value sprig_quote(Arguments& args) {
    std::vector<std::string> parts;
    for (const auto& v : args) {
        if (!v.is_null()) parts.push_back(go_quote(strval(v)));
    }
    return join_strings(parts, " ");
}
Value sprig_squote(Arguments& args) {
    std::vector<std::string> parts;
    for (const auto& v : args) {
        if (!v.is_null()) parts.push_back("'" + strval(v) + "'");
    }
    return join_strings(parts, " ");
}
Value sprig_cat(Arguments& args) {
    std::vector<std::string> parts;
    for (const auto& v : args) {
        if (!v.is_null()) parts.push_back(strval(v));
    }
    return join_strings(parts, " ");
}
std::string indent_text(std::int64_t spaces, const std::string& text) {
    if (spaces < 0) spaces = 0;
    if (static_cast<std::uint64_t>(spaces) > kMaxStringBytes) check_string_size(kMaxStringBytes + 1);
    std::string pad(static_cast<std::size_t>(spaces), ' ');
    return pad + replace_all(text, "\n", "\n" + pad);
}
Value sprig_indent(Arguments& args) {
    arity("indent", args, 2, 2);
    return indent_text(to_int64_lenient(args[0]), string_arg("indent", args[1]));
}
Value sprig_nindent(Arguments& args) {
    arity("nindent", args, 2, 2);
    return "\n" + indent_text(to_int64_lenient(args[0]), string_arg("nindent", args[1]));
}
Value sprig_b64enc(Arguments& args) {
    arity("b64enc", args, 1, 1);
    return base64_encode(string_arg("b64enc", args[0]));
}
Value sprig_b64dec(Arguments& args) {
    arity("b64dec", args, 1, 1);
    auto decoded = base64_decode(string_arg("b64dec", args[0]));
    // sprig returns the error text instead of failing.
    return decoded ? *decoded : std::string("illegal base64 data at input byte 0");
}

// --- regular expressions (RE2 == Go's regexp syntax) -----------------------

std::unique_ptr<RE2> compile(std::string_view function, const std::string& pattern) {
    RE2::Options options;
    options.set_log_errors(false);
    auto regex = std::make_unique<RE2>(pattern, options);
    if (!regex->ok()) throw ExprError("sprig." + std::string(function) + ": " + regex->error(), 0);
    return regex;
}

std::size_t utf8_length(unsigned char lead) {
    if (lead >= 0xF0) return 4;
    if (lead >= 0xE0) return 3;
    if (lead >= 0xC0) return 2;
    return 1;
}

// All non-overlapping matches as Go's FindAll*Index does: empty matches abutting a
// preceding match are ignored. Each match holds the submatch ranges.
std::vector<std::vector<re2::StringPiece>> find_all(const RE2& regex, const std::string& text, std::int64_t limit) {
    std::vector<std::vector<re2::StringPiece>> matches;
    const int groups = regex.NumberOfCapturingGroups() + 1;
    std::size_t pos = 0;
    std::size_t previous_end = std::string::npos;
    while (pos <= text.size() && (limit < 0 || static_cast<std::int64_t>(matches.size()) < limit)) {
        std::vector<re2::StringPiece> submatches(static_cast<std::size_t>(groups));
        if (!regex.Match(text, pos, text.size(), RE2::UNANCHORED, submatches.data(), groups)) break;
        auto start = static_cast<std::size_t>(submatches[0].data() - text.data());
        auto end = start + submatches[0].size();
        bool accept = !(start == end && start == previous_end);
        if (accept) {
            matches.push_back(submatches);
            check_array_size(matches.size());
            previous_end = end;
        }
        if (end > start) {
            pos = end;
        } else {
            pos = start < text.size() ? start + utf8_length(static_cast<unsigned char>(text[start])) : text.size() + 1;
        }
    }
    return matches;
}

// Go's Regexp.Expand template: $1, ${1}, $name, ${name}, $$.
std::string expand_template(const RE2& regex, const std::string& replacement,
                            const std::vector<re2::StringPiece>& match) {
    std::string out;
    for (std::size_t i = 0; i < replacement.size(); ++i) {
        char c = replacement[i];
        if (c != '$' || i + 1 >= replacement.size()) {
            out += c;
            continue;
        }
        if (replacement[i + 1] == '$') {
            out += '$';
            ++i;
            continue;
        }
        std::size_t start = i + 1;
        bool braced = replacement[start] == '{';
        if (braced) ++start;
        std::size_t end = start;
        auto is_name_char = [](char ch) {
            return (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') || ch == '_';
        };
        while (end < replacement.size() && is_name_char(replacement[end])) ++end;
        if (end == start || (braced && (end >= replacement.size() || replacement[end] != '}'))) {
            out += c;  // not a valid reference: Go keeps the '$' literally
            continue;
        }
        std::string name = replacement.substr(start, end - start);
        i = braced ? end : end - 1;
        int group = -1;
        if (std::all_of(name.begin(), name.end(), [](char ch) { return ch >= '0' && ch <= '9'; })) {
            group = name.size() > 9 ? -1 : std::stoi(name);
        } else {
            auto named = regex.NamedCapturingGroups().find(name);
            if (named != regex.NamedCapturingGroups().end()) group = named->second;
        }
        if (group >= 0 && static_cast<std::size_t>(group) < match.size() &&
            match[static_cast<std::size_t>(group)].data()) {
            const auto& piece = match[static_cast<std::size_t>(group)];
            out.append(piece.data(), piece.size());
        }
        check_string_size(out.size());
    }
    return out;
}

std::string replace_matches(const RE2& regex, const std::string& text, const std::string& replacement, bool literal) {
    std::string out;
    std::size_t copied = 0;
    for (const auto& match : find_all(regex, text, -1)) {
        auto start = static_cast<std::size_t>(match[0].data() - text.data());
        out.append(text, copied, start - copied);
        out += literal ? replacement : expand_template(regex, replacement, match);
        check_string_size(out.size());
        copied = start + match[0].size();
    }
    out.append(text, copied, std::string::npos);
    return out;
}

Value sprig_regex_match(Arguments& args) {
    arity("regexMatch", args, 2, 2);
    RE2::Options options;
    options.set_log_errors(false);
    RE2 regex(string_arg("regexMatch", args[0]), options);
    return regex.ok() && RE2::PartialMatch(string_arg("regexMatch", args[1]), regex);
}
Value sprig_must_regex_match(Arguments& args) {
    arity("mustRegexMatch", args, 2, 2);
    auto regex = compile("mustRegexMatch", string_arg("mustRegexMatch", args[0]));
    return RE2::PartialMatch(string_arg("mustRegexMatch", args[1]), *regex);
}
Value sprig_regex_find(Arguments& args) {
    arity("regexFind", args, 2, 2);
    auto regex = compile("regexFind", string_arg("regexFind", args[0]));
    std::string text = string_arg("regexFind", args[1]);
    auto matches = find_all(*regex, text, 1);
    return matches.empty() ? std::string() : std::string(matches[0][0].data(), matches[0][0].size());
}
Value sprig_regex_find_all(Arguments& args) {
    arity("regexFindAll", args, 3, 3);
    auto regex = compile("regexFindAll", string_arg("regexFindAll", args[0]));
    std::string text = string_arg("regexFindAll", args[1]);
    Value out = Value::array();
    for (const auto& match : find_all(*regex, text, to_int64_lenient(args[2]))) {
        out.push_back(std::string(match[0].data(), match[0].size()));
    }
    return out;
}
Value sprig_regex_replace_all(Arguments& args) {
    arity("regexReplaceAll", args, 3, 3);
    auto regex = compile("regexReplaceAll", string_arg("regexReplaceAll", args[0]));
    return replace_matches(*regex, string_arg("regexReplaceAll", args[1]), string_arg("regexReplaceAll", args[2]),
                           false);
}
Value sprig_regex_replace_all_literal(Arguments& args) {
    arity("regexReplaceAllLiteral", args, 3, 3);
    auto regex = compile("regexReplaceAllLiteral", string_arg("regexReplaceAllLiteral", args[0]));
    return replace_matches(*regex, string_arg("regexReplaceAllLiteral", args[1]),
                           string_arg("regexReplaceAllLiteral", args[2]), true);
}
Value sprig_regex_split(Arguments& args) {
    arity("regexSplit", args, 3, 3);
    auto regex = compile("regexSplit", string_arg("regexSplit", args[0]));
    std::string text = string_arg("regexSplit", args[1]);
    auto limit = to_int64_lenient(args[2]);
    Value out = Value::array();
    if (limit == 0) return out;
    if (!regex->pattern().empty() && text.empty()) return Value::array({""});
    std::size_t begin = 0, end = 0;
    for (const auto& match : find_all(*regex, text, limit)) {
        if (limit > 0 && static_cast<std::int64_t>(out.size()) == limit - 1) break;
        auto start = static_cast<std::size_t>(match[0].data() - text.data());
        end = start;
        if (start + match[0].size() != 0) out.push_back(text.substr(begin, end - begin));
        begin = start + match[0].size();
    }
    if (end != text.size()) out.push_back(text.substr(begin));
    return out;
}
Value sprig_regex_quote_meta(Arguments& args) {
    arity("regexQuoteMeta", args, 1, 1);
    return RE2::QuoteMeta(string_arg("regexQuoteMeta", args[0]));
}

// --- lists and dicts --------------------------------------------------------

Value sprig_list(Arguments& args) { return Value(args); }
Value sprig_dict(Arguments& args) {
    Value out = Value::object();
    for (std::size_t i = 0; i < args.size(); i += 2) {
        out[strval(args[i])] = i + 1 < args.size() ? args[i + 1] : Value("");
    }
    return out;
}
Value sprig_get(Arguments& args) {
    arity("get", args, 2, 2);
    const auto& dict = dict_arg("get", args[0]);
    auto found = dict.find(string_arg("get", args[1]));
    return found == dict.end() ? Value("") : *found;
}
Value sprig_set(Arguments& args) {
    arity("set", args, 3, 3);
    Value dict = dict_arg("set", args[0]);
    dict[string_arg("set", args[1])] = args[2];
    return dict;
}
Value sprig_unset(Arguments& args) {
    arity("unset", args, 2, 2);
    Value dict = dict_arg("unset", args[0]);
    dict.erase(string_arg("unset", args[1]));
    return dict;
}
Value sprig_has_key(Arguments& args) {
    arity("hasKey", args, 2, 2);
    return dict_arg("hasKey", args[0]).contains(string_arg("hasKey", args[1]));
}
Value sprig_keys(Arguments& args) {
    Value out = Value::array();
    for (const auto& dict : args) {
        for (const auto& [key, value] : dict_arg("keys", dict).items()) out.push_back(key);
    }
    return out;
}
Value sprig_values(Arguments& args) {
    arity("values", args, 1, 1);
    Value out = Value::array();
    for (const auto& [key, value] : dict_arg("values", args[0]).items()) out.push_back(value);
    return out;
}
Value sprig_pluck(Arguments& args) {
    arity("pluck", args, 1, SIZE_MAX);
    std::string key = string_arg("pluck", args[0]);
    Value out = Value::array();
    for (std::size_t i = 1; i < args.size(); ++i) {
        const auto& dict = dict_arg("pluck", args[i]);
        if (auto found = dict.find(key); found != dict.end()) out.push_back(*found);
    }
    return out;
}
Value sprig_first(Arguments& args) {
    arity("first", args, 1, 1);
    const auto& list = list_arg("first", args[0]);
    return list.empty() ? Value(nullptr) : list.front();
}
Value sprig_last(Arguments& args) {
    arity("last", args, 1, 1);
    const auto& list = list_arg("last", args[0]);
    return list.empty() ? Value(nullptr) : list.back();
}
Value sprig_rest(Arguments& args) {
    arity("rest", args, 1, 1);
    const auto& list = list_arg("rest", args[0]);
    Value out = Value::array();
    for (std::size_t i = 1; i < list.size(); ++i) out.push_back(list[i]);
    return out;
}
Value sprig_initial(Arguments& args) {
    arity("initial", args, 1, 1);
    const auto& list = list_arg("initial", args[0]);
    Value out = Value::array();
    for (std::size_t i = 0; i + 1 < list.size(); ++i) out.push_back(list[i]);
    return out;
}
Value sprig_uniq(Arguments& args) {
    arity("uniq", args, 1, 1);
    Value out = Value::array();
    for (const auto& v : list_arg("uniq", args[0])) {
        if (std::none_of(out.begin(), out.end(), [&](const Value& seen) { return values_equal(seen, v); })) {
            out.push_back(v);
        }
    }
    return out;
}
Value sprig_has(Arguments& args) {
    arity("has", args, 2, 2);
    const auto& list = list_arg("has", args[1]);
    return std::any_of(list.begin(), list.end(), [&](const Value& v) { return values_equal(v, args[0]); });
}
Value sprig_sort_alpha(Arguments& args) {
    arity("sortAlpha", args, 1, 1);
    std::vector<std::string> items;
    if (args[0].is_array()) {
        for (const auto& v : args[0]) items.push_back(strval(v));
    } else {
        items.push_back(strval(args[0]));
    }
    std::sort(items.begin(), items.end());
    return Value(items);
}
Value sprig_reverse(Arguments& args) {
    arity("reverse", args, 1, 1);
    std::vector<Value> items(list_arg("reverse", args[0]).begin(), list_arg("reverse", args[0]).end());
    std::reverse(items.begin(), items.end());
    return Value(items);
}
Value sprig_compact(Arguments& args) {
    arity("compact", args, 1, 1);
    Value out = Value::array();
    for (const auto& v : list_arg("compact", args[0])) {
        if (!empty(v)) out.push_back(v);
    }
    return out;
}
Value sprig_append(Arguments& args) {
    arity("append", args, 2, 2);
    Value list = list_arg("append", args[0]);
    list.push_back(args[1]);
    return list;
}
Value sprig_prepend(Arguments& args) {
    arity("prepend", args, 2, 2);
    Value list = Value::array({args[1]});
    for (const auto& v : list_arg("prepend", args[0])) list.push_back(v);
    return list;
}
Value sprig_concat(Arguments& args) {
    Value out = Value::array();
    for (const auto& list : args) {
        for (const auto& v : list_arg("concat", list)) out.push_back(v);
        check_array_size(out.size());
    }
    return out;
}
Value sprig_without(Arguments& args) {
    arity("without", args, 1, SIZE_MAX);
    Value out = Value::array();
    for (const auto& v : list_arg("without", args[0])) {
        bool excluded = std::any_of(args.begin() + 1, args.end(), [&](const Value& x) { return values_equal(x, v); });
        if (!excluded) out.push_back(v);
    }
    return out;
}
Value sprig_len(Arguments& args) {
    arity("len", args, 1, 1);
    if (args[0].is_string()) return static_cast<std::int64_t>(args[0].get_ref<const std::string&>().size());
    if (args[0].is_structured()) return static_cast<std::int64_t>(args[0].size());
    if (args[0].is_null()) return std::int64_t{0};
    throw ExprError("sprig.len: invalid argument of type " + type_name(args[0]), 0);
}

// untilStep from sprig: the half-open integer range [start, stop) by step.
Value until_step(std::int64_t start, std::int64_t stop, std::int64_t step) {
    // Bounded far from the int64 limits so that i + step never overflows; the array size
    // check ends long loops anyway.
    constexpr std::int64_t kBound = std::int64_t{1} << 62;
    start = std::clamp(start, -kBound, kBound);
    stop = std::clamp(stop, -kBound, kBound);
    step = std::clamp(step, -kBound, kBound);
    Value out = Value::array();
    if (stop < start) {
        if (step >= 0) return out;
        for (std::int64_t i = start; i > stop; i += step) {
            out.push_back(i);
            check_array_size(out.size());
        }
        return out;
    }
    if (step <= 0) return out;
    for (std::int64_t i = start; i < stop; i += step) {
        out.push_back(i);
        check_array_size(out.size());
    }
    return out;
}
Value sprig_until(Arguments& args) {
    arity("until", args, 1, 1);
    auto count = to_int64_lenient(args[0]);
    return until_step(0, count, count < 0 ? -1 : 1);
}
Value sprig_until_step(Arguments& args) {
    arity("untilStep", args, 3, 3);
    return until_step(to_int64_lenient(args[0]), to_int64_lenient(args[1]), to_int64_lenient(args[2]));
}
Value sprig_seq(Arguments& args) {
    std::vector<std::int64_t> p;
    for (const auto& v : args) p.push_back(expect_int("sprig.seq", v));
    Value numbers;
    auto clamp = [](std::int64_t v) { return std::clamp<std::int64_t>(v, INT64_MIN / 4, INT64_MAX / 4); };
    switch (p.size()) {
        case 1: {
            std::int64_t end = clamp(p[0]);
            std::int64_t increment = end < 1 ? -1 : 1;
            numbers = until_step(1, end + increment, increment);
            break;
        }
        case 2: {
            std::int64_t start = clamp(p[0]), end = clamp(p[1]);
            std::int64_t step = end < start ? -1 : 1;
            numbers = until_step(start, end + step, step);
            break;
        }
        case 3: {
            std::int64_t start = clamp(p[0]), step = clamp(p[1]), end = clamp(p[2]);
            std::int64_t increment = 1;
            if (end < start) {
                increment = -1;
                if (step > 0) return "";
            }
            numbers = until_step(start, end + increment, step);
            break;
        }
        default: return "";
    }
    std::vector<std::string> parts;
    for (const auto& n : numbers) parts.push_back(std::to_string(n.get<std::int64_t>()));
    return join_strings(parts, " ");
}

// --- defaults and flow --------------------------------------------------------

Value sprig_default(Arguments& args) {
    arity("default", args, 1, 2);
    if (args.size() == 1 || empty(args[1])) return args[0];
    return args[1];
}
Value sprig_empty(Arguments& args) {
    arity("empty", args, 1, 1);
    return empty(args[0]);
}
Value sprig_coalesce(Arguments& args) {
    for (const auto& v : args) {
        if (!empty(v)) return v;
    }
    return nullptr;
}
Value sprig_all(Arguments& args) {
    return std::none_of(args.begin(), args.end(), [](const Value& v) { return empty(v); });
}
Value sprig_any(Arguments& args) {
    return std::any_of(args.begin(), args.end(), [](const Value& v) { return !empty(v); });
}
Value sprig_ternary(Arguments& args) {
    arity("ternary", args, 3, 3);
    if (!args[2].is_boolean()) throw ExprError("sprig.ternary: condition must be bool", 0);
    return args[2].get<bool>() ? args[0] : args[1];
}

// --- encoding ------------------------------------------------------------------

Value sprig_to_json(Arguments& args) {
    arity("toJson", args, 1, 1);
    return compact_json(args[0]);
}
Value sprig_to_pretty_json(Arguments& args) {
    arity("toPrettyJson", args, 1, 1);
    return args[0].dump(2, ' ', false, Value::error_handler_t::replace);
}
Value sprig_from_json(Arguments& args) {
    arity("fromJson", args, 1, 1);
    auto parsed = parse_json(string_arg("fromJson", args[0]));
    return parsed ? *parsed : Value(nullptr);
}
Value sprig_must_from_json(Arguments& args) {
    arity("mustFromJson", args, 1, 1);
    auto parsed = parse_json(string_arg("mustFromJson", args[0]));
    if (!parsed) throw ExprError("sprig.mustFromJson: invalid JSON", 0);
    return *parsed;
}

// --- dates -------------------------------------------------------------------

// sprig's date accepts time values or unix seconds; Argo hands timestamps over as RFC3339
// strings, so those are parsed too. Anything else is "now", as in sprig.
Timestamp time_arg(const Value& value) {
    if (value.is_string()) {
        if (auto parsed = parse_rfc3339(value.get_ref<const std::string&>())) return *parsed;
    } else if (value.is_number()) {
        Timestamp time;
        time.unix_seconds =
            std::clamp<std::int64_t>(to_int64_lenient(value), -(std::int64_t{1} << 40), std::int64_t{1} << 40);
        time.zone_name = "UTC";
        return time;
    }
    return current_time();
}
Value sprig_date(Arguments& args) {
    arity("date", args, 2, 2);
    return format_go_layout(time_arg(args[1]), string_arg("date", args[0]));
}
Value sprig_date_in_zone(Arguments& args) {
    arity("dateInZone", args, 3, 3);
    Timestamp time = time_arg(args[1]);
    std::string zone = string_arg("dateInZone", args[2]);
    if (zone == "UTC" || zone == "") {
        time.offset_seconds = 0;
        time.zone_name = "UTC";
    }
    return format_go_layout(time, string_arg("dateInZone", args[0]));
}
Value sprig_now(Arguments& args) {
    arity("now", args, 0, 0);
    return format_rfc3339(current_time());
}
Value sprig_unix_epoch(Arguments& args) {
    arity("unixEpoch", args, 1, 1);
    return std::to_string(time_arg(args[0]).unix_seconds);
}

const std::map<std::string_view, Function>& sprig_table() {
    static const std::map<std::string_view, Function> table{
        {"add", sprig_add},
        {"add1", sprig_add1},
        {"sub", sprig_sub},
        {"mul", sprig_mul},
        {"div", sprig_div},
        {"mod", sprig_mod},
        {"max", sprig_max},
        {"min", sprig_min},
        {"addf", sprig_addf},
        {"subf", sprig_subf},
        {"mulf", sprig_mulf},
        {"divf", sprig_divf},
        {"floor", sprig_floor},
        {"ceil", sprig_ceil},
        {"round", sprig_round},
        {"int", sprig_int},
        {"int64", sprig_int},
        {"float64", sprig_float64},
        {"toString", sprig_to_string},
        {"atoi", sprig_atoi},
        {"toStrings", sprig_to_strings},
        {"trim", sprig_trim},
        {"trimAll", sprig_trim_all},
        {"trimPrefix", sprig_trim_prefix},
        {"trimSuffix", sprig_trim_suffix},
        {"upper", sprig_upper},
        {"lower", sprig_lower},
        {"title", sprig_title},
        {"repeat", sprig_repeat},
        {"substr", sprig_substr},
        {"trunc", sprig_trunc},
        {"nospace", sprig_nospace},
        {"contains", sprig_contains},
        {"hasPrefix", sprig_has_prefix},
        {"hasSuffix", sprig_has_suffix},
        {"replace", sprig_replace},
        {"split", sprig_split},
        {"splitList", sprig_split_list},
        {"join", sprig_join},
        {"quote", sprig_quote},
        {"squote", sprig_squote},
        {"cat", sprig_cat},
        {"indent", sprig_indent},
        {"nindent", sprig_nindent},
        {"b64enc", sprig_b64enc},
        {"b64dec", sprig_b64dec},
        {"regexMatch", sprig_regex_match},
        {"mustRegexMatch", sprig_must_regex_match},
        {"regexFind", sprig_regex_find},
        {"regexFindAll", sprig_regex_find_all},
        {"regexReplaceAll", sprig_regex_replace_all},
        {"regexReplaceAllLiteral", sprig_regex_replace_all_literal},
        {"regexSplit", sprig_regex_split},
        {"regexQuoteMeta", sprig_regex_quote_meta},
        {"list", sprig_list},
        {"tuple", sprig_list},
        {"dict", sprig_dict},
        {"get", sprig_get},
        {"set", sprig_set},
        {"unset", sprig_unset},
        {"hasKey", sprig_has_key},
        {"keys", sprig_keys},
        {"values", sprig_values},
        {"pluck", sprig_pluck},
        {"first", sprig_first},
        {"last", sprig_last},
        {"rest", sprig_rest},
        {"initial", sprig_initial},
        {"uniq", sprig_uniq},
        {"has", sprig_has},
        {"sortAlpha", sprig_sort_alpha},
        {"reverse", sprig_reverse},
        {"compact", sprig_compact},
        {"append", sprig_append},
        {"push", sprig_append},
        {"prepend", sprig_prepend},
        {"concat", sprig_concat},
        {"without", sprig_without},
        {"len", sprig_len},
        {"until", sprig_until},
        {"untilStep", sprig_until_step},
        {"seq", sprig_seq},
        {"default", sprig_default},
        {"empty", sprig_empty},
        {"coalesce", sprig_coalesce},
        {"all", sprig_all},
        {"any", sprig_any},
        {"ternary", sprig_ternary},
        {"toJson", sprig_to_json},
        {"mustToJson", sprig_to_json},
        {"toPrettyJson", sprig_to_pretty_json},
        {"fromJson", sprig_from_json},
        {"mustFromJson", sprig_must_from_json},
        {"date", sprig_date},
        {"dateInZone", sprig_date_in_zone},
        {"now", sprig_now},
        {"unixEpoch", sprig_unix_epoch},
    };
    return table;
}

}  // namespace

Function find_sprig(std::string_view name) {
    const auto& table = sprig_table();
    auto found = table.find(name);
    return found == table.end() ? nullptr : found->second;
}

}  // namespace rampart::expr::detail
