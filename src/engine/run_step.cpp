// Running one step of a steps template or one task of a DAG: its `when`, the template it
// names, its arguments, and its own onExit / exit hook.
#include "engine/child_runner.h"
#include "engine/naming.h"
#include "engine/workflow_run.h"

namespace rampart::engine {

void WorkflowRun::invoke_step(const Json& step, const expr::Scope& scope, Invocation place, Done done) {
  std::string id = node_id(name_, place.node_name);
  if (restored(place.node_name)) {
    // Completed before a restart; its exit handler, if any, was part of that completion.
    loop_.post([done, id] { done(id); });
    return;
  }
  auto fail = [&](NodeType type, NodePhase phase, const std::string& message) {
    place.tmpl = Json{{"name", step.value("template", "")}};
    Node& n = create_node(place, type);
    complete(n, phase, message);
    loop_.post([done, id] { done(id); });
  };

  if (step.contains("when")) {
    std::string when = step["when"].is_string() ? step["when"].get<std::string>() : step["when"].dump();
    try {
      std::string resolved = expr::substitute(when, scope, expr::Unresolved::Error);
      if (!expr::eval_when(resolved)) {
        fail(NodeType::Skipped, NodePhase::Skipped, "when '" + resolved + "' evaluated false");
        return;
      }
    } catch (const expr::ExprError& e) {
      fail(NodeType::Pod, NodePhase::Error, "invalid 'when' expression '" + when + "': " + e.what());
      return;
    }
  }
  std::string error;
  auto resolved = resolve_reference(step, place.source, &error);
  if (!resolved) {
    fail(NodeType::Pod, NodePhase::Error, error);
    return;
  }
  place.tmpl = std::move(resolved->first);
  place.source = resolved->second;
  try {
    place.arguments = substitute_arguments(step.value("arguments", Json::object()), scope);
  } catch (const expr::ExprError& e) {
    place.tmpl = Json{{"name", place.tmpl.value("name", "")}};
    Node& n = create_node(place, NodeType::Pod);
    complete(n, NodePhase::Error, std::string("arguments: ") + e.what());
    loop_.post([done, id] { done(id); });
    return;
  }
  bool has_exit = step.contains("onExit") ||
                  (step.contains("hooks") && step["hooks"].is_object() && step["hooks"].contains("exit"));
  if (!has_exit) {
    invoke(std::move(place), std::move(done));
    return;
  }
  Invocation copy = place;
  invoke(std::move(place), [this, step, scope, copy, done](const std::string& node_id_done) {
    run_step_exit_handler(step, scope, copy, node_id_done, done);
  });
}

void WorkflowRun::run_step_exit_handler(const Json& step, const expr::Scope& scope, const Invocation& place,
                                        const std::string& node_id_done, Done done) {
  Json hook = step.contains("onExit") ? Json{{"template", step["onExit"]}} : step["hooks"]["exit"];
  const Node& stepped = node(node_id_done);
  expr::Scope s = scope;
  // The handler sees the step it follows, as Argo's exit handlers do.
  s["steps.status"] = to_string(stepped.phase);
  std::string error;
  auto resolved = resolve_reference(hook, place.source, &error);
  Invocation inv;
  inv.node_name = place.node_name + ".onExit";
  inv.display_name = place.display_name + ".onExit";
  inv.parent_id = node_id_done;
  inv.boundary_id = place.boundary_id;
  inv.cancel = std::make_shared<CancelToken>();
  inv.exit_handler = true;
  inv.depth = place.depth + 1;
  if (!resolved) {
    inv.tmpl = Json{{"name", hook.value("template", "")}};
    Node& n = create_node(inv, NodeType::Pod);
    complete(n, NodePhase::Error, "onExit: " + error);
    done(node_id_done);
    return;
  }
  inv.tmpl = resolved->first;
  inv.source = resolved->second;
  try {
    inv.arguments = substitute_arguments(hook.value("arguments", Json::object()), s);
  } catch (const expr::ExprError& e) {
    Node& n = create_node(inv, NodeType::Pod);
    complete(n, NodePhase::Error, std::string("arguments: ") + e.what());
    done(node_id_done);
    return;
  }
  invoke(std::move(inv), [done, node_id_done](const std::string&) { done(node_id_done); });
}

void WorkflowRun::propagate_cancel() {
  drop_cancelled_waiting_pods();
  for (const auto& [pod, cancel] : running_pods_) {
    if (cancel->is_cancelled()) executor_.kill(pod, cancel->why());
  }
  for (auto& w : cancel_waiters_) {
    if (w.second && w.first->is_cancelled()) {
      auto fn = std::move(w.second);
      w.second = nullptr;
      fn();
    }
  }
  std::erase_if(cancel_waiters_, [](const auto& w) { return !w.second; });
}

}  // namespace rampart::engine
