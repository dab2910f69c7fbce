// govaluate (github.com/Knetic/govaluate) as Argo uses it for `when:` conditions.
//
// Argo first substitutes {{...}} tags, then lexes the text with govaluate and turns every
// VARIABLE token into a STRING token, so bare words compare as strings: `heads == heads`
// is true. Names containing dots stay ACCESSOR tokens and fail ("No parameter ... found"),
// and `hello-world` is VARIABLE minus VARIABLE, i.e. a string subtraction error, exactly
// as in Argo. Numbers are float64; `2024-01-01` is therefore 2024 - 1 - 1.
#include <algorithm>
#include <cctype>
#include <cmath>
#include <limits>
#include <memory>

#include <re2/re2.h>

#include "expr/expr.h"
#include "expr/text_util.h"
#include "expr/value_ops.h"

namespace rampart::expr {
namespace {

using detail::go_format_float;

enum class Kind {
    Unknown,  // start of expression
    Prefix,
    Numeric,
    Boolean,
    String,
    Variable,
    Accessor,
    Comparator,
    LogicalOp,
    Modifier,
    Clause,
    ClauseClose,
    Ternary,
    Separator,
};

const char* kind_name(Kind kind) {
    switch (kind) {
        case Kind::Unknown: return "UNKNOWN";
        case Kind::Prefix: return "PREFIX";
        case Kind::Numeric: return "NUMERIC";
        case Kind::Boolean: return "BOOLEAN";
        case Kind::String: return "STRING";
        case Kind::Variable: return "VARIABLE";
        case Kind::Accessor: return "ACCESSOR";
        case Kind::Comparator: return "COMPARATOR";
        case Kind::LogicalOp: return "LOGICALOP";
        case Kind::Modifier: return "MODIFIER";
        case Kind::Clause: return "CLAUSE";
        case Kind::ClauseClose: return "CLAUSE_CLOSE";
        case Kind::Ternary: return "TERNARY";
        case Kind::Separator: return "SEPARATOR";
    }
    return "?";
}

struct Token {
    Kind kind = Kind::Unknown;
    std::string text;  // operator symbol, string content or variable name
    double number = 0;
    bool boolean = false;
    std::size_t column = 0;
};

std::string at(std::size_t column) { return " at column " + std::to_string(column); }

bool is_space(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f'; }
bool is_digit(char c) { return c >= '0' && c <= '9'; }
// unicode.IsLetter, approximated: every non-ASCII byte counts as part of a letter.
bool is_letter(char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || static_cast<unsigned char>(c) >= 0x80;
}
bool is_quote(char c) { return c == '\'' || c == '"'; }

// Whether `next` may follow `previous` (govaluate's lexer state table).
bool can_transition(Kind previous, Kind next) {
    switch (previous) {
        case Kind::Unknown:
            return next == Kind::Prefix || next == Kind::Numeric || next == Kind::Boolean || next == Kind::Variable ||
                   next == Kind::Accessor || next == Kind::String || next == Kind::Clause;
        case Kind::Clause:
            return next == Kind::Prefix || next == Kind::Numeric || next == Kind::Boolean || next == Kind::Variable ||
                   next == Kind::Accessor || next == Kind::String || next == Kind::Clause || next == Kind::ClauseClose;
        case Kind::ClauseClose:
            return next == Kind::Comparator || next == Kind::Modifier || next == Kind::Numeric ||
                   next == Kind::Boolean || next == Kind::Variable || next == Kind::String || next == Kind::Clause ||
                   next == Kind::ClauseClose || next == Kind::LogicalOp || next == Kind::Ternary ||
                   next == Kind::Separator;
        case Kind::Numeric:
        case Kind::Boolean:
        case Kind::String:
        case Kind::Variable:
        case Kind::Accessor:
            return next == Kind::Modifier || next == Kind::Comparator || next == Kind::LogicalOp ||
                   next == Kind::ClauseClose || next == Kind::Ternary || next == Kind::Separator;
        case Kind::Modifier:
            return next == Kind::Prefix || next == Kind::Numeric || next == Kind::Variable || next == Kind::Accessor ||
                   next == Kind::String || next == Kind::Boolean || next == Kind::Clause || next == Kind::ClauseClose;
        case Kind::LogicalOp:
        case Kind::Comparator:
            return next == Kind::Prefix || next == Kind::Numeric || next == Kind::Boolean || next == Kind::Variable ||
                   next == Kind::Accessor || next == Kind::String || next == Kind::Clause || next == Kind::ClauseClose;
        case Kind::Prefix:
            return next == Kind::Numeric || next == Kind::Boolean || next == Kind::Variable || next == Kind::Accessor ||
                   next == Kind::Clause || next == Kind::ClauseClose;
        case Kind::Ternary:
            return next == Kind::Prefix || next == Kind::Numeric || next == Kind::Boolean || next == Kind::String ||
                   next == Kind::Variable || next == Kind::Accessor || next == Kind::Clause || next == Kind::Separator;
        case Kind::Separator:
            return next == Kind::Prefix || next == Kind::Numeric || next == Kind::Boolean || next == Kind::String ||
                   next == Kind::Variable || next == Kind::Accessor || next == Kind::Clause;
    }
    return false;
}

bool may_end(Kind kind) {
    return kind == Kind::Unknown || kind == Kind::ClauseClose || kind == Kind::Numeric || kind == Kind::Boolean ||
           kind == Kind::String || kind == Kind::Variable || kind == Kind::Accessor;
}

class Lexer {
  public:
    explicit Lexer(std::string_view source) : src_(source) {}

    std::vector<Token> run() {
        std::vector<Token> tokens;
        Kind previous = Kind::Unknown;
        while (true) {
            while (pos_ < src_.size() && is_space(src_[pos_])) ++pos_;
            if (pos_ >= src_.size()) break;
            Token token = next(previous);
            previous = token.kind;
            tokens.push_back(std::move(token));
        }
        return tokens;
    }

  private:
    // readUntilFalse: collects characters while `accept` holds; a backslash escapes the
    // next character. Whitespace ends the run when `break_on_space`.
    template <typename Accept>
    std::string read_while(Accept accept, bool break_on_space, bool& terminated) {
        std::string out;
        terminated = false;
        while (pos_ < src_.size()) {
            char c = src_[pos_];
            if (c == '\\') {
                ++pos_;
                if (pos_ < src_.size()) out += src_[pos_++];
                continue;
            }
            if (is_space(c) && break_on_space && !out.empty()) {
                terminated = true;
                break;
            }
            if (!accept(c)) {
                terminated = true;
                break;
            }
            out += c;
            ++pos_;
        }
        return out;
    }

    Token next(Kind previous) {
        Token token;
        token.column = pos_ + 1;
        char c = src_[pos_];
        bool terminated = false;

        if (is_digit(c) || c == '.') {
            if (c == '0' && pos_ + 1 < src_.size() && src_[pos_ + 1] == 'x') {
                pos_ += 2;
                std::string digits = read_while(
                    [](char ch) { return std::isxdigit(static_cast<unsigned char>(ch)) != 0; }, true, terminated);
                token.kind = Kind::Numeric;
                double value = 0;
                for (char d : digits) {
                    value = value * 16 + (is_digit(d) ? d - '0' : (d | 0x20) - 'a' + 10);
                }
                token.number = value;
                return token;
            }
            std::string text = read_while([](char ch) { return is_digit(ch) || ch == '.'; }, true, terminated);
            auto parsed = detail::parse_float(text);
            if (!parsed) {
                throw ExprError("Unable to parse numeric value '" + text + "' to float64" + at(token.column),
                                token.column);
            }
            token.kind = Kind::Numeric;
            token.number = *parsed;
            return token;
        }
        if (c == ',') {
            ++pos_;
            token.kind = Kind::Separator;
            token.text = ",";
            return token;
        }
        if (c == '[') {
            ++pos_;
            std::string name = read_while([](char ch) { return ch != ']'; }, false, terminated);
            if (!terminated) throw ExprError("Unclosed parameter bracket" + at(token.column), token.column);
            ++pos_;  // ']'
            token.kind = Kind::Variable;
            token.text = name;
            return token;
        }
        if (is_letter(c)) {
            std::string name = read_while(
                [](char ch) { return is_letter(ch) || is_digit(ch) || ch == '_' || ch == '.'; }, true, terminated);
            token.text = name;
            token.kind = Kind::Variable;
            if (name == "true" || name == "false") {
                token.kind = Kind::Boolean;
                token.boolean = name == "true";
            } else if (name == "in" || name == "IN") {
                token.kind = Kind::Comparator;
                token.text = "in";
            } else if (name.find('.') != std::string::npos) {
                if (name.back() == '.') {
                    throw ExprError("Hanging accessor on token '" + name + "'" + at(token.column), token.column);
                }
                token.kind = Kind::Accessor;
            }
            return token;
        }
        if (is_quote(c)) {
            ++pos_;
            std::string text = read_while([](char ch) { return !is_quote(ch); }, false, terminated);
            if (!terminated) throw ExprError("Unclosed string literal" + at(token.column), token.column);
            ++pos_;  // closing quote (either kind, as in govaluate)
            token.kind = Kind::String;
            token.text = text;
            return token;
        }
        if (c == '(' || c == ')') {
            ++pos_;
            token.kind = c == '(' ? Kind::Clause : Kind::ClauseClose;
            token.text = std::string(1, c);
            return token;
        }
        std::string symbol = read_while(
            [](char ch) {
                return !(is_digit(ch) || is_letter(ch) || ch == '(' || ch == ')' || ch == '[' || ch == ']' ||
                         is_quote(ch));
            },
            true, terminated);
        token.text = symbol;
        bool prefix_allowed = can_transition(previous, Kind::Prefix);
        if (prefix_allowed && (symbol == "-" || symbol == "!" || symbol == "~")) {
            token.kind = Kind::Prefix;
        } else if (symbol == "+" || symbol == "-" || symbol == "*" || symbol == "/" || symbol == "%" ||
                   symbol == "**" || symbol == "&" || symbol == "|" || symbol == "^" || symbol == ">>" ||
                   symbol == "<<") {
            token.kind = Kind::Modifier;
        } else if (symbol == "&&" || symbol == "||") {
            token.kind = Kind::LogicalOp;
        } else if (symbol == "==" || symbol == "!=" || symbol == ">" || symbol == ">=" || symbol == "<" ||
                   symbol == "<=" || symbol == "=~" || symbol == "!~") {
            token.kind = Kind::Comparator;
        } else if (symbol == "?" || symbol == ":" || symbol == "??") {
            token.kind = Kind::Ternary;
        } else {
            throw ExprError("Invalid token: '" + symbol + "'" + at(token.column) +
                                " (hint: try wrapping the affected expression in quotes (\"))",
                            token.column);
        }
        return token;
    }

    std::string_view src_;
    std::size_t pos_ = 0;
};

std::string show(const Token& token) {
    switch (token.kind) {
        case Kind::Numeric: return go_format_float(token.number);
        case Kind::Boolean: return token.boolean ? "true" : "false";
        default: return token.text;
    }
}

// Argo's rewrite plus govaluate's syntax checks (transitions, balance, dangling end).
std::vector<Token> tokenize_when(std::string_view source) {
    std::vector<Token> tokens = Lexer(source).run();
    for (auto& token : tokens) {
        if (token.kind == Kind::Variable) token.kind = Kind::String;
    }
    Kind previous = Kind::Unknown;
    int balance = 0;
    for (const auto& token : tokens) {
        if (!can_transition(previous, token.kind)) {
            throw ExprError(std::string("Cannot transition token types from ") + kind_name(previous) + " to " +
                                kind_name(token.kind) + " [" + show(token) + "]" + at(token.column),
                            token.column);
        }
        if (token.kind == Kind::Clause) ++balance;
        if (token.kind == Kind::ClauseClose && --balance < 0) {
            throw ExprError("Unbalanced parenthesis" + at(token.column), token.column);
        }
        previous = token.kind;
    }
    if (balance != 0) throw ExprError("Unbalanced parenthesis", source.size() + 1);
    if (!may_end(previous)) throw ExprError("Unexpected end of expression", source.size() + 1);
    return tokens;
}

struct Node {
    const Token* token = nullptr;  // operator or literal
    std::unique_ptr<Node> left, right;
    int height = 1;
};
using NodePtr = std::unique_ptr<Node>;

constexpr int kMaxDepth = 200;
constexpr int kMaxHeight = 256;

// Precedence levels from govaluate's stage planner, lowest first.
enum Level { Separator, Ternary, Or, And, Bitwise, Shift, Comparator, Additive, Multiplicative, Exponential };

bool at_level(const Token& token, int level) {
    const std::string& s = token.text;
    switch (level) {
        case Separator: return token.kind == Kind::Separator;
        case Ternary: return token.kind == Kind::Ternary;
        case Or: return token.kind == Kind::LogicalOp && s == "||";
        case And: return token.kind == Kind::LogicalOp && s == "&&";
        case Bitwise: return token.kind == Kind::Modifier && (s == "&" || s == "|" || s == "^");
        case Shift: return token.kind == Kind::Modifier && (s == "<<" || s == ">>");
        case Comparator: return token.kind == Kind::Comparator;
        case Additive: return token.kind == Kind::Modifier && (s == "+" || s == "-");
        case Multiplicative: return token.kind == Kind::Modifier && (s == "*" || s == "/" || s == "%");
        case Exponential: return token.kind == Kind::Modifier && s == "**";
    }
    return false;
}

class Parser {
  public:
    explicit Parser(const std::vector<Token>& tokens) : tokens_(tokens) {}

    NodePtr parse() {
        if (tokens_.empty()) return nullptr;
        NodePtr root = level(Separator);
        if (index_ < tokens_.size()) {
            const Token& token = tokens_[index_];
            throw ExprError("unexpected '" + show(token) + "'" + at(token.column), token.column);
        }
        return root;
    }

  private:
    NodePtr make(const Token* token, NodePtr left, NodePtr right) {
        auto node = std::make_unique<Node>();
        node->token = token;
        int height = std::max(left ? left->height : 0, right ? right->height : 0);
        node->height = height + 1;
        if (node->height > kMaxHeight)
            throw ExprError("expression nested too deeply" + at(token->column), token->column);
        node->left = std::move(left);
        node->right = std::move(right);
        return node;
    }

    struct Depth {
        Depth(int& depth, std::size_t column) : depth_(depth) {
            if (++depth_ > kMaxDepth) {
                --depth_;
                throw ExprError("expression nested too deeply" + at(column), column);
            }
        }
        ~Depth() { --depth_; }
        Depth(const Depth&) = delete;
        Depth& operator=(const Depth&) = delete;
        int& depth_;
    };

    NodePtr level(int which) {
        if (which > Exponential) return prefix();
        NodePtr left = level(which + 1);
        while (index_ < tokens_.size() && at_level(tokens_[index_], which)) {
            const Token* op = &tokens_[index_++];
            NodePtr right = level(which + 1);
            left = make(op, std::move(left), std::move(right));
        }
        return left;
    }

    NodePtr prefix() {
        if (index_ < tokens_.size() && tokens_[index_].kind == Kind::Prefix) {
            const Token* op = &tokens_[index_++];
            Depth guard(depth_, op->column);
            return make(op, nullptr, prefix());
        }
        return value();
    }

    NodePtr value() {
        if (index_ >= tokens_.size()) throw ExprError("Unexpected end of expression", 0);
        const Token* token = &tokens_[index_++];
        if (token->kind == Kind::Clause) {
            Depth guard(depth_, token->column);
            if (index_ < tokens_.size() && tokens_[index_].kind == Kind::ClauseClose) {
                ++index_;
                return make(token, nullptr, nullptr);  // "()" evaluates to nil
            }
            NodePtr inner = level(Separator);
            if (index_ >= tokens_.size() || tokens_[index_].kind != Kind::ClauseClose) {
                throw ExprError("Unbalanced parenthesis" + at(token->column), token->column);
            }
            ++index_;
            return inner;
        }
        if (token->kind == Kind::Numeric || token->kind == Kind::Boolean || token->kind == Kind::String ||
            token->kind == Kind::Accessor) {
            return make(token, nullptr, nullptr);
        }
        throw ExprError("unexpected '" + show(*token) + "'" + at(token->column), token->column);
    }

    const std::vector<Token>& tokens_;
    std::size_t index_ = 0;
    int depth_ = 0;
};

std::string sprint(const Value& value) { return detail::go_sprint(value); }

[[noreturn]] void type_error(const Value& value, const Token& op, const char* role, const char* wanted) {
    throw ExprError(
        "Value '" + sprint(value) + "' cannot be used with the " + role + " '" + op.text + "', it is not " + wanted,
        op.column);
}

std::int64_t to_bits(double value) { return detail::saturating_int64(value); }

class Evaluator {
  public:
    Value eval(const Node& node) {
        const Token& token = *node.token;
        switch (token.kind) {
            case Kind::Numeric: return token.number;
            case Kind::Boolean: return token.boolean;
            case Kind::String: return token.text;
            case Kind::Clause: return nullptr;
            case Kind::Accessor: {
                std::string root = token.text.substr(0, token.text.find('.'));
                throw ExprError("No parameter '" + root + "' found." + at(token.column), token.column);
            }
            case Kind::Prefix: return prefix(token, eval(*node.right));
            default: break;
        }
        Value left = eval(*node.left);
        // Short-circuits, checked before the right side is evaluated.
        if (token.kind == Kind::LogicalOp) {
            if (!left.is_boolean()) type_error(left, token, "logical operator", "a bool");
            if (token.text == "&&" && !left.get<bool>()) return false;
            if (token.text == "||" && left.get<bool>()) return true;
            Value right = eval(*node.right);
            if (!right.is_boolean()) type_error(right, token, "logical operator", "a bool");
            return right;
        }
        if (token.kind == Kind::Ternary) {
            if (token.text == "?") {
                if (!left.is_boolean()) type_error(left, token, "ternary operator", "a bool");
                return left.get<bool>() ? eval(*node.right) : Value(nullptr);
            }
            return left.is_null() ? eval(*node.right) : left;  // ":" and "??"
        }
        Value right = eval(*node.right);
        if (token.kind == Kind::Separator) {
            Value list = left.is_array() ? left : Value::array({left});
            list.push_back(right);
            return list;
        }
        if (token.kind == Kind::Comparator) return compare(token, left, right);
        return modify(token, left, right);
    }

  private:
    Value prefix(const Token& op, const Value& operand) {
        if (op.text == "!") {
            if (!operand.is_boolean()) type_error(operand, op, "prefix", "a boolean");
            return !operand.get<bool>();
        }
        if (!operand.is_number()) type_error(operand, op, "prefix", "a number");
        double value = operand.get<double>();
        if (op.text == "-") return -value;
        return static_cast<double>(~to_bits(value));
    }

    Value compare(const Token& op, const Value& left, const Value& right) {
        const std::string& s = op.text;
        if (s == "==" || s == "!=") {
            bool equal = left.type() == right.type() && left == right;
            return s == "==" ? equal : !equal;
        }
        if (s == "in") {
            if (!right.is_array()) type_error(right, op, "comparator", "an array");
            return std::any_of(right.begin(), right.end(),
                               [&](const Value& element) { return element.type() == left.type() && element == left; });
        }
        if (s == "=~" || s == "!~") {
            if (!left.is_string()) type_error(left, op, "comparator", "a string");
            if (!right.is_string()) type_error(right, op, "comparator", "a string");
            RE2::Options options;
            options.set_log_errors(false);
            RE2 regex(right.get<std::string>(), options);
            if (!regex.ok()) {
                throw ExprError("Unable to compile regexp pattern '" + right.get<std::string>() + "': " + regex.error(),
                                op.column);
            }
            bool matched = RE2::PartialMatch(left.get<std::string>(), regex);
            return s == "=~" ? matched : !matched;
        }
        int order = 0;
        if (left.is_number() && right.is_number()) {
            double a = left.get<double>(), b = right.get<double>();
            if (std::isnan(a) || std::isnan(b)) return false;
            order = a < b ? -1 : a > b ? 1 : 0;
        } else if (left.is_string() && right.is_string()) {
            int c = left.get_ref<const std::string&>().compare(right.get_ref<const std::string&>());
            order = c < 0 ? -1 : c > 0 ? 1 : 0;
        } else {
            type_error(left.is_number() ? right : left, op, "comparator", "a number");
        }
        if (s == "<") return order < 0;
        if (s == "<=") return order <= 0;
        if (s == ">") return order > 0;
        return order >= 0;
    }

    Value modify(const Token& op, const Value& left, const Value& right) {
        const std::string& s = op.text;
        if (s == "+" && (left.is_string() || right.is_string())) {
            std::string joined = sprint(left) + sprint(right);
            detail::check_string_size(joined.size());
            return joined;
        }
        if (!left.is_number()) type_error(left, op, "modifier", "a number");
        if (!right.is_number()) type_error(right, op, "modifier", "a number");
        double a = left.get<double>(), b = right.get<double>();
        if (s == "+") return a + b;
        if (s == "-") return a - b;
        if (s == "*") return a * b;
        if (s == "/") return a / b;
        if (s == "%") return std::fmod(a, b);
        if (s == "**") return std::pow(a, b);
        std::int64_t x = to_bits(a), y = to_bits(b);
        if (s == "&") return static_cast<double>(x & y);
        if (s == "|") return static_cast<double>(x | y);
        if (s == "^") return static_cast<double>(x ^ y);
        // Go converts the count to uint64: negative counts are huge, so everything shifts out.
        auto count = static_cast<std::uint64_t>(y);
        if (s == "<<") {
            return count >= 64 ? 0.0
                               : static_cast<double>(static_cast<std::int64_t>(static_cast<std::uint64_t>(x) << count));
        }
        if (count >= 64) return x < 0 ? -1.0 : 0.0;
        return static_cast<double>(x >> count);
    }
};

}  // namespace

bool eval_when(std::string_view source) {
    std::vector<Token> tokens = tokenize_when(source);
    NodePtr root = Parser(tokens).parse();
    if (!root) throw ExprError("expected boolean result, got \"\" (empty expression)", 0);
    Value result = Evaluator().eval(*root);
    if (!result.is_boolean()) {
        throw ExprError("expected boolean result, got \"" + sprint(result) + "\" for '" + std::string(source) + "'", 0);
    }
    return result.get<bool>();
}

void check_when(std::string_view source) {
    std::vector<Token> tokens = tokenize_when(source);
    Parser(tokens).parse();
}

}  // namespace rampart::expr
