// DAG `depends:` conditions: task references with optional results combined by && || !.
#include <algorithm>

#include "expr/expr.h"

namespace rampart::expr {

enum class ResultCheck { Default, Succeeded, Failed, Errored, Skipped, Omitted, Daemoned, AnySucceeded, AllFailed };

struct DependsExpr::Node {
    enum class Kind { Reference, Not, And, Or } kind = Kind::Reference;
    std::string task;
    ResultCheck check = ResultCheck::Default;
    // And/Or are n-ary so that long chains do not deepen the tree.
    std::vector<std::unique_ptr<Node>> children;
};

namespace {

using Node = DependsExpr::Node;
constexpr int kMaxDepth = 200;

bool is_name_char(char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '_';
}

std::string at(std::size_t column) { return " at column " + std::to_string(column); }

class Parser {
  public:
    explicit Parser(std::string_view source) : src_(source) {}

    std::unique_ptr<Node> parse() {
        auto root = parse_or();
        skip_space();
        if (pos_ < src_.size()) unexpected();
        return root;
    }

    std::vector<std::string> tasks;

  private:
    void skip_space() {
        while (pos_ < src_.size() &&
               (src_[pos_] == ' ' || src_[pos_] == '\t' || src_[pos_] == '\n' || src_[pos_] == '\r')) {
            ++pos_;
        }
    }

    bool accept(std::string_view symbol) {
        skip_space();
        if (src_.substr(pos_, symbol.size()) == symbol) {
            pos_ += symbol.size();
            return true;
        }
        return false;
    }

    [[noreturn]] void unexpected() {
        skip_space();
        std::size_t column = pos_ + 1;
        if (pos_ >= src_.size()) throw ExprError("unexpected end of depends expression" + at(column), column);
        throw ExprError("unexpected '" + std::string(1, src_[pos_]) + "'" + at(column), column);
    }

    std::unique_ptr<Node> chain(Node::Kind kind, std::string_view symbol, std::unique_ptr<Node> (Parser::*operand)()) {
        auto first = (this->*operand)();
        if (!accept(symbol)) return first;
        auto node = std::make_unique<Node>();
        node->kind = kind;
        node->children.push_back(std::move(first));
        do {
            node->children.push_back((this->*operand)());
        } while (accept(symbol));
        return node;
    }

    std::unique_ptr<Node> parse_or() { return chain(Node::Kind::Or, "||", &Parser::parse_and); }
    std::unique_ptr<Node> parse_and() { return chain(Node::Kind::And, "&&", &Parser::parse_unary); }

    struct Depth {
        Depth(int& depth, std::size_t column) : depth_(depth) {
            if (++depth_ > kMaxDepth) {
                --depth_;
                throw ExprError("depends expression nested too deeply" + at(column), column);
            }
        }
        ~Depth() { --depth_; }
        Depth(const Depth&) = delete;
        Depth& operator=(const Depth&) = delete;
        int& depth_;
    };

    std::unique_ptr<Node> parse_unary() {
        skip_space();
        std::size_t column = pos_ + 1;
        if (accept("!")) {
            Depth guard(depth_, column);
            auto node = std::make_unique<Node>();
            node->kind = Node::Kind::Not;
            node->children.push_back(parse_unary());
            return node;
        }
        if (accept("(")) {
            Depth guard(depth_, column);
            auto inner = parse_or();
            if (!accept(")")) unexpected();
            return inner;
        }
        return parse_reference();
    }

    std::unique_ptr<Node> parse_reference() {
        skip_space();
        std::size_t start = pos_;
        while (pos_ < src_.size() && is_name_char(src_[pos_])) ++pos_;
        if (pos_ == start) unexpected();
        auto node = std::make_unique<Node>();
        node->task = std::string(src_.substr(start, pos_ - start));
        if (std::find(tasks.begin(), tasks.end(), node->task) == tasks.end()) tasks.push_back(node->task);
        if (pos_ < src_.size() && src_[pos_] == '.') {
            ++pos_;
            std::size_t result_start = pos_;
            while (pos_ < src_.size() && is_name_char(src_[pos_])) ++pos_;
            std::string result(src_.substr(result_start, pos_ - result_start));
            static const std::pair<std::string_view, ResultCheck> kResults[] = {
                {"Succeeded", ResultCheck::Succeeded},       {"Failed", ResultCheck::Failed},
                {"Errored", ResultCheck::Errored},           {"Skipped", ResultCheck::Skipped},
                {"Omitted", ResultCheck::Omitted},           {"Daemoned", ResultCheck::Daemoned},
                {"AnySucceeded", ResultCheck::AnySucceeded}, {"AllFailed", ResultCheck::AllFailed},
            };
            auto found = std::find_if(std::begin(kResults), std::end(kResults),
                                      [&](const auto& entry) { return entry.first == result; });
            if (found == std::end(kResults)) {
                throw ExprError("unknown task result \"" + result + "\" for task \"" + node->task + "\"" +
                                    at(result_start + 1) +
                                    " (expected Succeeded, Failed, Errored, Skipped, Omitted, Daemoned, "
                                    "AnySucceeded or AllFailed)",
                                result_start + 1);
            }
            node->check = found->second;
        }
        return node;
    }

    std::string_view src_;
    std::size_t pos_ = 0;
    int depth_ = 0;
};

bool evaluate_node(const Node& node, const DependsExpr::Lookup& lookup) {
    switch (node.kind) {
        case Node::Kind::Not: return !evaluate_node(*node.children[0], lookup);
        case Node::Kind::And:
            return std::all_of(node.children.begin(), node.children.end(),
                               [&](const auto& child) { return evaluate_node(*child, lookup); });
        case Node::Kind::Or:
            return std::any_of(node.children.begin(), node.children.end(),
                               [&](const auto& child) { return evaluate_node(*child, lookup); });
        case Node::Kind::Reference: break;
    }
    const TaskResult result = lookup(node.task);
    switch (node.check) {
        case ResultCheck::Default:
            // Argo: a bare "A" means (A.Succeeded || A.Skipped || A.Daemoned), with "|| A.Failed"
            // and "|| A.Errored" added when A's continueOn allows those.
            return result.phase == TaskPhase::Succeeded || result.phase == TaskPhase::Skipped || result.daemoned ||
                   (result.continue_on_failed && result.phase == TaskPhase::Failed) ||
                   (result.continue_on_error && result.phase == TaskPhase::Error);
        case ResultCheck::Succeeded: return result.phase == TaskPhase::Succeeded;
        case ResultCheck::Failed: return result.phase == TaskPhase::Failed;
        case ResultCheck::Errored: return result.phase == TaskPhase::Error;
        case ResultCheck::Skipped: return result.phase == TaskPhase::Skipped;
        case ResultCheck::Omitted: return result.phase == TaskPhase::Omitted;
        case ResultCheck::Daemoned: return result.daemoned;
        case ResultCheck::AnySucceeded: return result.any_succeeded;
        case ResultCheck::AllFailed: return result.all_failed;
    }
    return false;
}

}  // namespace

bool is_completed(TaskPhase phase) {
    return phase == TaskPhase::Succeeded || phase == TaskPhase::Failed || phase == TaskPhase::Error ||
           phase == TaskPhase::Skipped || phase == TaskPhase::Omitted;
}

DependsExpr::DependsExpr() = default;

DependsExpr::DependsExpr(std::shared_ptr<const Node> root, std::vector<std::string> tasks)
    : root_(std::move(root)), tasks_(std::move(tasks)) {}

bool DependsExpr::evaluate(const Lookup& lookup) const {
    return !root_ || evaluate_node(*root_, lookup);  // no dependencies: always ready
}

bool DependsExpr::resolvable(const Lookup& lookup) const {
    return std::all_of(tasks_.begin(), tasks_.end(), [&](const std::string& task) {
        TaskResult result = lookup(task);
        return is_completed(result.phase) || result.daemoned;
    });
}

DependsExpr parse_depends(std::string_view source) {
    if (source.find_first_not_of(" \t\r\n") == std::string_view::npos) return DependsExpr();
    Parser parser(source);
    std::shared_ptr<const Node> root = parser.parse();
    return DependsExpr(std::move(root), std::move(parser.tasks));
}

std::string dependencies_to_depends(const std::vector<std::string>& dependencies) {
    std::string out;
    for (const auto& dependency : dependencies) {
        if (!out.empty()) out += " && ";
        out += dependency;
    }
    return out;
}

}  // namespace rampart::expr
