// "{{...}}" template tags: finding, substitution and reference extraction.
#include <algorithm>
#include <optional>

#include "expr/ast.h"
#include "expr/expr.h"
#include "expr/parser.h"
#include "expr/text_util.h"
#include "expr/value_ops.h"

namespace rampart::expr {

std::vector<Tag> find_tags(std::string_view text) {
    std::vector<Tag> tags;
    std::size_t pos = 0;
    while (true) {
        std::size_t open = text.find("{{", pos);
        if (open == std::string_view::npos) break;
        // Like Argo's fasttemplate, a tag ends at the first "}}" after its opening.
        std::size_t close = text.find("}}", open + 2);
        if (close == std::string_view::npos) {
            throw ExprError("unterminated tag \"{{\" at column " + std::to_string(open + 1), open + 1);
        }
        std::string_view raw = text.substr(open + 2, close - open - 2);
        Tag tag;
        tag.begin = open;
        tag.end = close + 2;
        tag.is_expression = !raw.empty() && raw.front() == '=';
        tag.body = detail::trim_space(tag.is_expression ? raw.substr(1) : raw);
        tags.push_back(std::move(tag));
        pos = close + 2;
    }
    return tags;
}

Value expand_scope(const Scope& scope) {
    Value root = Value::object();
    // Name order puts "a" before "a.b", so a leaf is always seen before its children.
    scope.for_each([&root](const std::string& name, const Value& value) {
        std::vector<std::string> segments = detail::split_string(name, ".");
        Value* node = &root;
        for (std::size_t i = 0; i + 1 < segments.size(); ++i) {
            Value& child = (*node)[segments[i]];
            // Children win over a scalar leaf, as Argo's expand does.
            if (!child.is_object()) child = Value::object();
            node = &child;
        }
        Value& slot = (*node)[segments.back()];
        if (slot.is_object() && value.is_object()) {
            for (const auto& [key, element] : value.items()) {
                if (!slot.contains(key)) slot[key] = element;
            }
        } else if (!slot.is_object() || slot.empty()) {
            slot = value;
        }
    });
    return root;
}

std::string to_template_string(const Value& value) {
    switch (value.type()) {
        case Value::value_t::null: return "";
        case Value::value_t::string: return value.get<std::string>();
        case Value::value_t::array:
        case Value::value_t::object: return detail::compact_json(value);
        default: return detail::go_sprint(value);
    }
}

std::string substitute(std::string_view text, const Scope& scope, Unresolved policy) {
    std::vector<Tag> tags = find_tags(text);
    std::string out;
    std::size_t copied = 0;
    std::optional<Value> env;  // expanded lazily: most templates have no expression tags
    for (const Tag& tag : tags) {
        out.append(text.substr(copied, tag.begin - copied));
        copied = tag.end;
        std::string_view original = text.substr(tag.begin, tag.end - tag.begin);
        if (!tag.is_expression) {
            if (const Value* found = scope.find(tag.body)) {
                out += found->is_string() ? found->get<std::string>() : detail::compact_json(*found);
            } else if (policy == Unresolved::Keep) {
                out.append(original);
            } else {
                throw ExprError("failed to resolve " + std::string(original), tag.begin + 1);
            }
            continue;
        }
        // Column of the body inside `text`, so that errors point into the whole template.
        std::size_t body_offset = text.find(tag.body, tag.begin + 3);
        if (tag.body.empty() || body_offset == std::string_view::npos) body_offset = tag.begin + 3;
        try {
            if (!env) env = expand_scope(scope);
            Value result = eval_expr(tag.body, *env);
            if (result.is_null()) {
                if (policy == Unresolved::Keep) {
                    out.append(original);
                    continue;
                }
                throw ExprError("failed to evaluate expression \"" + tag.body + "\": result is nil", 0);
            }
            std::string rendered = to_template_string(result);
            detail::check_string_size(out.size() + rendered.size());
            out += rendered;
        } catch (const ExprError& error) {
            // Keep: a later stage (with more variables in scope) may resolve it.
            if (policy == Unresolved::Keep) {
                out.append(original);
                continue;
            }
            std::size_t column = error.column() == 0 ? tag.begin + 1 : body_offset + error.column();
            std::string message = error.what();
            if (message.rfind("failed to evaluate expression", 0) != 0) {
                message = "failed to evaluate expression \"" + tag.body + "\": " + message;
            }
            throw ExprError(message, column);
        }
    }
    out.append(text.substr(copied));
    return out;
}

namespace {

// "a.b['c-d']" -> "a.b.c-d"; nullopt when the chain has a computed part or no named root.
std::optional<std::string> static_path(const detail::Node& node) {
    if (node.kind == detail::NodeKind::Identifier) return node.name;
    if (node.kind == detail::NodeKind::Member && node.children[1]->kind == detail::NodeKind::Literal &&
        node.children[1]->literal.is_string()) {
        auto base = static_path(*node.children[0]);
        if (base) return *base + "." + node.children[1]->literal.get<std::string>();
    }
    return std::nullopt;
}

void collect_paths(const detail::Node& node, std::vector<std::string>& out) {
    if (node.kind == detail::NodeKind::Identifier || node.kind == detail::NodeKind::Member) {
        if (auto path = static_path(node)) {
            if (std::find(out.begin(), out.end(), *path) == out.end()) out.push_back(*path);
            return;
        }
    }
    for (const auto& child : node.children) {
        if (child) collect_paths(*child, out);
    }
}

}  // namespace

std::vector<std::string> referenced_names(std::string_view text) {
    std::vector<std::string> names;
    for (const Tag& tag : find_tags(text)) {
        if (!tag.is_expression) {
            if (std::find(names.begin(), names.end(), tag.body) == names.end()) names.push_back(tag.body);
            continue;
        }
        try {
            detail::NodePtr root = detail::parse_expr(tag.body);
            collect_paths(*root, names);
        } catch (const ExprError&) {
            // Best effort: validators report the syntax error separately via check_expr.
        }
    }
    return names;
}

}  // namespace rampart::expr
