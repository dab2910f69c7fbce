// Helpers shared by the evaluators: type names, numeric conversions with Go semantics,
// and the Go-compatible stringifications Argo users see in their outputs.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>
#include <string>

#include "expr/expr.h"

namespace rampart::expr::detail {

// Guards against pathological inputs (the fuzzer, or a workflow gone wrong): no single
// string or array produced by a function may grow past these.
inline constexpr std::size_t kMaxStringBytes = 1u << 20;
inline constexpr std::size_t kMaxArrayElements = 1u << 17;

// Type names as expr-lang prints them in error messages.
std::string type_name(const Value& value);

bool is_int(const Value& value);            // signed or unsigned integer that fits int64
bool is_number(const Value& value);         // any JSON number
std::int64_t to_int64(const Value& value);  // precondition: is_int
double to_double(const Value& value);       // precondition: is_number

// double -> int64 the way Go converts on amd64-ish platforms, but without C++ UB:
// NaN and out-of-range values saturate.
std::int64_t saturating_int64(double value);

// Two's complement wrapping arithmetic, as Go's int does on overflow.
std::int64_t wrapping_add(std::int64_t a, std::int64_t b);
std::int64_t wrapping_sub(std::int64_t a, std::int64_t b);
std::int64_t wrapping_mul(std::int64_t a, std::int64_t b);

// Go's strconv.FormatFloat(v, 'g', -1, 64), which is also what %v prints for float64.
std::string go_format_float(double value);

// fmt.Sprintf("%v", v) for the JSON value model: nil is "<nil>", arrays "[a b]",
// objects "map[k:v]".
std::string go_sprint(const Value& value);

// JSON text that never throws on invalid UTF-8 (replaced by U+FFFD).
std::string compact_json(const Value& value);

// Value equality as expr-lang defines ==: numbers compare numerically across int/float,
// everything else must have the same type and content.
bool values_equal(const Value& a, const Value& b);

// Parses JSON text; nullopt when invalid or nested deeper than kMaxJsonDepth (deeper
// documents would make recursive consumers such as dump() overflow the stack).
inline constexpr int kMaxJsonDepth = 512;
std::optional<Value> parse_json(std::string_view text);

// Throws when a produced string would exceed kMaxStringBytes.
void check_string_size(std::size_t bytes);
void check_array_size(std::size_t elements);

}  // namespace rampart::expr::detail
