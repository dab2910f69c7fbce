// Syntax tree of an expr-lang expression.
#pragma once

#include <cstddef>
#include <memory>
#include <string>
#include <vector>

#include "expr/expr.h"

namespace rampart::expr::detail {

enum class NodeKind {
    Literal,      // literal
    Identifier,   // name
    Pointer,      // name is "#", "#index" or "#acc" (closure parameters)
    Member,       // children: object, key expression; optional for "?."
    Slice,        // children: object, from (may be null), to (may be null)
    Call,         // name is the function ("len", "sprig.add"); children: arguments
    Unary,        // name is the operator; children: operand
    Binary,       // name is the operator; children: left, right
    Conditional,  // children: condition, then, else
    Array,        // children: elements
    Map,          // children: key0, value0, key1, value1, ...
    Closure,      // children: body, evaluated once per element by the calling builtin
};

struct Node;
using NodePtr = std::unique_ptr<Node>;

struct Node {
    NodeKind kind = NodeKind::Literal;
    std::size_t column = 0;  // 1-based column of the token that introduced the node
    std::string name;
    Value literal;
    // "a?.b": nil object yields nil. Also set on every member that follows an optional one,
    // because expr-lang short-circuits the rest of the chain.
    bool optional = false;
    int height = 1;  // longest path to a leaf; bounded so evaluation recursion is bounded
    std::vector<NodePtr> children;
};

}  // namespace rampart::expr::detail
