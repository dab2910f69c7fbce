#include "cli/stored_tree.h"

#include "cli/tree_view.h"
#include "common/clock.h"
#include "engine/engine.h"

namespace rampart::cli {

std::optional<std::string> render_stored_workflow(store::Store& store, const std::string& ns, const std::string& name,
                                                  size_t width, bool all, const SecretMasker* masker) {
  auto record = store.get_workflow(ns, name);
  if (!record) return std::nullopt;
  nlohmann::json workflow = engine::Engine::workflow_object(*record, {});
  if (masker) masker->mask_json(workflow);
  TreeNodes nodes;
  store.for_each_node(ns, name, [&](store::NodeRecord&& node) {
    if (masker) masker->mask_json(node.status);
    nodes.emplace(node.id, tree_node(node.id, node.status));
  });
  return render_workflow(workflow, nodes, rampart::now_ms(), width, all);
}

}  // namespace rampart::cli
