#include "expr/text_util.h"

#include <charconv>
#include <cstdint>

#include "expr/value_ops.h"

namespace rampart::expr::detail {

namespace {
bool is_space(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f'; }
}  // namespace

std::string trim_space(std::string_view text) {
    while (!text.empty() && is_space(text.front())) text.remove_prefix(1);
    while (!text.empty() && is_space(text.back())) text.remove_suffix(1);
    return std::string(text);
}

std::string trim_cutset(std::string_view text, std::string_view cutset) {
    while (!text.empty() && cutset.find(text.front()) != std::string_view::npos) text.remove_prefix(1);
    while (!text.empty() && cutset.find(text.back()) != std::string_view::npos) text.remove_suffix(1);
    return std::string(text);
}

std::string replace_all(std::string_view text, std::string_view from, std::string_view to) {
    std::string out;
    if (from.empty()) {
        // Go inserts `to` before every byte and at the end.
        check_string_size(text.size() + (text.size() + 1) * to.size());
        for (char c : text) {
            out += to;
            out += c;
        }
        out += to;
        return out;
    }
    std::size_t pos = 0;
    while (true) {
        std::size_t found = text.find(from, pos);
        if (found == std::string_view::npos) break;
        out.append(text.substr(pos, found - pos));
        out.append(to);
        check_string_size(out.size());
        pos = found + from.size();
    }
    out.append(text.substr(pos));
    return out;
}

std::vector<std::string> split_string(std::string_view text, std::string_view separator, long limit) {
    std::vector<std::string> parts;
    if (limit == 0) return parts;
    if (separator.empty()) {
        for (char c : text) {
            if (limit > 0 && static_cast<long>(parts.size()) == limit - 1) break;
            parts.emplace_back(1, c);
        }
        std::size_t used = parts.size();
        if (used < text.size()) parts.emplace_back(text.substr(used));
        check_array_size(parts.size());
        return parts;
    }
    std::size_t pos = 0;
    while (limit < 0 || static_cast<long>(parts.size()) < limit - 1) {
        std::size_t found = text.find(separator, pos);
        if (found == std::string_view::npos) break;
        parts.emplace_back(text.substr(pos, found - pos));
        check_array_size(parts.size());
        pos = found + separator.size();
    }
    parts.emplace_back(text.substr(pos));
    return parts;
}

std::string join_strings(const std::vector<std::string>& parts, std::string_view separator) {
    std::string out;
    for (std::size_t i = 0; i < parts.size(); ++i) {
        if (i) out.append(separator);
        out.append(parts[i]);
        check_string_size(out.size());
    }
    return out;
}

std::string to_upper(std::string_view text) {
    std::string out(text);
    for (char& c : out) {
        if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
    }
    return out;
}

std::string to_lower(std::string_view text) {
    std::string out(text);
    for (char& c : out) {
        if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    }
    return out;
}

std::string title_case(std::string_view text) {
    std::string out(text);
    bool at_word_start = true;
    for (char& c : out) {
        bool letter = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
                      (static_cast<unsigned char>(c) >= 0x80);
        if (at_word_start && c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
        at_word_start = !letter;
    }
    return out;
}

namespace {
constexpr std::string_view kBase64Alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
}

std::string base64_encode(std::string_view bytes) {
    check_string_size(bytes.size() / 3 * 4 + 4);
    std::string out;
    std::size_t i = 0;
    for (; i + 2 < bytes.size(); i += 3) {
        std::uint32_t chunk = (static_cast<unsigned char>(bytes[i]) << 16) |
                              (static_cast<unsigned char>(bytes[i + 1]) << 8) |
                              static_cast<unsigned char>(bytes[i + 2]);
        out += kBase64Alphabet[(chunk >> 18) & 63];
        out += kBase64Alphabet[(chunk >> 12) & 63];
        out += kBase64Alphabet[(chunk >> 6) & 63];
        out += kBase64Alphabet[chunk & 63];
    }
    std::size_t rest = bytes.size() - i;
    if (rest > 0) {
        std::uint32_t chunk = static_cast<unsigned char>(bytes[i]) << 16;
        if (rest == 2) chunk |= static_cast<unsigned char>(bytes[i + 1]) << 8;
        out += kBase64Alphabet[(chunk >> 18) & 63];
        out += kBase64Alphabet[(chunk >> 12) & 63];
        out += rest == 2 ? kBase64Alphabet[(chunk >> 6) & 63] : '=';
        out += '=';
    }
    return out;
}

std::optional<std::string> base64_decode(std::string_view text) {
    if (text.size() % 4 != 0) return std::nullopt;
    std::string out;
    for (std::size_t i = 0; i < text.size(); i += 4) {
        std::uint32_t chunk = 0;
        int padding = 0;
        for (std::size_t j = 0; j < 4; ++j) {
            char c = text[i + j];
            if (c == '=') {
                // Padding only in the last quantum, and only at its end.
                if (i + 4 != text.size() || j < 2) return std::nullopt;
                ++padding;
                chunk <<= 6;
                continue;
            }
            if (padding) return std::nullopt;
            auto index = kBase64Alphabet.find(c);
            if (index == std::string_view::npos) return std::nullopt;
            chunk = (chunk << 6) | static_cast<std::uint32_t>(index);
        }
        out += static_cast<char>((chunk >> 16) & 0xFF);
        if (padding < 2) out += static_cast<char>((chunk >> 8) & 0xFF);
        if (padding < 1) out += static_cast<char>(chunk & 0xFF);
    }
    return out;
}

std::string go_quote(std::string_view text) {
    static constexpr char kHex[] = "0123456789abcdef";
    std::string out = "\"";
    for (char c : text) {
        auto byte = static_cast<unsigned char>(c);
        switch (c) {
            case '"': out += "\\\""; break;
            case '\\': out += "\\\\"; break;
            case '\n': out += "\\n"; break;
            case '\t': out += "\\t"; break;
            case '\r': out += "\\r"; break;
            default:
                if (byte < 0x20 || byte == 0x7F) {
                    out += "\\x";
                    out += kHex[byte >> 4];
                    out += kHex[byte & 15];
                } else {
                    out += c;
                }
        }
    }
    return out + "\"";
}

std::optional<long long> parse_int(std::string_view text, bool allow_base_prefix) {
    bool negative = false;
    if (!text.empty() && (text[0] == '+' || text[0] == '-')) {
        negative = text[0] == '-';
        text.remove_prefix(1);
    }
    int base = 10;
    if (allow_base_prefix && text.size() > 2 && text[0] == '0') {
        char marker = static_cast<char>(text[1] | 0x20);
        if (marker == 'x') base = 16;
        if (marker == 'o') base = 8;
        if (marker == 'b') base = 2;
        if (base != 10) text.remove_prefix(2);
    }
    if (text.empty()) return std::nullopt;
    std::uint64_t magnitude = 0;
    auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), magnitude, base);
    if (ec != std::errc() || ptr != text.data() + text.size()) return std::nullopt;
    if (negative) {
        if (magnitude > static_cast<std::uint64_t>(INT64_MAX) + 1) return std::nullopt;
        return static_cast<long long>(0 - magnitude);
    }
    if (magnitude > static_cast<std::uint64_t>(INT64_MAX)) return std::nullopt;
    return static_cast<long long>(magnitude);
}

std::optional<double> parse_float(std::string_view text) {
    if (!text.empty() && text[0] == '+') text.remove_prefix(1);
    if (text.empty()) return std::nullopt;
    double value = 0;
    auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (ptr != text.data() + text.size()) return std::nullopt;
    if (ec != std::errc() && ec != std::errc::result_out_of_range) return std::nullopt;
    return value;
}

}  // namespace rampart::expr::detail
