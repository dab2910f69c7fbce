// Small string helpers with Go's semantics (strings.TrimSpace, strings.Trim, base64, %q).
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace rampart::expr::detail {

std::string trim_space(std::string_view text);
std::string trim_cutset(std::string_view text, std::string_view cutset);  // strings.Trim
std::string replace_all(std::string_view text, std::string_view from, std::string_view to);
std::vector<std::string> split_string(std::string_view text, std::string_view separator, long limit = -1);
std::string join_strings(const std::vector<std::string>& parts, std::string_view separator);
std::string to_upper(std::string_view text);
std::string to_lower(std::string_view text);
std::string title_case(std::string_view text);  // strings.Title (ASCII letters)
std::string base64_encode(std::string_view bytes);
std::optional<std::string> base64_decode(std::string_view text);
std::string go_quote(std::string_view text);  // strconv.Quote for the common cases
// Parses a whole string as Go's strconv.ParseInt(s, 10, 64) / ParseFloat(s, 64) would.
std::optional<long long> parse_int(std::string_view text, bool allow_base_prefix = false);
std::optional<double> parse_float(std::string_view text);

}  // namespace rampart::expr::detail
