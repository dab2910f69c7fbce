#include "expr/lexer.h"

#include <charconv>
#include <cstdint>

namespace rampart::expr::detail {
namespace {

bool is_ident_start(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || c == '$'; }
bool is_digit(char c) { return c >= '0' && c <= '9'; }
bool is_ident_char(char c) { return is_ident_start(c) || is_digit(c); }

int hex_value(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

void append_utf8(std::string& out, std::uint32_t code_point) {
    if (code_point > 0x10FFFF || (code_point >= 0xD800 && code_point <= 0xDFFF)) {
        code_point = 0xFFFD;  // Go's unquote yields the replacement character as well
    }
    if (code_point < 0x80) {
        out += static_cast<char>(code_point);
    } else if (code_point < 0x800) {
        out += static_cast<char>(0xC0 | (code_point >> 6));
        out += static_cast<char>(0x80 | (code_point & 0x3F));
    } else if (code_point < 0x10000) {
        out += static_cast<char>(0xE0 | (code_point >> 12));
        out += static_cast<char>(0x80 | ((code_point >> 6) & 0x3F));
        out += static_cast<char>(0x80 | (code_point & 0x3F));
    } else {
        out += static_cast<char>(0xF0 | (code_point >> 18));
        out += static_cast<char>(0x80 | ((code_point >> 12) & 0x3F));
        out += static_cast<char>(0x80 | ((code_point >> 6) & 0x3F));
        out += static_cast<char>(0x80 | (code_point & 0x3F));
    }
}

class Lexer {
  public:
    Lexer(std::string_view source, LexerOptions options) : src_(source), options_(options) {}

    std::vector<Token> run() {
        std::vector<Token> tokens;
        while (true) {
            skip_space();
            if (pos_ >= src_.size()) break;
            tokens.push_back(next());
        }
        Token end;
        end.kind = TokenKind::End;
        end.column = src_.size() + 1;
        tokens.push_back(end);
        return tokens;
    }

  private:
    void skip_space() {
        while (pos_ < src_.size() &&
               (src_[pos_] == ' ' || src_[pos_] == '\t' || src_[pos_] == '\n' || src_[pos_] == '\r')) {
            ++pos_;
        }
    }

    char peek(std::size_t ahead = 0) const { return pos_ + ahead < src_.size() ? src_[pos_ + ahead] : '\0'; }

    Token next() {
        std::size_t start = pos_;
        char c = src_[pos_];
        Token token;
        token.column = start + 1;
        if (is_ident_start(c) || (c == '@' && options_.allow_at_sign)) {
            ++pos_;
            while (pos_ < src_.size() && is_ident_char(src_[pos_])) ++pos_;
            token.kind = TokenKind::Identifier;
            token.text = std::string(src_.substr(start, pos_ - start));
            return token;
        }
        if (c == '#') {
            ++pos_;
            while (pos_ < src_.size() && is_ident_char(src_[pos_])) ++pos_;
            token.kind = TokenKind::Pointer;
            token.text = std::string(src_.substr(start, pos_ - start));
            return token;
        }
        if (is_digit(c)) return number(token);
        if (c == '"' || c == '\'') return quoted(token, c);
        if (c == '`') return raw_string(token);

        static constexpr std::string_view kTwoChar[] = {"**", "??", "?.", "..", "==", "!=", "<=", ">=", "&&", "||"};
        for (auto op : kTwoChar) {
            if (src_.substr(pos_, 2) == op) {
                // "a ?.5 : 1" is a ternary, not optional chaining.
                if (op == "?." && is_digit(peek(2))) break;
                pos_ += 2;
                token.kind = TokenKind::Operator;
                token.text = std::string(op);
                return token;
            }
        }
        static constexpr std::string_view kOneChar = "+-*/%^!<>?:.,()[]{}|";
        if (kOneChar.find(c) != std::string_view::npos) {
            ++pos_;
            token.kind = TokenKind::Operator;
            token.text = std::string(1, c);
            return token;
        }
        // Built with append() rather than operator+ chains: GCC 12 reports a false
        // -Wrestrict positive for the latter at -O3.
        std::string message = "unexpected ";
        if (static_cast<unsigned char>(c) < 0x20 || static_cast<unsigned char>(c) >= 0x7F) {
            message.append("character");
        } else {
            message.append(1, '\'').append(1, c).append(1, '\'');
        }
        message.append(" at column ").append(std::to_string(start + 1));
        throw ExprError(message, start + 1);
    }

    Token number(Token& token) {
        std::size_t start = pos_;
        token.kind = TokenKind::Number;
        int base = 10;
        if (peek() == '0' && (peek(1) == 'x' || peek(1) == 'X' || peek(1) == 'o' || peek(1) == 'O' || peek(1) == 'b' ||
                              peek(1) == 'B')) {
            char marker = static_cast<char>(peek(1) | 0x20);
            base = marker == 'x' ? 16 : marker == 'o' ? 8 : 2;
            pos_ += 2;
            std::string digits;
            while (pos_ < src_.size() && (hex_value(src_[pos_]) >= 0 || src_[pos_] == '_')) {
                if (src_[pos_] != '_') digits += src_[pos_];
                ++pos_;
            }
            std::uint64_t parsed = 0;
            auto [ptr, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), parsed, base);
            if (digits.empty() || ec != std::errc() || ptr != digits.data() + digits.size() ||
                parsed > static_cast<std::uint64_t>(INT64_MAX)) {
                throw ExprError("invalid number literal at column " + std::to_string(start + 1), start + 1);
            }
            token.literal = static_cast<std::int64_t>(parsed);
            token.text = std::string(src_.substr(start, pos_ - start));
            return token;
        }
        std::string digits;
        bool is_float = false;
        auto read_digits = [&] {
            while (pos_ < src_.size() && (is_digit(src_[pos_]) || src_[pos_] == '_')) {
                if (src_[pos_] != '_') digits += src_[pos_];
                ++pos_;
            }
        };
        read_digits();
        // "1..3" is a range, so a dot only starts a fraction when a digit follows.
        if (peek() == '.' && is_digit(peek(1))) {
            is_float = true;
            digits += '.';
            ++pos_;
            read_digits();
        }
        if (peek() == 'e' || peek() == 'E') {
            std::size_t save = pos_;
            std::string exponent = "e";
            ++pos_;
            if (peek() == '+' || peek() == '-') exponent += src_[pos_++];
            if (is_digit(peek())) {
                while (pos_ < src_.size() && is_digit(src_[pos_])) exponent += src_[pos_++];
                digits += exponent;
                is_float = true;
            } else {
                pos_ = save;
            }
        }
        token.text = std::string(src_.substr(start, pos_ - start));
        if (!is_float) {
            std::int64_t parsed = 0;
            auto [ptr, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), parsed);
            if (ec == std::errc() && ptr == digits.data() + digits.size()) {
                token.literal = parsed;
                return token;
            }
        }
        double parsed = 0;
        auto [ptr, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), parsed);
        if (ptr != digits.data() + digits.size() || (ec != std::errc() && ec != std::errc::result_out_of_range)) {
            throw ExprError("invalid number literal at column " + std::to_string(start + 1), start + 1);
        }
        token.literal = parsed;
        return token;
    }

    Token quoted(Token& token, char quote) {
        std::size_t start = pos_;
        ++pos_;
        std::string value;
        while (true) {
            if (pos_ >= src_.size()) {
                throw ExprError("unterminated string at column " + std::to_string(start + 1), start + 1);
            }
            char c = src_[pos_];
            if (c == quote) {
                ++pos_;
                break;
            }
            if (c != '\\') {
                value += c;
                ++pos_;
                continue;
            }
            std::size_t escape_column = pos_ + 1;
            ++pos_;
            if (pos_ >= src_.size()) {
                throw ExprError("unterminated string at column " + std::to_string(start + 1), start + 1);
            }
            char e = src_[pos_++];
            switch (e) {
                case 'n': value += '\n'; break;
                case 't': value += '\t'; break;
                case 'r': value += '\r'; break;
                case 'a': value += '\a'; break;
                case 'b': value += '\b'; break;
                case 'f': value += '\f'; break;
                case 'v': value += '\v'; break;
                case '\\': value += '\\'; break;
                case '\'': value += '\''; break;
                case '"': value += '"'; break;
                case 'x': value += static_cast<char>(hex_escape(2, escape_column)); break;
                case 'u': append_utf8(value, hex_escape(4, escape_column)); break;
                case 'U': append_utf8(value, hex_escape(8, escape_column)); break;
                default:
                    if (e >= '0' && e <= '7') {
                        unsigned octal = static_cast<unsigned>(e - '0');
                        for (int i = 0; i < 2; ++i) {
                            if (pos_ >= src_.size() || src_[pos_] < '0' || src_[pos_] > '7') {
                                throw ExprError("invalid escape sequence at column " + std::to_string(escape_column),
                                                escape_column);
                            }
                            octal = octal * 8 + static_cast<unsigned>(src_[pos_++] - '0');
                        }
                        if (octal > 255) {
                            throw ExprError("invalid escape sequence at column " + std::to_string(escape_column),
                                            escape_column);
                        }
                        value += static_cast<char>(octal);
                        break;
                    }
                    throw ExprError("invalid escape sequence at column " + std::to_string(escape_column),
                                    escape_column);
            }
        }
        token.kind = TokenKind::String;
        token.literal = std::move(value);
        token.text = std::string(src_.substr(start, pos_ - start));
        return token;
    }

    std::uint32_t hex_escape(int length, std::size_t escape_column) {
        std::uint32_t code = 0;
        for (int i = 0; i < length; ++i) {
            int digit = pos_ < src_.size() ? hex_value(src_[pos_]) : -1;
            if (digit < 0) {
                throw ExprError("invalid escape sequence at column " + std::to_string(escape_column), escape_column);
            }
            code = code * 16 + static_cast<std::uint32_t>(digit);
            ++pos_;
        }
        return code;
    }

    Token raw_string(Token& token) {
        std::size_t start = pos_;
        std::size_t close = src_.find('`', pos_ + 1);
        if (close == std::string_view::npos) {
            throw ExprError("unterminated string at column " + std::to_string(start + 1), start + 1);
        }
        token.kind = TokenKind::String;
        token.literal = std::string(src_.substr(start + 1, close - start - 1));
        pos_ = close + 1;
        token.text = std::string(src_.substr(start, pos_ - start));
        return token;
    }

    std::string_view src_;
    LexerOptions options_;
    std::size_t pos_ = 0;
};

}  // namespace

std::vector<Token> tokenize(std::string_view source, LexerOptions options) { return Lexer(source, options).run(); }

std::string describe(const Token& token) {
    switch (token.kind) {
        case TokenKind::End: return "end of expression";
        case TokenKind::Identifier: return "'" + token.text + "'";
        default: return "'" + token.text + "'";
    }
}

}  // namespace rampart::expr::detail
