// JSONPath as Argo's jsonpath() exposes it: $.a.b, $['a'], [n], [*], [a:b], ..name and
// [?(filter)] where the filter is an expression over @ (current node) and $ (root).
// Definite paths (only names and single indexes) yield the value itself, others an array.
#include <optional>

#include "expr/evaluator.h"
#include "expr/functions.h"
#include "expr/parser.h"
#include "expr/value_ops.h"

namespace rampart::expr::detail {
namespace {

enum class SegmentKind { Names, Indexes, Wildcard, Slice, Filter };

struct Segment {
    SegmentKind kind = SegmentKind::Names;
    bool recursive = false;  // preceded by ".."
    std::vector<std::string> names;
    std::vector<std::int64_t> indexes;
    std::optional<std::int64_t> slice_start, slice_end;
    std::int64_t slice_step = 1;
    std::shared_ptr<Node> filter;
};

[[noreturn]] void path_error(const std::string& message) { throw ExprError("jsonpath: " + message, 0); }

class PathParser {
  public:
    explicit PathParser(std::string_view path) : path_(path) {}

    std::vector<Segment> parse() {
        skip_space();
        if (!consume('$')) path_error("path must start with '$'");
        std::vector<Segment> segments;
        while (true) {
            skip_space();
            if (pos_ >= path_.size()) break;
            bool recursive = false;
            if (path_.substr(pos_, 2) == "..") {
                recursive = true;
                pos_ += 2;
                if (pos_ < path_.size() && path_[pos_] == '[') {
                    Segment segment = bracket();
                    segment.recursive = true;
                    segments.push_back(std::move(segment));
                    continue;
                }
                segments.push_back(dotted(recursive));
                continue;
            }
            if (consume('.')) {
                segments.push_back(dotted(false));
                continue;
            }
            if (path_[pos_] == '[') {
                segments.push_back(bracket());
                continue;
            }
            path_error("unexpected '" + std::string(1, path_[pos_]) + "' at offset " + std::to_string(pos_));
        }
        return segments;
    }

  private:
    bool consume(char c) {
        if (pos_ < path_.size() && path_[pos_] == c) {
            ++pos_;
            return true;
        }
        return false;
    }
    void skip_space() {
        while (pos_ < path_.size() && path_[pos_] == ' ') ++pos_;
    }

    Segment dotted(bool recursive) {
        Segment segment;
        segment.recursive = recursive;
        if (consume('*')) {
            segment.kind = SegmentKind::Wildcard;
            return segment;
        }
        std::size_t start = pos_;
        while (pos_ < path_.size() && path_[pos_] != '.' && path_[pos_] != '[' && path_[pos_] != ' ') ++pos_;
        if (pos_ == start) path_error("missing name after '.'");
        segment.names.emplace_back(path_.substr(start, pos_ - start));
        return segment;
    }

    std::string quoted() {
        char quote = path_[pos_++];
        std::string out;
        while (pos_ < path_.size() && path_[pos_] != quote) {
            if (path_[pos_] == '\\' && pos_ + 1 < path_.size()) ++pos_;
            out += path_[pos_++];
        }
        if (!consume(quote)) path_error("unterminated string");
        return out;
    }

    std::optional<std::int64_t> integer() {
        skip_space();
        std::size_t start = pos_;
        if (pos_ < path_.size() && path_[pos_] == '-') ++pos_;
        while (pos_ < path_.size() && path_[pos_] >= '0' && path_[pos_] <= '9') ++pos_;
        if (pos_ == start) return std::nullopt;
        std::string text(path_.substr(start, pos_ - start));
        if (text == "-" || text.size() > 18) path_error("invalid index '" + text + "'");
        return std::stoll(text);
    }

    Segment bracket() {
        ++pos_;  // '['
        skip_space();
        Segment segment;
        if (consume('*')) {
            segment.kind = SegmentKind::Wildcard;
        } else if (pos_ + 1 < path_.size() && path_[pos_] == '?' && path_[pos_ + 1] == '(') {
            pos_ += 2;
            std::size_t start = pos_;
            int depth = 1;
            while (pos_ < path_.size() && depth > 0) {
                char c = path_[pos_];
                if (c == '\'' || c == '"') {
                    quoted();
                    continue;
                }
                if (c == '(') ++depth;
                if (c == ')') --depth;
                ++pos_;
            }
            if (depth != 0) path_error("unterminated filter");
            segment.kind = SegmentKind::Filter;
            segment.filter = parse_expr(path_.substr(start, pos_ - 1 - start), LexerOptions{true});
        } else if (pos_ < path_.size() && (path_[pos_] == '\'' || path_[pos_] == '"')) {
            segment.kind = SegmentKind::Names;
            while (true) {
                skip_space();
                if (pos_ >= path_.size() || (path_[pos_] != '\'' && path_[pos_] != '"')) path_error("expected name");
                segment.names.push_back(quoted());
                skip_space();
                if (!consume(',')) break;
            }
        } else {
            auto first = integer();
            skip_space();
            if (pos_ < path_.size() && path_[pos_] == ':') {
                segment.kind = SegmentKind::Slice;
                segment.slice_start = first;
                ++pos_;
                segment.slice_end = integer();
                skip_space();
                if (consume(':')) {
                    auto step = integer();
                    if (step) segment.slice_step = *step;
                    if (segment.slice_step == 0) path_error("slice step cannot be zero");
                }
            } else {
                if (!first) path_error("invalid subscript at offset " + std::to_string(pos_));
                segment.kind = SegmentKind::Indexes;
                segment.indexes.push_back(*first);
                while (true) {
                    skip_space();
                    if (!consume(',')) break;
                    auto next = integer();
                    if (!next) path_error("invalid index list");
                    segment.indexes.push_back(*next);
                }
            }
        }
        skip_space();
        if (!consume(']')) path_error("expected ']' at offset " + std::to_string(pos_));
        return segment;
    }

    std::string_view path_;
    std::size_t pos_ = 0;
};

bool is_definite(const std::vector<Segment>& segments) {
    for (const auto& segment : segments) {
        if (segment.recursive) return false;
        if (segment.kind == SegmentKind::Names && segment.names.size() == 1) continue;
        if (segment.kind == SegmentKind::Indexes && segment.indexes.size() == 1) continue;
        return false;
    }
    return true;
}

// Every node under (and including) `root`, iteratively to keep stack use flat.
void collect_descendants(const Value* root, std::vector<const Value*>& out) {
    std::vector<const Value*> stack{root};
    while (!stack.empty()) {
        const Value* node = stack.back();
        stack.pop_back();
        out.push_back(node);
        check_array_size(out.size());
        if (node->is_structured()) {
            std::vector<const Value*> children;
            for (const auto& child : *node) children.push_back(&child);
            for (auto it = children.rbegin(); it != children.rend(); ++it) stack.push_back(*it);
        }
    }
}

bool filter_matches(const Node& filter, const Value& candidate, const Value& root) {
    Value env = Value::object();
    env["@"] = candidate;
    env["$"] = root;
    try {
        Value result = evaluate(filter, env);
        if (result.is_boolean()) return result.get<bool>();
        return !result.is_null();
    } catch (const ExprError&) {
        return false;  // e.g. comparing a missing field: the element simply does not match
    }
}

void apply(const Segment& segment, const Value* node, const Value& root, bool definite,
           std::vector<const Value*>& out) {
    switch (segment.kind) {
        case SegmentKind::Names:
            for (const auto& name : segment.names) {
                if (node->is_object() && node->contains(name)) {
                    out.push_back(&(*node)[name]);
                } else if (definite) {
                    path_error("key \"" + name + "\" not found");
                }
            }
            return;
        case SegmentKind::Indexes:
            for (auto index : segment.indexes) {
                auto size = node->is_array() ? static_cast<std::int64_t>(node->size()) : 0;
                auto resolved = index < 0 ? index + size : index;
                if (node->is_array() && resolved >= 0 && resolved < size) {
                    out.push_back(&(*node)[static_cast<std::size_t>(resolved)]);
                } else if (definite) {
                    path_error("index " + std::to_string(index) + " out of range");
                }
            }
            return;
        case SegmentKind::Wildcard:
            if (node->is_structured()) {
                for (const auto& child : *node) out.push_back(&child);
            }
            return;
        case SegmentKind::Slice: {
            if (!node->is_array()) return;
            auto size = static_cast<std::int64_t>(node->size());
            auto normalize = [&](std::int64_t v) {
                return v < 0 ? std::max<std::int64_t>(v + size, 0) : std::min(v, size);
            };
            std::int64_t step = segment.slice_step;
            if (step > 0) {
                std::int64_t start = segment.slice_start ? normalize(*segment.slice_start) : 0;
                std::int64_t end = segment.slice_end ? normalize(*segment.slice_end) : size;
                for (std::int64_t i = start; i < end; i += step) out.push_back(&(*node)[static_cast<std::size_t>(i)]);
            } else {
                std::int64_t start =
                    segment.slice_start ? std::min(normalize(*segment.slice_start), size - 1) : size - 1;
                std::int64_t end = segment.slice_end ? normalize(*segment.slice_end) : -1;
                for (std::int64_t i = start; i > end && i >= 0; i += step) {
                    out.push_back(&(*node)[static_cast<std::size_t>(i)]);
                }
            }
            return;
        }
        case SegmentKind::Filter:
            if (node->is_structured()) {
                for (const auto& child : *node) {
                    if (filter_matches(*segment.filter, child, root)) out.push_back(&child);
                }
            }
            return;
    }
}

}  // namespace

Value json_path(const Value& document, std::string_view path) {
    std::vector<Segment> segments = PathParser(path).parse();
    const bool definite = is_definite(segments);
    std::vector<const Value*> current{&document};
    for (const auto& segment : segments) {
        std::vector<const Value*> next;
        for (const Value* node : current) {
            if (segment.recursive) {
                std::vector<const Value*> descendants;
                collect_descendants(node, descendants);
                for (const Value* descendant : descendants) apply(segment, descendant, document, definite, next);
            } else {
                apply(segment, node, document, definite, next);
            }
            check_array_size(next.size());
        }
        current = std::move(next);
    }
    if (definite) return *current.front();
    Value out = Value::array();
    for (const Value* node : current) out.push_back(*node);
    return out;
}

}  // namespace rampart::expr::detail
