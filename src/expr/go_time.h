// Timestamps in Go's model: RFC3339 parsing and time.Format with Go reference layouts
// ("2006-01-02T15:04:05Z07:00"), as sprig's date functions use them.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace rampart::expr::detail {

struct Timestamp {
    std::int64_t unix_seconds = 0;
    std::int32_t nanoseconds = 0;
    std::int32_t offset_seconds = 0;  // local offset east of UTC
    std::string zone_name;            // "UTC" or empty for a numeric offset
};

std::optional<Timestamp> parse_rfc3339(std::string_view text);
Timestamp current_time();  // UTC
std::string format_rfc3339(const Timestamp& time);
std::string format_go_layout(const Timestamp& time, std::string_view layout);

}  // namespace rampart::expr::detail
