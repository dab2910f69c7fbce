#include "expr/go_time.h"

#include <array>
#include <chrono>

#include "expr/expr.h"

namespace rampart::expr::detail {
namespace {

// Days since 1970-01-01 for a proleptic Gregorian date (H. Hinnant's algorithm).
std::int64_t days_from_civil(std::int64_t year, unsigned month, unsigned day) {
    year -= month <= 2;
    const std::int64_t era = (year >= 0 ? year : year - 399) / 400;
    const auto year_of_era = static_cast<unsigned>(year - era * 400);
    const unsigned day_of_year = (153 * (month + (month > 2 ? -3 : 9)) + 2) / 5 + day - 1;
    const unsigned day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
    return era * 146097 + static_cast<std::int64_t>(day_of_era) - 719468;
}

struct Civil {
    std::int64_t year;
    unsigned month, day, hour, minute, second, weekday, year_day;
};

Civil civil_from_seconds(std::int64_t seconds) {
    std::int64_t days = seconds / 86400;
    std::int64_t rest = seconds % 86400;
    if (rest < 0) {
        rest += 86400;
        --days;
    }
    Civil c{};
    c.hour = static_cast<unsigned>(rest / 3600);
    c.minute = static_cast<unsigned>(rest / 60 % 60);
    c.second = static_cast<unsigned>(rest % 60);
    c.weekday = static_cast<unsigned>(((days % 7) + 11) % 7);  // 1970-01-01 was a Thursday (4)
    std::int64_t z = days + 719468;
    const std::int64_t era = (z >= 0 ? z : z - 146096) / 146097;
    const auto day_of_era = static_cast<unsigned>(z - era * 146097);
    const unsigned year_of_era = (day_of_era - day_of_era / 1460 + day_of_era / 36524 - day_of_era / 146096) / 365;
    std::int64_t year = static_cast<std::int64_t>(year_of_era) + era * 400;
    const unsigned day_of_year = day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
    const unsigned mp = (5 * day_of_year + 2) / 153;
    c.day = day_of_year - (153 * mp + 2) / 5 + 1;
    c.month = mp < 10 ? mp + 3 : mp - 9;
    c.year = year + (c.month <= 2);
    c.year_day = static_cast<unsigned>(days - days_from_civil(c.year, 1, 1)) + 1;
    return c;
}

constexpr std::array<const char*, 12> kMonths{"January", "February", "March",     "April",   "May",      "June",
                                              "July",    "August",   "September", "October", "November", "December"};
constexpr std::array<const char*, 7> kWeekdays{"Sunday",   "Monday", "Tuesday", "Wednesday",
                                               "Thursday", "Friday", "Saturday"};

std::string pad(std::int64_t value, int width, char fill = '0') {
    bool negative = value < 0;
    std::string digits = std::to_string(negative ? -value : value);
    while (static_cast<int>(digits.size()) < width) digits.insert(digits.begin(), fill);
    return negative ? "-" + digits : digits;
}

bool digits_at(std::string_view text, std::size_t pos, std::size_t count, int& out) {
    if (pos + count > text.size()) return false;
    out = 0;
    for (std::size_t i = 0; i < count; ++i) {
        char c = text[pos + i];
        if (c < '0' || c > '9') return false;
        out = out * 10 + (c - '0');
    }
    return true;
}

std::string zone_offset(std::int32_t offset, bool colon, bool with_seconds, bool hours_only) {
    std::string out = offset < 0 ? "-" : "+";
    std::int32_t magnitude = offset < 0 ? -offset : offset;
    out += pad(magnitude / 3600, 2);
    if (hours_only) return out;
    if (colon) out += ':';
    out += pad(magnitude / 60 % 60, 2);
    if (with_seconds) {
        if (colon) out += ':';
        out += pad(magnitude % 60, 2);
    }
    return out;
}

}  // namespace

std::optional<Timestamp> parse_rfc3339(std::string_view text) {
    int year, month, day, hour, minute, second;
    if (!digits_at(text, 0, 4, year) || text.size() < 20 || text[4] != '-' || !digits_at(text, 5, 2, month) ||
        text[7] != '-' || !digits_at(text, 8, 2, day) || (text[10] != 'T' && text[10] != 't' && text[10] != ' ') ||
        !digits_at(text, 11, 2, hour) || text[13] != ':' || !digits_at(text, 14, 2, minute) || text[16] != ':' ||
        !digits_at(text, 17, 2, second)) {
        return std::nullopt;
    }
    if (month < 1 || month > 12 || day < 1 || day > 31 || hour > 23 || minute > 59 || second > 59) return std::nullopt;
    std::size_t pos = 19;
    std::int32_t nanos = 0;
    if (pos < text.size() && (text[pos] == '.' || text[pos] == ',')) {
        ++pos;
        int scale = 100000000;
        std::size_t start = pos;
        while (pos < text.size() && text[pos] >= '0' && text[pos] <= '9') {
            nanos += (text[pos] - '0') * scale;
            scale /= 10;
            ++pos;
        }
        if (pos == start) return std::nullopt;
    }
    Timestamp time;
    if (pos < text.size() && (text[pos] == 'Z' || text[pos] == 'z')) {
        time.zone_name = "UTC";
        ++pos;
    } else if (pos < text.size() && (text[pos] == '+' || text[pos] == '-')) {
        int zone_hours, zone_minutes;
        if (!digits_at(text, pos + 1, 2, zone_hours) || pos + 3 >= text.size() || text[pos + 3] != ':' ||
            !digits_at(text, pos + 4, 2, zone_minutes) || zone_hours > 23 || zone_minutes > 59) {
            return std::nullopt;
        }
        time.offset_seconds = (zone_hours * 3600 + zone_minutes * 60) * (text[pos] == '-' ? -1 : 1);
        pos += 6;
    } else {
        return std::nullopt;
    }
    if (pos != text.size()) return std::nullopt;
    std::int64_t days = days_from_civil(year, static_cast<unsigned>(month), static_cast<unsigned>(day));
    time.unix_seconds = days * 86400 + hour * 3600 + minute * 60 + second - time.offset_seconds;
    time.nanoseconds = nanos;
    if (time.offset_seconds == 0 && time.zone_name.empty()) time.zone_name = "";
    return time;
}

Timestamp current_time() {
    auto now = std::chrono::system_clock::now().time_since_epoch();
    Timestamp time;
    time.unix_seconds = std::chrono::duration_cast<std::chrono::seconds>(now).count();
    time.nanoseconds =
        static_cast<std::int32_t>(std::chrono::duration_cast<std::chrono::nanoseconds>(now).count() % 1000000000);
    time.zone_name = "UTC";
    return time;
}

std::string format_rfc3339(const Timestamp& time) { return format_go_layout(time, "2006-01-02T15:04:05Z07:00"); }

std::string format_go_layout(const Timestamp& time, std::string_view layout) {
    const Civil c = civil_from_seconds(time.unix_seconds + time.offset_seconds);
    const unsigned hour12 = c.hour % 12 == 0 ? 12 : c.hour % 12;
    std::string out;
    std::size_t i = 0;
    auto starts = [&](std::string_view token) { return layout.substr(i, token.size()) == token; };
    auto take = [&](std::string_view token, const std::string& replacement) {
        if (!starts(token)) return false;
        out += replacement;
        i += token.size();
        return true;
    };
    while (i < layout.size()) {
        // Longest tokens first where they share a prefix, mirroring Go's nextStdChunk.
        if (take("January", kMonths[c.month - 1]) || take("Jan", std::string(kMonths[c.month - 1]).substr(0, 3)) ||
            take("Monday", kWeekdays[c.weekday]) || take("Mon", std::string(kWeekdays[c.weekday]).substr(0, 3)) ||
            take("MST",
                 time.zone_name.empty() ? zone_offset(time.offset_seconds, false, false, false) : time.zone_name) ||
            take("2006", pad(c.year, 4)) || take("002", pad(c.year_day, 3)) || take("01", pad(c.month, 2)) ||
            take("02", pad(c.day, 2)) || take("03", pad(hour12, 2)) || take("04", pad(c.minute, 2)) ||
            take("05", pad(c.second, 2)) || take("06", pad(((c.year % 100) + 100) % 100, 2)) ||
            take("15", pad(c.hour, 2)) || take("__2", pad(c.year_day, 3, ' ')) || take("_2", pad(c.day, 2, ' ')) ||
            take("PM", c.hour >= 12 ? "PM" : "AM") || take("pm", c.hour >= 12 ? "pm" : "am")) {
            continue;
        }
        bool handled_zone = false;
        for (bool z_form : {true, false}) {
            std::string prefix = z_form ? "Z" : "-";
            struct Variant {
                const char* suffix;
                bool colon, seconds, hours_only;
            };
            for (const Variant& v : {Variant{"070000", false, true, false}, Variant{"07:00:00", true, true, false},
                                     Variant{"0700", false, false, false}, Variant{"07:00", true, false, false},
                                     Variant{"07", false, false, true}}) {
                if (starts(prefix + v.suffix)) {
                    out += (z_form && time.offset_seconds == 0)
                               ? "Z"
                               : zone_offset(time.offset_seconds, v.colon, v.seconds, v.hours_only);
                    i += prefix.size() + std::string_view(v.suffix).size();
                    handled_zone = true;
                    break;
                }
            }
            if (handled_zone) break;
        }
        if (handled_zone) continue;
        if ((layout[i] == '.' || layout[i] == ',') && i + 1 < layout.size() &&
            (layout[i + 1] == '0' || layout[i + 1] == '9')) {
            char kind = layout[i + 1];
            std::size_t j = i + 1;
            while (j < layout.size() && layout[j] == kind) ++j;
            if (j >= layout.size() || layout[j] < '0' || layout[j] > '9') {
                std::size_t width = std::min<std::size_t>(j - i - 1, 9);
                std::string fraction = pad(time.nanoseconds, 9).substr(0, width);
                if (kind == '9') {
                    while (!fraction.empty() && fraction.back() == '0') fraction.pop_back();
                    if (!fraction.empty()) out += layout[i] + fraction;
                } else {
                    out += layout[i] + fraction;
                }
                i = j;
                continue;
            }
        }
        char ch = layout[i];
        if (ch == '1') {
            out += std::to_string(c.month);
            ++i;
            continue;
        }
        if (ch == '2') {
            out += std::to_string(c.day);
            ++i;
            continue;
        }
        if (ch == '3') {
            out += std::to_string(hour12);
            ++i;
            continue;
        }
        if (ch == '4') {
            out += std::to_string(c.minute);
            ++i;
            continue;
        }
        if (ch == '5') {
            out += std::to_string(c.second);
            ++i;
            continue;
        }
        out += ch;
        ++i;
    }
    return out;
}

}  // namespace rampart::expr::detail

namespace rampart::expr {

std::optional<std::int64_t> parse_rfc3339_ms(std::string_view text) {
    auto time = detail::parse_rfc3339(text);
    if (!time) return std::nullopt;
    return time->unix_seconds * 1000 + time->nanoseconds / 1'000'000;
}

}  // namespace rampart::expr
