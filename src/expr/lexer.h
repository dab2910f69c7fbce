// Tokenizer for expr-lang source text.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "expr/expr.h"

namespace rampart::expr::detail {

enum class TokenKind {
    Identifier,  // names and word operators (and, or, not, in, matches, ...)
    Pointer,     // "#", "#index", "#acc" inside closures
    Number,      // literal holds an int or float Value
    String,      // literal holds the unescaped string
    Operator,    // punctuation: + - ** ?? ?. .. ( ) [ ] { } , : ...
    End,
};

struct Token {
    TokenKind kind = TokenKind::End;
    std::string text;        // operator or identifier spelling
    Value literal;           // Number / String payload
    std::size_t column = 0;  // 1-based byte column of the first character
};

struct LexerOptions {
    // jsonpath filters use "@" for the current node; the lexer then reads it as an identifier.
    bool allow_at_sign = false;
};

// Throws ExprError for unterminated strings, bad escapes, malformed numbers and
// characters that cannot start any token.
std::vector<Token> tokenize(std::string_view source, LexerOptions options = {});

// Human name of a token for messages: "')'", "end of expression", "identifier foo".
std::string describe(const Token& token);

}  // namespace rampart::expr::detail
