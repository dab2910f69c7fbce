// A persistent AVL tree: set() copies only the path from the root to the changed entry (and the
// nodes a rotation touches); entries themselves are shared, never copied.
#include "expr/scope.h"

namespace rampart::expr {
namespace {

using NodePtr = std::shared_ptr<const Scope::Node>;

int height(const NodePtr& n) { return n ? n->height : 0; }
std::size_t count(const NodePtr& n) { return n ? n->size : 0; }

template <typename EntryPtr>
NodePtr make(EntryPtr entry, NodePtr left, NodePtr right) {
    auto n = std::make_shared<Scope::Node>();
    n->height = 1 + std::max(height(left), height(right));
    n->size = 1 + count(left) + count(right);
    n->entry = std::move(entry);
    n->left = std::move(left);
    n->right = std::move(right);
    return n;
}

// Rebuilds (entry, left, right) as an AVL node whose children differ in height by at most one.
template <typename EntryPtr>
NodePtr balance(EntryPtr entry, NodePtr left, NodePtr right) {
    int diff = height(left) - height(right);
    if (diff > 1) {
        if (height(left->left) >= height(left->right)) {
            return make(left->entry, left->left, make(std::move(entry), left->right, std::move(right)));
        }
        const NodePtr& lr = left->right;
        return make(lr->entry, make(left->entry, left->left, lr->left),
                    make(std::move(entry), lr->right, std::move(right)));
    }
    if (diff < -1) {
        if (height(right->right) >= height(right->left)) {
            return make(right->entry, make(std::move(entry), std::move(left), right->left), right->right);
        }
        const NodePtr& rl = right->left;
        return make(rl->entry, make(std::move(entry), std::move(left), rl->left),
                    make(right->entry, rl->right, right->right));
    }
    return make(std::move(entry), std::move(left), std::move(right));
}

template <typename EntryPtr>
NodePtr insert(const NodePtr& node, EntryPtr entry) {
    if (!node) return make(std::move(entry), nullptr, nullptr);
    int cmp = entry->name.compare(node->entry->name);
    if (cmp == 0) return make(std::move(entry), node->left, node->right);
    if (cmp < 0) return balance(node->entry, insert(node->left, std::move(entry)), node->right);
    return balance(node->entry, node->left, insert(node->right, std::move(entry)));
}

}  // namespace

Scope::Scope(std::initializer_list<std::pair<const std::string, Value>> entries) {
    for (const auto& [name, value] : entries) set(name, value);
}

void Scope::set(std::string name, Value value) {
    auto entry = std::make_shared<const Entry>(Entry{std::move(name), std::move(value)});
    root_ = insert(root_, std::move(entry));
}

const Value* Scope::find(std::string_view name) const {
    const Node* n = root_.get();
    while (n) {
        int cmp = name.compare(n->entry->name);
        if (cmp == 0) return &n->entry->value;
        n = cmp < 0 ? n->left.get() : n->right.get();
    }
    return nullptr;
}

std::size_t Scope::size() const { return count(root_); }

}  // namespace rampart::expr
