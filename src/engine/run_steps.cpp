// A steps template: groups run one after another, the steps inside a group in parallel.
// Argo's tree: Steps -> StepGroup [0] -> step nodes -> StepGroup [1] -> ...
#include <memory>

#include "engine/child_runner.h"
#include "engine/continue_on.h"
#include "engine/naming.h"
#include "engine/workflow_run.h"

namespace rampart::engine {
namespace {

struct StepsState {
  Invocation inv;
  Json inputs;
  std::string id;
  Done done;
  expr::Scope scope;
  ChildThrottle throttle{0};
  std::vector<std::string> previous;  // step nodes of the group before (parents of the next group)
  explicit StepsState(int64_t parallelism) : throttle(parallelism) {}
};

}  // namespace

void WorkflowRun::run_steps(const Invocation& inv, const Json& inputs, const std::string& id, Done done) {
  Node& n = node(id);
  mark_running(n);
  auto state = std::make_shared<StepsState>(inv.tmpl.value("parallelism", int64_t{0}));
  state->inv = inv;
  state->inputs = inputs;
  state->id = id;
  state->done = std::move(done);
  state->scope = template_scope(inputs, n);

  auto run_group = std::make_shared<std::function<void(size_t)>>();
  *run_group = [this, state, run_group](size_t g) {
    const Json& groups = state->inv.tmpl["steps"];
    Node& steps_node = node(state->id);
    if (g >= groups.size() || state->inv.cancel->is_cancelled()) {
      if (g >= groups.size()) {
        complete(steps_node, NodePhase::Succeeded);
        finish_template_outputs(steps_node, state->inv.tmpl, state->scope);
        if (is_failure(steps_node.phase)) complete(steps_node, steps_node.phase, steps_node.message);
      } else {
        complete(steps_node, NodePhase::Failed, state->inv.cancel->why());
      }
      loop_.post([run_group] { *run_group = nullptr; });  // break the self-reference
      state->done(state->id);
      return;
    }
    // The group node.
    Invocation group_inv = state->inv;
    group_inv.node_name = steps_node.name + "[" + std::to_string(g) + "]";
    group_inv.display_name = "[" + std::to_string(g) + "]";
    group_inv.parent_id = g == 0 ? state->id : "";
    group_inv.boundary_id = state->id;
    Node& group = create_node(group_inv, NodeType::StepGroup);
    const std::string group_id = group.id;
    for (const auto& prev : state->previous) add_child(prev, group_id);
    mark_running(group);

    // Expand each step of the group into its children (one, or one per loop item).
    struct Child {
      size_t step_index;
      std::string name, display;
      expr::Scope scope;
    };
    auto children = std::make_shared<std::vector<Child>>();
    const Json& group_steps = groups[g];
    std::string expand_error;
    std::vector<std::vector<std::string>> ids_by_step(group_steps.size());
    auto loop_steps = std::make_shared<std::vector<bool>>(group_steps.size(), false);
    for (size_t i = 0; i < group_steps.size(); ++i) {
      const Json& step = group_steps[i];
      std::string step_name = step.value("name", "");
      std::string base = group.name + "." + step_name;
      std::optional<std::vector<std::pair<std::string, Json>>> items;
      try {
        items = expand_loop(step, state->scope, &expand_error);
      } catch (const expr::ExprError& e) {
        expand_error = e.what();
      }
      if (!expand_error.empty()) break;
      if (!items) {
        children->push_back({i, base, step_name, state->scope});
        continue;
      }
      (*loop_steps)[i] = true;
      for (auto& [suffix, item] : *items) {
        expr::Scope s = state->scope;
        s["item"] = item;
        if (item.is_object()) {
          for (auto it = item.begin(); it != item.end(); ++it) s["item." + it.key()] = it.value();
        }
        children->push_back({i, base + suffix, step_name + suffix, std::move(s)});
      }
    }
    if (!expand_error.empty()) {
      complete(group, NodePhase::Error, expand_error);
      complete(steps_node, NodePhase::Error, expand_error);
      loop_.post([run_group] { *run_group = nullptr; });  // break the self-reference
      state->done(state->id);
      return;
    }
    if (children->empty()) {
      // Every loop was empty: the group succeeds with nothing to do.
      complete(group, NodePhase::Succeeded);
      for (size_t i = 0; i < group_steps.size(); ++i) {
        if ((*loop_steps)[i]) add_aggregate_outputs(state->scope, "steps." + group_steps[i].value("name", ""), {});
      }
      state->previous = {group_id};
      loop_.post([run_group, g] { (*run_group)(g + 1); });
      return;
    }

    auto remaining = std::make_shared<size_t>(children->size());
    auto child_ids = std::make_shared<std::vector<std::string>>(children->size());
    for (size_t c = 0; c < children->size(); ++c) {
      const Child& child = (*children)[c];
      Invocation place;
      place.node_name = child.name;
      place.display_name = child.display;
      place.parent_id = group_id;
      place.boundary_id = state->id;
      place.source = state->inv.source;
      place.cancel = state->inv.cancel;
      place.depth = state->inv.depth + 1;
      (*child_ids)[c] = node_id(name_, child.name);
      // Points into state->inv.tmpl, which is immutable and lives as long as `state`.
      const Json* step = &group_steps[child.step_index];
      expr::Scope scope = child.scope;
      state->throttle.submit([this, state, step, scope, place, remaining, child_ids, children, group_id, loop_steps,
                              run_group, g]() mutable {
        invoke_step(
            *step, scope, std::move(place),
            [this, state, remaining, child_ids, children, group_id, loop_steps, run_group, g](const std::string&) {
              state->throttle.release();
              if (--*remaining > 0) return;
              // The whole group is done: publish its outputs, then judge it.
              const Json& steps_of_group = state->inv.tmpl["steps"][g];
              std::map<size_t, std::vector<std::string>> by_step;
              for (size_t c = 0; c < children->size(); ++c)
                by_step[(*children)[c].step_index].push_back((*child_ids)[c]);
              std::string failed_message;
              NodePhase failed_phase = NodePhase::Succeeded;
              for (auto& [index, ids] : by_step) {
                const Json& step = steps_of_group[index];
                std::string prefix = "steps." + step.value("name", "");
                if ((*loop_steps)[index]) {
                  add_aggregate_outputs(state->scope, prefix, ids);
                } else {
                  add_node_outputs(state->scope, prefix, node(ids[0]));
                }
                for (const auto& cid : ids) {
                  const Node& c = node(cid);
                  if (is_failure(c.phase) && !continues_on(step, c.phase) && failed_message.empty()) {
                    failed_phase = NodePhase::Failed;
                    failed_message = "child '" + cid + "' failed";
                  }
                }
              }
              Node& grp = node(group_id);
              state->previous = *child_ids;
              if (failed_phase != NodePhase::Succeeded) {
                complete(grp, failed_phase, failed_message);
                Node& steps_node = node(state->id);
                complete(steps_node, failed_phase, failed_message);
                loop_.post([run_group] { *run_group = nullptr; });
                state->done(state->id);
                return;
              }
              complete(grp, NodePhase::Succeeded);
              (*run_group)(g + 1);
            });
      });
    }
  };
  (*run_group)(0);
}

}  // namespace rampart::engine
