// Scope: the variables a template sees, as flat dotted names ("inputs.parameters.message",
// "tasks.a.outputs.result") mapped to values.
//
// A Scope is an immutable, persistent sorted map: copying one is O(1) and shares everything, and
// set() costs O(log n) new tree nodes while every other copy keeps seeing what it saw. That is
// what lets a DAG hand each task the variables of every finished task without copying them:
// starting a task costs O(its own arguments), never O(tasks finished before it).
//
// Thread safety: a Scope may be read from several threads at once; set() on one Scope object
// must not race with other uses of that same object (copies are independent).
#pragma once

#include <cstddef>
#include <initializer_list>
#include <memory>
#include <string>
#include <string_view>
#include <utility>

#include <nlohmann/json.hpp>

namespace rampart::expr {

using Value = nlohmann::json;

class Scope {
  public:
    Scope() = default;
    Scope(std::initializer_list<std::pair<const std::string, Value>> entries);

    // Adds or replaces `name`. O(log n); copies of this scope are unaffected.
    void set(std::string name, Value value);

    // The value of `name`, or nullptr. The pointer stays valid while any copy holding the
    // entry lives (at least as long as this Scope is not assigned to or destroyed).
    const Value* find(std::string_view name) const;
    bool contains(std::string_view name) const { return find(name) != nullptr; }

    std::size_t size() const;
    bool empty() const { return size() == 0; }

    // Calls fn(name, value) for every entry in name order ("a" before "a.b" before "ab").
    template <typename Fn>
    void for_each(Fn&& fn) const {
        visit(root_.get(), fn);
    }

    // `scope["name"] = value`: the assignment form of set().
    class Slot {
      public:
        Slot(Scope& scope, std::string_view name) : scope_(scope), name_(name) {}
        void operator=(Value value) { scope_.set(std::string(name_), std::move(value)); }

      private:
        Scope& scope_;
        std::string_view name_;
    };
    Slot operator[](std::string_view name) { return Slot(*this, name); }

    struct Node;  // defined in scope.cpp; public only so the tree code there can build it

  private:
    struct Entry {
        std::string name;
        Value value;
    };
    friend struct Node;
    template <typename Fn>
    static void visit(const Node* node, Fn& fn);

    std::shared_ptr<const Node> root_;
};

struct Scope::Node {
    std::shared_ptr<const Entry> entry;
    std::shared_ptr<const Node> left, right;
    int height = 1;
    std::size_t size = 1;
};

template <typename Fn>
void Scope::visit(const Node* node, Fn& fn) {
    // Recursion depth is the tree's height: at most ~1.44 log2(n).
    if (!node) return;
    visit(node->left.get(), fn);
    fn(node->entry->name, node->entry->value);
    visit(node->right.get(), fn);
}

}  // namespace rampart::expr
