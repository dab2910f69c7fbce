#include "expr/parser.h"

#include <algorithm>
#include <array>
#include <optional>

#include "expr/functions.h"

namespace rampart::expr::detail {
namespace {

// Trees may be somewhat taller than the recursion limit because operator chains such as
// "a + b + c" are built iteratively; evaluation still recurses once per level.
constexpr int kMaxTreeHeight = 256;

struct BinaryOperator {
    std::string_view name;
    int precedence;
    bool right_associative;
};

// expr-lang's precedence table (higher binds tighter).
constexpr std::array<BinaryOperator, 24> kBinaryOperators{{
    {"|", 0, false},        {"or", 10, false},       {"||", 10, false},         {"and", 15, false},
    {"&&", 15, false},      {"==", 20, false},       {"!=", 20, false},         {"<", 20, false},
    {">", 20, false},       {"<=", 20, false},       {">=", 20, false},         {"in", 20, false},
    {"matches", 20, false}, {"contains", 20, false}, {"startsWith", 20, false}, {"endsWith", 20, false},
    {"..", 25, false},      {"+", 30, false},        {"-", 30, false},          {"*", 60, false},
    {"/", 60, false},       {"%", 60, false},        {"**", 100, true},         {"^", 100, true},
}};
constexpr int kCoalescePrecedence = 500;  // "??" binds tighter than everything binary
constexpr int kNotPrecedence = 50;
constexpr int kNegatePrecedence = 90;

bool is_word_operator(std::string_view word) {
    return word == "and" || word == "or" || word == "in" || word == "matches" || word == "contains" ||
           word == "startsWith" || word == "endsWith" || word == "not";
}

bool is_negatable_operator(std::string_view word) {
    return word == "in" || word == "matches" || word == "contains" || word == "startsWith" || word == "endsWith";
}

std::string at_column(std::size_t column) { return " at column " + std::to_string(column); }

class Parser {
  public:
    Parser(std::vector<Token> tokens) : tokens_(std::move(tokens)) {}

    NodePtr parse() {
        NodePtr root = parse_expression(0);
        if (current().kind != TokenKind::End) unexpected();
        return root;
    }

  private:
    const Token& current() const { return tokens_[index_]; }
    const Token& lookahead(std::size_t n = 1) const { return tokens_[std::min(index_ + n, tokens_.size() - 1)]; }
    void advance() {
        if (index_ + 1 < tokens_.size()) ++index_;
    }
    bool is_operator(std::string_view text) const {
        return current().kind == TokenKind::Operator && current().text == text;
    }
    [[noreturn]] void unexpected() const {
        const Token& token = current();
        throw ExprError("unexpected " + describe(token) + at_column(token.column), token.column);
    }
    void expect(std::string_view text) {
        if (!is_operator(text)) {
            const Token& token = current();
            throw ExprError(
                "expected '" + std::string(text) + "' but found " + describe(token) + at_column(token.column),
                token.column);
        }
        advance();
    }

    NodePtr make(NodeKind kind, std::size_t column, std::string name = {}) {
        auto node = std::make_unique<Node>();
        node->kind = kind;
        node->column = column;
        node->name = std::move(name);
        return node;
    }

    // Fixes the node's height once its children are attached.
    NodePtr finish(NodePtr node) {
        int height = 0;
        for (const auto& child : node->children) {
            if (child) height = std::max(height, child->height);
        }
        node->height = height + 1;
        if (node->height > kMaxTreeHeight) too_deep(node->column);
        return node;
    }

    [[noreturn]] static void too_deep(std::size_t column) {
        throw ExprError("expression nested too deeply" + at_column(column), column);
    }

    struct DepthGuard {
        DepthGuard(int& depth, std::size_t column) : depth_(depth) {
            if (++depth_ > kMaxNestingDepth) {
                --depth_;
                too_deep(column);
            }
        }
        ~DepthGuard() { --depth_; }
        DepthGuard(const DepthGuard&) = delete;
        DepthGuard& operator=(const DepthGuard&) = delete;
        int& depth_;
    };

    std::optional<BinaryOperator> binary_operator() const {
        const Token& token = current();
        if (token.kind == TokenKind::Operator && token.text == "??") {
            return BinaryOperator{"??", kCoalescePrecedence, false};
        }
        if (token.kind != TokenKind::Operator && token.kind != TokenKind::Identifier) return std::nullopt;
        if (token.kind == TokenKind::Identifier && !is_word_operator(token.text)) return std::nullopt;
        for (const auto& op : kBinaryOperators) {
            if (op.name == token.text) return op;
        }
        return std::nullopt;
    }

    NodePtr parse_expression(int min_precedence) {
        DepthGuard guard(depth_, current().column);
        NodePtr left = parse_unary();
        while (true) {
            const Token& token = current();
            // "not in", "not matches", ... negate the comparison.
            if (token.kind == TokenKind::Identifier && token.text == "not" &&
                lookahead().kind == TokenKind::Identifier && is_negatable_operator(lookahead().text)) {
                if (20 < min_precedence) break;
                std::size_t column = token.column;
                advance();
                std::string op = current().text;
                advance();
                auto binary = make(NodeKind::Binary, column, op);
                binary->children.push_back(std::move(left));
                binary->children.push_back(parse_expression(21));
                auto negation = make(NodeKind::Unary, column, "not");
                negation->children.push_back(finish(std::move(binary)));
                left = finish(std::move(negation));
                continue;
            }
            auto op = binary_operator();
            if (!op || op->precedence < min_precedence) break;
            if (op->name == "|") {
                left = parse_pipe(std::move(left));
                continue;
            }
            std::size_t column = token.column;
            advance();
            auto node = make(NodeKind::Binary, column, std::string(op->name));
            node->children.push_back(std::move(left));
            node->children.push_back(parse_expression(op->right_associative ? op->precedence : op->precedence + 1));
            left = finish(std::move(node));
        }
        if (min_precedence == 0 && is_operator("?")) {
            std::size_t column = current().column;
            advance();
            auto node = make(NodeKind::Conditional, column);
            node->children.push_back(std::move(left));
            node->children.push_back(parse_expression(0));
            expect(":");
            node->children.push_back(parse_expression(0));
            left = finish(std::move(node));
        }
        return left;
    }

    // "x | f(a)" is sugar for "f(x, a)".
    NodePtr parse_pipe(NodePtr left) {
        advance();  // '|'
        const Token& name = current();
        if (name.kind != TokenKind::Identifier || is_word_operator(name.text)) unexpected();
        if (lookahead().kind != TokenKind::Operator || lookahead().text != "(") {
            advance();
            unexpected();
        }
        std::string function = name.text;
        std::size_t column = name.column;
        advance();
        return parse_call(function, column, std::move(left));
    }

    NodePtr parse_unary() {
        const Token& token = current();
        bool is_not = (token.kind == TokenKind::Identifier && token.text == "not") ||
                      (token.kind == TokenKind::Operator && token.text == "!");
        bool is_sign = token.kind == TokenKind::Operator && (token.text == "-" || token.text == "+");
        if (!is_not && !is_sign) return parse_postfix(parse_primary());
        std::size_t column = token.column;
        std::string op = is_not ? "not" : token.text;
        advance();
        auto node = make(NodeKind::Unary, column, op);
        node->children.push_back(parse_expression(is_not ? kNotPrecedence : kNegatePrecedence));
        return finish(std::move(node));
    }

    NodePtr parse_primary() {
        const Token& token = current();
        switch (token.kind) {
            case TokenKind::Number:
            case TokenKind::String: {
                auto node = make(NodeKind::Literal, token.column);
                node->literal = token.literal;
                advance();
                return node;
            }
            case TokenKind::Pointer: {
                if (closure_depth_ == 0 || (token.text != "#" && token.text != "#index" && token.text != "#acc")) {
                    unexpected();
                }
                auto node = make(NodeKind::Pointer, token.column, token.text);
                advance();
                return node;
            }
            case TokenKind::Identifier: return parse_identifier();
            case TokenKind::Operator: break;
            case TokenKind::End: unexpected();
        }
        if (token.text == "(") {
            advance();
            NodePtr inner = parse_expression(0);
            expect(")");
            return inner;
        }
        if (token.text == "[") return parse_array();
        if (token.text == "{") return parse_map();
        if (token.text == "." && closure_depth_ > 0 && lookahead().kind == TokenKind::Identifier) {
            // ".field" inside a closure is "#.field".
            std::size_t column = token.column;
            advance();
            auto node = make(NodeKind::Member, column);
            node->children.push_back(make(NodeKind::Pointer, column, "#"));
            auto key = make(NodeKind::Literal, current().column);
            key->literal = current().text;
            node->children.push_back(std::move(key));
            advance();
            return finish(std::move(node));
        }
        unexpected();
    }

    NodePtr parse_identifier() {
        const Token& token = current();
        if (token.text == "true" || token.text == "false" || token.text == "nil") {
            auto node = make(NodeKind::Literal, token.column);
            node->literal = token.text == "nil" ? Value(nullptr) : Value(token.text == "true");
            advance();
            return node;
        }
        if (is_word_operator(token.text)) unexpected();
        std::string name = token.text;
        std::size_t column = token.column;
        advance();
        if (is_operator("(")) return parse_call(name, column, nullptr);
        return make(NodeKind::Identifier, column, name);
    }

    NodePtr parse_array() {
        auto node = make(NodeKind::Array, current().column);
        advance();  // '['
        while (!is_operator("]")) {
            node->children.push_back(parse_expression(0));
            if (!is_operator(",")) break;
            advance();
        }
        expect("]");
        return finish(std::move(node));
    }

    NodePtr parse_map() {
        auto node = make(NodeKind::Map, current().column);
        advance();  // '{'
        while (!is_operator("}")) {
            const Token& key = current();
            if (key.kind == TokenKind::Identifier || key.kind == TokenKind::String || key.kind == TokenKind::Number) {
                auto literal = make(NodeKind::Literal, key.column);
                literal->literal = key.kind == TokenKind::Identifier ? Value(key.text)
                                   : key.kind == TokenKind::String   ? key.literal
                                                                     : Value(key.text);
                node->children.push_back(std::move(literal));
                advance();
            } else if (is_operator("(")) {
                advance();
                node->children.push_back(parse_expression(0));
                expect(")");
            } else {
                unexpected();
            }
            expect(":");
            node->children.push_back(parse_expression(0));
            if (!is_operator(",")) break;
            advance();
        }
        expect("}");
        return finish(std::move(node));
    }

    NodePtr parse_postfix(NodePtr node) {
        while (true) {
            bool optional = is_operator("?.");
            if (is_operator(".") || optional) {
                std::size_t column = current().column;
                advance();
                if (optional && is_operator("[")) {
                    node = parse_index(std::move(node), true);
                    continue;
                }
                if (current().kind != TokenKind::Identifier) unexpected();
                std::string field = current().text;
                std::size_t field_column = current().column;
                advance();
                if (is_operator("(")) {
                    // Only namespaced function tables are callable through a member.
                    if (node->kind == NodeKind::Identifier && node->name == "sprig") {
                        node = parse_call("sprig." + field, node->column, nullptr);
                        continue;
                    }
                    throw ExprError("unknown function \"" + field + "\"", field_column);
                }
                auto member = make(NodeKind::Member, column);
                member->optional = optional || inherits_optional(*node);
                auto key = make(NodeKind::Literal, field_column);
                key->literal = field;
                member->children.push_back(std::move(node));
                member->children.push_back(std::move(key));
                node = finish(std::move(member));
                continue;
            }
            if (is_operator("[")) {
                node = parse_index(std::move(node), false);
                continue;
            }
            return node;
        }
    }

    static bool inherits_optional(const Node& node) {
        return (node.kind == NodeKind::Member || node.kind == NodeKind::Slice) && node.optional;
    }

    NodePtr parse_index(NodePtr object, bool optional) {
        std::size_t column = current().column;
        advance();  // '['
        NodePtr from;
        if (!is_operator(":")) {
            from = parse_expression(0);
            if (is_operator("]")) {
                advance();
                auto member = make(NodeKind::Member, column);
                member->optional = optional || inherits_optional(*object);
                member->children.push_back(std::move(object));
                member->children.push_back(std::move(from));
                return finish(std::move(member));
            }
        }
        expect(":");
        NodePtr to;
        if (!is_operator("]")) to = parse_expression(0);
        expect("]");
        auto slice = make(NodeKind::Slice, column);
        slice->optional = optional || inherits_optional(*object);
        slice->children.push_back(std::move(object));
        slice->children.push_back(std::move(from));
        slice->children.push_back(std::move(to));
        return finish(std::move(slice));
    }

    NodePtr parse_call(const std::string& name, std::size_t column, NodePtr piped) {
        bool known = find_builtin(name) != nullptr || is_closure_builtin(name) ||
                     (name.rfind("sprig.", 0) == 0 && find_sprig(std::string_view(name).substr(6)) != nullptr);
        if (!known) throw ExprError("unknown function \"" + name + "\"", column);
        auto call = make(NodeKind::Call, column, name);
        if (piped) call->children.push_back(std::move(piped));
        expect("(");
        while (!is_operator(")")) {
            if (is_closure_builtin(name) && call->children.size() == 1) {
                call->children.push_back(parse_closure());
            } else {
                call->children.push_back(parse_expression(0));
            }
            if (!is_operator(",")) break;
            advance();
        }
        expect(")");
        return finish(std::move(call));
    }

    NodePtr parse_closure() {
        auto closure = make(NodeKind::Closure, current().column);
        ++closure_depth_;
        if (is_operator("{")) {
            advance();
            closure->children.push_back(parse_expression(0));
            expect("}");
        } else {
            closure->children.push_back(parse_expression(0));
        }
        --closure_depth_;
        return finish(std::move(closure));
    }

    std::vector<Token> tokens_;
    std::size_t index_ = 0;
    int depth_ = 0;
    int closure_depth_ = 0;
};

}  // namespace

NodePtr parse_expr(std::string_view source, LexerOptions options) { return Parser(tokenize(source, options)).parse(); }

}  // namespace rampart::expr::detail
