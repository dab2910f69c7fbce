#include "expr/evaluator.h"

#include <algorithm>

#include "expr/functions.h"
#include "expr/operators.h"
#include "expr/value_ops.h"

namespace rampart::expr::detail {
namespace {

std::string describe_key(const Value& key) { return key.is_string() ? key.get<std::string>() : go_sprint(key); }

class Evaluator {
  public:
    explicit Evaluator(const Value& env) : env_(env) {}

    Value eval(const Node& node) {
        if (++steps_ > kMaxEvaluationSteps) throw ExprError("expression too expensive to evaluate", node.column);
        switch (node.kind) {
            case NodeKind::Literal: return node.literal;
            case NodeKind::Identifier: return lookup(node, false);
            case NodeKind::Pointer: return pointer(node);
            case NodeKind::Member: return member(node, false);
            case NodeKind::Slice: return slice(node, false);
            case NodeKind::Call: return call(node);
            case NodeKind::Unary:
                return with_column(node, [&] { return apply_unary(node.name, eval(*node.children[0])); });
            case NodeKind::Binary: return binary(node);
            case NodeKind::Conditional: {
                Value condition = eval(*node.children[0]);
                if (!condition.is_boolean()) {
                    throw ExprError("non-bool expression (type " + type_name(condition) + ") used as condition",
                                    node.column);
                }
                return eval(*node.children[condition.get<bool>() ? 1 : 2]);
            }
            case NodeKind::Array: {
                Value out = Value::array();
                for (const auto& child : node.children) out.push_back(eval(*child));
                return out;
            }
            case NodeKind::Map: {
                Value out = Value::object();
                for (std::size_t i = 0; i + 1 < node.children.size(); i += 2) {
                    Value key = eval(*node.children[i]);
                    out[key.is_string() ? key.get<std::string>() : go_sprint(key)] = eval(*node.children[i + 1]);
                }
                return out;
            }
            case NodeKind::Closure: throw ExprError("closure used outside of a function argument", node.column);
        }
        return nullptr;
    }

  private:
    struct Frame {
        const Value* element = nullptr;
        std::int64_t index = 0;
        Value accumulator;
    };

    // Runtime errors from helpers carry column 0; attach the node's column.
    template <typename F>
    Value with_column(const Node& node, F&& body) {
        try {
            return body();
        } catch (const ExprError& error) {
            if (error.column() != 0) throw;
            throw ExprError(error.what(), node.column);
        }
    }

    // `lenient` is set on the left of "??": missing names, keys and indexes yield nil.
    Value lookup(const Node& node, bool lenient) {
        if (env_.is_object()) {
            auto found = env_.find(node.name);
            if (found != env_.end()) return *found;
        }
        if (lenient) return nullptr;
        throw ExprError("unknown name \"" + node.name + "\"", node.column);
    }

    Value eval_lenient(const Node& node) {
        switch (node.kind) {
            case NodeKind::Identifier: return lookup(node, true);
            case NodeKind::Member: return member(node, true);
            case NodeKind::Slice: return slice(node, true);
            default: return eval(node);
        }
    }

    Value pointer(const Node& node) {
        if (frames_.empty()) throw ExprError("unexpected " + node.name, node.column);
        const Frame& frame = frames_.back();
        if (node.name == "#index") return frame.index;
        if (node.name == "#acc") return frame.accumulator;
        return *frame.element;
    }

    Value member(const Node& node, bool lenient) {
        Value object = lenient ? eval_lenient(*node.children[0]) : eval(*node.children[0]);
        if (object.is_null() && (node.optional || lenient)) return nullptr;
        Value key = eval(*node.children[1]);
        return fetch(object, key, node, lenient);
    }

    Value fetch(const Value& object, const Value& key, const Node& node, bool lenient) {
        if (object.is_object()) {
            if (key.is_string()) {
                auto found = object.find(key.get_ref<const std::string&>());
                return found == object.end() ? Value(nullptr) : *found;
            }
        } else if (object.is_array() || object.is_string()) {
            if (is_int(key)) {
                std::int64_t length = object.is_array()
                                          ? static_cast<std::int64_t>(object.size())
                                          : static_cast<std::int64_t>(object.get_ref<const std::string&>().size());
                std::int64_t index = to_int64(key);
                if (index < 0) index += length;
                if (index < 0 || index >= length) {
                    if (lenient) return nullptr;
                    throw ExprError("index out of range: " + std::to_string(to_int64(key)) + " (array length is " +
                                        std::to_string(length) + ")",
                                    node.column);
                }
                if (object.is_array()) return object[static_cast<std::size_t>(index)];
                return std::string(1, object.get_ref<const std::string&>()[static_cast<std::size_t>(index)]);
            }
        }
        if (lenient) return nullptr;
        throw ExprError("cannot fetch " + describe_key(key) + " from " + type_name(object), node.column);
    }

    Value slice(const Node& node, bool lenient) {
        Value object = lenient ? eval_lenient(*node.children[0]) : eval(*node.children[0]);
        if (object.is_null() && (node.optional || lenient)) return nullptr;
        if (!object.is_array() && !object.is_string()) {
            throw ExprError("cannot slice " + type_name(object), node.column);
        }
        std::int64_t length = object.is_array()
                                  ? static_cast<std::int64_t>(object.size())
                                  : static_cast<std::int64_t>(object.get_ref<const std::string&>().size());
        auto bound = [&](const NodePtr& child, std::int64_t fallback) {
            if (!child) return fallback;
            Value value = eval(*child);
            if (!is_int(value)) throw ExprError("non-integer slice index of type " + type_name(value), child->column);
            std::int64_t index = to_int64(value);
            if (index < 0) index = index < -length ? 0 : index + length;
            return std::min(index, length);
        };
        std::int64_t from = bound(node.children[1], 0);
        std::int64_t to = bound(node.children[2], length);
        if (from > to) from = to;
        if (object.is_string()) {
            return object.get_ref<const std::string&>().substr(static_cast<std::size_t>(from),
                                                               static_cast<std::size_t>(to - from));
        }
        Value out = Value::array();
        for (std::int64_t i = from; i < to; ++i) out.push_back(object[static_cast<std::size_t>(i)]);
        return out;
    }

    Value binary(const Node& node) {
        const std::string& op = node.name;
        if (op == "??") {
            Value left = eval_lenient(*node.children[0]);
            return left.is_null() ? eval(*node.children[1]) : left;
        }
        if (op == "and" || op == "&&" || op == "or" || op == "||") {
            bool is_and = op == "and" || op == "&&";
            Value left = eval(*node.children[0]);
            if (!left.is_boolean()) {
                throw ExprError("invalid operation: " + op + " (mismatched types " + type_name(left) + " and bool)",
                                node.column);
            }
            if (left.get<bool>() != is_and) return left.get<bool>();
            Value right = eval(*node.children[1]);
            if (!right.is_boolean()) {
                throw ExprError("invalid operation: " + op + " (mismatched types bool and " + type_name(right) + ")",
                                node.column);
            }
            return right;
        }
        Value left = eval(*node.children[0]);
        Value right = eval(*node.children[1]);
        return with_column(node, [&] { return apply_binary(op, left, right); });
    }

    Value call(const Node& node) {
        if (is_closure_builtin(node.name)) return closure_call(node);
        Arguments args;
        args.reserve(node.children.size());
        for (const auto& child : node.children) args.push_back(eval(*child));
        Function function = node.name.rfind("sprig.", 0) == 0 ? find_sprig(std::string_view(node.name).substr(6))
                                                              : find_builtin(node.name);
        if (!function) throw ExprError("unknown function \"" + node.name + "\"", node.column);
        return with_column(node, [&] { return function(args); });
    }

    bool predicate(const Node& closure, const std::string& function) {
        Value result = eval(*closure.children[0]);
        if (!result.is_boolean()) {
            throw ExprError(function + ": predicate must return bool, got " + type_name(result), closure.column);
        }
        return result.get<bool>();
    }

    Value closure_call(const Node& node) {
        const std::string& name = node.name;
        std::size_t max_args = (name == "sortBy" || name == "reduce") ? 3 : 2;
        std::size_t min_args = name == "sum" ? 1 : 2;
        if (node.children.size() < min_args || node.children.size() > max_args) {
            throw ExprError(name + ": wrong number of arguments", node.column);
        }
        Value collection = eval(*node.children[0]);
        if (!collection.is_array()) {
            throw ExprError(name + ": cannot iterate over " + type_name(collection), node.column);
        }
        const Node* closure = node.children.size() > 1 ? node.children[1].get() : nullptr;
        if (closure && closure->kind != NodeKind::Closure) {
            throw ExprError(name + ": second argument must be a closure", closure->column);
        }
        frames_.push_back(Frame{});
        struct Pop {
            std::vector<Frame>& frames;
            ~Pop() { frames.pop_back(); }
        } pop{frames_};

        auto visit = [&](std::size_t i) {
            if (++steps_ > kMaxEvaluationSteps) throw ExprError("expression too expensive to evaluate", node.column);
            frames_.back().element = &collection[i];
            frames_.back().index = static_cast<std::int64_t>(i);
        };
        const std::size_t size = collection.size();

        if (name == "filter" || name == "map") {
            Value out = Value::array();
            for (std::size_t i = 0; i < size; ++i) {
                visit(i);
                if (name == "map") {
                    out.push_back(eval(*closure->children[0]));
                } else if (predicate(*closure, name)) {
                    out.push_back(collection[i]);
                }
            }
            return out;
        }
        if (name == "all" || name == "any" || name == "none" || name == "one" || name == "count") {
            std::int64_t matches = 0;
            for (std::size_t i = 0; i < size; ++i) {
                visit(i);
                bool matched = predicate(*closure, name);
                if (matched) ++matches;
                if (name == "all" && !matched) return false;
                if (name == "any" && matched) return true;
                if (name == "none" && matched) return false;
            }
            if (name == "count") return matches;
            if (name == "one") return matches == 1;
            return name != "any";
        }
        if (name == "find" || name == "findIndex" || name == "findLast" || name == "findLastIndex") {
            bool backwards = name == "findLast" || name == "findLastIndex";
            bool want_index = name == "findIndex" || name == "findLastIndex";
            for (std::size_t step = 0; step < size; ++step) {
                std::size_t i = backwards ? size - 1 - step : step;
                visit(i);
                if (predicate(*closure, name)) return want_index ? Value(static_cast<std::int64_t>(i)) : collection[i];
            }
            return want_index ? Value(std::int64_t{-1}) : Value(nullptr);
        }
        if (name == "sum") {
            Value total = std::int64_t{0};
            for (std::size_t i = 0; i < size; ++i) {
                visit(i);
                Value term = closure ? eval(*closure->children[0]) : collection[i];
                total = with_column(node, [&] { return apply_binary("+", total, term); });
                if (!is_number(total)) throw ExprError("sum: elements must be numbers", node.column);
            }
            return total;
        }
        if (name == "groupBy") {
            Value out = Value::object();
            for (std::size_t i = 0; i < size; ++i) {
                visit(i);
                Value key = eval(*closure->children[0]);
                std::string text = key.is_string() ? key.get<std::string>() : go_sprint(key);
                if (!out.contains(text)) out[text] = Value::array();
                out[text].push_back(collection[i]);
            }
            return out;
        }
        if (name == "sortBy") {
            std::string order = "asc";
            if (node.children.size() == 3) {
                Value requested = eval(*node.children[2]);
                if (!requested.is_string() || (requested != "asc" && requested != "desc")) {
                    throw ExprError("sortBy: order must be \"asc\" or \"desc\"", node.column);
                }
                order = requested.get<std::string>();
            }
            std::vector<std::pair<Value, std::size_t>> keyed;
            for (std::size_t i = 0; i < size; ++i) {
                visit(i);
                keyed.emplace_back(eval(*closure->children[0]), i);
            }
            auto less = [&](const auto& a, const auto& b) {
                return with_column(node, [&] { return apply_binary("<", a.first, b.first); }).template get<bool>();
            };
            if (order == "asc") {
                std::stable_sort(keyed.begin(), keyed.end(), less);
            } else {
                std::stable_sort(keyed.begin(), keyed.end(), [&](const auto& a, const auto& b) { return less(b, a); });
            }
            Value out = Value::array();
            for (const auto& entry : keyed) out.push_back(collection[entry.second]);
            return out;
        }
        // reduce
        std::size_t start = 0;
        Value accumulator;
        if (node.children.size() == 3) {
            accumulator = eval(*node.children[2]);
        } else {
            if (size == 0) throw ExprError("reduce of empty array with no initial value", node.column);
            accumulator = collection[0];
            start = 1;
        }
        for (std::size_t i = start; i < size; ++i) {
            visit(i);
            frames_.back().accumulator = accumulator;
            accumulator = eval(*closure->children[0]);
        }
        return accumulator;
    }

    const Value& env_;
    std::vector<Frame> frames_;
    std::size_t steps_ = 0;
};

}  // namespace

Value evaluate(const Node& root, const Value& env) { return Evaluator(env).eval(root); }

}  // namespace rampart::expr::detail
