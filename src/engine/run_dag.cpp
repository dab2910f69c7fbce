// A DAG template: each task starts once its `depends` (or `dependencies`) can be decided and
// holds; tasks whose condition is false are Omitted. Work per event is proportional to the
// finished task's dependents, never to the size of the DAG.
#include <memory>
#include <sstream>

#include "engine/child_runner.h"
#include "engine/continue_on.h"
#include "engine/naming.h"
#include "engine/workflow_run.h"

namespace rampart::engine {
namespace {

enum class TaskState { Waiting, Running, Done };

struct DagState {
  Invocation inv;
  std::string id;
  Done done;
  expr::Scope scope;
  ChildThrottle throttle{0};
  std::vector<Json> tasks;
  std::map<std::string, size_t, std::less<>> index;
  std::vector<expr::DependsExpr> depends;
  std::vector<std::vector<size_t>> dependents;
  std::vector<TaskState> state;
  std::vector<std::string> node_ids;
  std::vector<std::vector<std::string>> loop_children;  // per task with a loop
  std::vector<bool> is_loop;
  size_t unfinished = 0;
  size_t running = 0;
  bool fail_fast = true;
  bool failing = false;  // failFast tripped: start nothing new
  bool finished = false;
  explicit DagState(int64_t parallelism) : throttle(parallelism) {}
};

expr::TaskPhase to_task_phase(NodePhase p) {
  switch (p) {
    case NodePhase::Pending: return expr::TaskPhase::Pending;
    case NodePhase::Running: return expr::TaskPhase::Running;
    case NodePhase::Succeeded: return expr::TaskPhase::Succeeded;
    case NodePhase::Failed: return expr::TaskPhase::Failed;
    case NodePhase::Error: return expr::TaskPhase::Error;
    case NodePhase::Skipped: return expr::TaskPhase::Skipped;
    case NodePhase::Omitted: return expr::TaskPhase::Omitted;
  }
  return expr::TaskPhase::Pending;
}

}  // namespace

void WorkflowRun::run_dag(const Invocation& inv, const Json& inputs, const std::string& id, Done done) {
  Node& dag_node = node(id);
  mark_running(dag_node);
  const Json& dag = inv.tmpl["dag"];
  auto st = std::make_shared<DagState>(inv.tmpl.value("parallelism", int64_t{0}));
  st->inv = inv;
  st->id = id;
  st->done = std::move(done);
  st->scope = template_scope(inputs, dag_node);
  if (dag.contains("failFast")) st->fail_fast = dag["failFast"].get<bool>();
  if (inv.tmpl.contains("failFast") && inv.tmpl["failFast"].is_boolean())
    st->fail_fast = inv.tmpl["failFast"].get<bool>();
  for (const auto& t : dag.value("tasks", Json::array())) st->tasks.push_back(t);
  size_t n = st->tasks.size();
  st->depends.resize(n);
  st->dependents.resize(n);
  st->state.assign(n, TaskState::Waiting);
  st->node_ids.resize(n);
  st->loop_children.resize(n);
  st->is_loop.assign(n, false);
  st->unfinished = n;
  for (size_t i = 0; i < n; ++i) {
    st->index[st->tasks[i].value("name", "")] = i;
    st->node_ids[i] = node_id(name_, dag_node.name + "." + st->tasks[i].value("name", ""));
  }
  std::string error;
  for (size_t i = 0; i < n && error.empty(); ++i) {
    const Json& t = st->tasks[i];
    std::string text;
    if (t.contains("depends")) {
      text = t["depends"].get<std::string>();
    } else if (t.contains("dependencies")) {
      text = expr::dependencies_to_depends(t["dependencies"].get<std::vector<std::string>>());
    }
    if (text.empty()) continue;
    try {
      st->depends[i] = expr::parse_depends(text);
    } catch (const expr::ExprError& e) {
      error = "task \"" + t.value("name", "") + "\": invalid depends \"" + text + "\": " + e.what();
      break;
    }
    for (const auto& dep : st->depends[i].tasks()) {
      auto it = st->index.find(dep);
      if (it == st->index.end()) {
        error = "task \"" + t.value("name", "") + "\" depends on unknown task \"" + dep + "\"";
        break;
      }
      st->dependents[it->second].push_back(i);
    }
  }
  if (error.empty() && n == 0) error = "DAG has no tasks";
  if (!error.empty()) {
    complete(dag_node, NodePhase::Error, error);
    loop_.post([d = st->done, id] { d(id); });
    return;
  }

  // `target`: only the named tasks and what they need run; the others get no node at all.
  std::string target_text = dag.value("target", "");
  if (!target_text.empty()) {
    target_text = expr::substitute(target_text, st->scope, expr::Unresolved::Keep);
    std::vector<bool> needed(n, false);
    std::vector<size_t> work;
    std::istringstream in(target_text);
    for (std::string t; in >> t;) {
      auto it = st->index.find(t);
      if (it != st->index.end() && !needed[it->second]) {
        needed[it->second] = true;
        work.push_back(it->second);
      }
    }
    while (!work.empty()) {
      size_t i = work.back();
      work.pop_back();
      for (const auto& dep : st->depends[i].tasks()) {
        size_t d = st->index.at(dep);
        if (!needed[d]) {
          needed[d] = true;
          work.push_back(d);
        }
      }
    }
    for (size_t i = 0; i < n; ++i) {
      if (needed[i]) continue;
      st->state[i] = TaskState::Done;  // never considered, never created
      --st->unfinished;
    }
  }

  // What a dependency shows to `depends`: its real phase (so "A.Failed" holds for a task that
  // failed), and its continueOn, which makes a bare "A" hold for those failures too (Argo's
  // expansion of a bare reference).
  auto lookup = [this, st](const std::string& task) -> expr::TaskResult {
    expr::TaskResult r;
    auto it = st->index.find(task);
    if (it == st->index.end()) return r;
    size_t i = it->second;
    if (st->state[i] != TaskState::Done) {
      r.phase = st->state[i] == TaskState::Running ? expr::TaskPhase::Running : expr::TaskPhase::Pending;
      return r;
    }
    const Node& tn = node(st->node_ids[i]);
    r.phase = to_task_phase(tn.phase);
    r.continue_on_failed = continues_on(st->tasks[i], NodePhase::Failed);
    r.continue_on_error = continues_on(st->tasks[i], NodePhase::Error);
    if (st->is_loop[i]) {
      bool any = false, all = !st->loop_children[i].empty();
      for (const auto& cid : st->loop_children[i]) {
        const Node& c = node(cid);
        any = any || c.phase == NodePhase::Succeeded;
        all = all && is_failure(c.phase);
      }
      r.any_succeeded = any;
      r.all_failed = all;
    }
    return r;
  };

  auto finish = std::make_shared<std::function<void()>>();
  auto start_task = std::make_shared<std::function<void(size_t)>>();
  auto task_done = std::make_shared<std::function<void(size_t)>>();
  auto consider = std::make_shared<std::function<void(size_t)>>();

  *finish = [this, st, finish, start_task, task_done, consider]() {
    if (st->finished) return;
    st->finished = true;
    Node& dn = node(st->id);
    // Targets: the named ones, else every task nothing depends on.
    std::vector<size_t> targets;
    std::string target_text = st->inv.tmpl["dag"].value("target", "");
    if (!target_text.empty()) {
      target_text = expr::substitute(target_text, st->scope, expr::Unresolved::Keep);
      std::istringstream in(target_text);
      for (std::string t; in >> t;) {
        auto it = st->index.find(t);
        if (it != st->index.end()) targets.push_back(it->second);
      }
    } else {
      for (size_t i = 0; i < st->tasks.size(); ++i)
        if (st->dependents[i].empty()) targets.push_back(i);
    }
    // An omitted task carries the phase of the branch that led to it (Argo's assessDAGPhase).
    std::vector<int> memo(st->tasks.size(), -1);  // -1 unknown, else NodePhase
    std::function<NodePhase(size_t, int)> branch = [&](size_t i, int depth) -> NodePhase {
      if (memo[i] >= 0) return static_cast<NodePhase>(memo[i]);
      NodePhase p = NodePhase::Pending;
      if (st->state[i] == TaskState::Done) {
        const Node& tn = node(st->node_ids[i]);
        p = tn.phase;
        if (p == NodePhase::Omitted && depth < 10000) {
          p = NodePhase::Succeeded;
          for (const auto& dep : st->depends[i].tasks()) {
            NodePhase dp = branch(st->index.at(dep), depth + 1);
            size_t di = st->index.at(dep);
            if (is_failure(dp) && !continues_on(st->tasks[di], dp)) p = dp;
          }
        }
      }
      memo[i] = static_cast<int>(p);
      return p;
    };
    NodePhase result = NodePhase::Succeeded;
    std::string message;
    for (size_t i : targets) {
      NodePhase p = branch(i, 0);
      if (p == NodePhase::Pending) {
        if (st->failing || st->inv.cancel->is_cancelled()) continue;
      }
      if (is_failure(p) && !continues_on(st->tasks[i], p)) {
        result = NodePhase::Failed;
        if (message.empty()) message = "child '" + st->node_ids[i] + "' failed";
      }
    }
    if (result == NodePhase::Succeeded && (st->failing || st->inv.cancel->is_cancelled())) {
      result = NodePhase::Failed;
      message = st->inv.cancel->is_cancelled() ? st->inv.cancel->why() : "a task failed and failFast stopped the DAG";
    }
    if (result == NodePhase::Succeeded) {
      complete(dn, NodePhase::Succeeded);
      finish_template_outputs(dn, st->inv.tmpl, st->scope);
      if (is_failure(dn.phase)) complete(dn, dn.phase, dn.message);
    } else {
      complete(dn, result, message);
    }
    // Break the closures' references to each other, then report.
    Done report = st->done;
    std::string id = st->id;
    loop_.post([finish, start_task, task_done, consider] {
      *finish = nullptr;
      *start_task = nullptr;
      *task_done = nullptr;
      *consider = nullptr;
    });
    report(id);
  };

  // A waiting task whose dependencies are all decided either starts or is omitted.
  *consider = [this, st, lookup, start_task, task_done](size_t i) {
    if (st->state[i] != TaskState::Waiting) return;
    const auto& deps = st->depends[i];
    if (!deps.tasks().empty() && !deps.resolvable(lookup)) return;
    if (st->failing || st->inv.cancel->is_cancelled()) return;
    if (!deps.tasks().empty() && !deps.evaluate(lookup)) {
      Invocation place;
      place.node_name = node(st->id).name + "." + st->tasks[i].value("name", "");
      place.display_name = st->tasks[i].value("name", "");
      place.boundary_id = st->id;
      place.tmpl = Json{{"name", st->tasks[i].value("template", "")}};
      st->state[i] = TaskState::Done;
      if (!restored(place.node_name)) {
        Node& omitted = create_node(place, NodeType::Skipped);
        complete(omitted, NodePhase::Omitted, "omitted: depends condition not met");
      }
      for (const auto& dep : deps.tasks()) add_child(st->node_ids[st->index.at(dep)], st->node_ids[i]);
      (*task_done)(i);
      return;
    }
    (*start_task)(i);
  };

  *start_task = [this, st, task_done](size_t i) {
    st->state[i] = TaskState::Running;
    ++st->running;
    const Json& task = st->tasks[i];
    std::string dag_name = node(st->id).name;
    std::string task_name = task.value("name", "");
    Invocation place;
    place.node_name = dag_name + "." + task_name;
    place.display_name = task_name;
    place.boundary_id = st->id;
    place.source = st->inv.source;
    place.cancel = st->inv.cancel;
    place.depth = st->inv.depth + 1;
    const auto& deps = st->depends[i].tasks();
    std::vector<std::string> parent_ids;
    for (const auto& dep : deps) parent_ids.push_back(st->node_ids[st->index.at(dep)]);
    if (parent_ids.empty()) parent_ids.push_back(st->id);

    std::string error;
    std::optional<std::vector<std::pair<std::string, Json>>> items;
    try {
      items = expand_loop(task, st->scope, &error);
    } catch (const expr::ExprError& e) {
      error = e.what();
    }
    if (!error.empty() || items) {
      // A loop: a TaskGroup node with one child per item.
      st->is_loop[i] = true;
      place.tmpl = Json{{"name", task.value("template", "")}};
      Node& group = create_node(place, NodeType::TaskGroup);
      for (const auto& p : parent_ids) add_child(p, group.id);
      if (!error.empty()) {
        complete(group, NodePhase::Error, error);
        loop_.post([task_done, i] { (*task_done)(i); });
        return;
      }
      mark_running(group);
      const std::string group_id = group.id;
      auto remaining = std::make_shared<size_t>(items->size());
      if (items->empty()) {
        complete(group, NodePhase::Succeeded);
        loop_.post([task_done, i] { (*task_done)(i); });
        return;
      }
      for (auto& [suffix, item] : *items) {
        expr::Scope s = st->scope;
        s["item"] = item;
        if (item.is_object()) {
          for (auto it = item.begin(); it != item.end(); ++it) s["item." + it.key()] = it.value();
        }
        Invocation child = place;
        child.node_name = place.node_name + suffix;
        child.display_name = task_name + suffix;
        child.parent_id = group_id;
        st->loop_children[i].push_back(node_id(name_, child.node_name));
        st->throttle.submit([this, st, s, child, remaining, group_id, task_done, i]() mutable {
          invoke_step(st->tasks[i], s, std::move(child),
                      [this, st, remaining, group_id, task_done, i](const std::string&) {
                        st->throttle.release();
                        if (--*remaining > 0) return;
                        NodePhase phase = NodePhase::Succeeded;
                        std::string message;
                        for (const auto& cid : st->loop_children[i]) {
                          const Node& c = node(cid);
                          if (is_failure(c.phase) && !continues_on(st->tasks[i], c.phase)) {
                            phase = NodePhase::Failed;
                            message = "child '" + cid + "' failed";
                            break;
                          }
                        }
                        complete(node(group_id), phase, message);
                        (*task_done)(i);
                      });
        });
      }
      return;
    }
    place.parent_id = parent_ids[0];
    expr::Scope s = st->scope;
    st->throttle.submit([this, st, s, place, parent_ids, task_done, i]() mutable {
      std::string child_id = node_id(name_, place.node_name);
      invoke_step(st->tasks[i], s, std::move(place), [this, st, task_done, i](const std::string&) {
        st->throttle.release();
        (*task_done)(i);
      });
      for (size_t p = 1; p < parent_ids.size(); ++p) add_child(parent_ids[p], child_id);
    });
  };

  *task_done = [this, st, finish, consider](size_t i) {
    if (st->state[i] == TaskState::Running) --st->running;
    st->state[i] = TaskState::Done;
    --st->unfinished;
    const Json& task = st->tasks[i];
    std::string prefix = "tasks." + task.value("name", "");
    if (st->is_loop[i]) {
      add_aggregate_outputs(st->scope, prefix, st->loop_children[i]);
      st->scope[prefix + ".status"] = to_string(node(st->node_ids[i]).phase);
    } else {
      add_node_outputs(st->scope, prefix, node(st->node_ids[i]));
    }
    const Node& tn = node(st->node_ids[i]);
    if (is_failure(tn.phase) && !continues_on(task, tn.phase) && st->fail_fast) {
      // failFast: let running tasks finish, start nothing new... unless a dependent handles it.
      bool handled = false;
      for (size_t d : st->dependents[i]) {
        const std::string& text =
            st->tasks[d].contains("depends") ? st->tasks[d]["depends"].get_ref<const std::string&>() : "";
        if (text.find(".Failed") != std::string::npos || text.find(".Errored") != std::string::npos ||
            text.find("AllFailed") != std::string::npos || text.find("||") != std::string::npos)
          handled = true;
      }
      if (!handled) st->failing = true;
    }
    for (size_t d : st->dependents[i]) (*consider)(d);
    if (st->running == 0) {
      bool any_startable = false;
      if (!st->failing && !st->inv.cancel->is_cancelled()) {
        for (size_t d = 0; d < st->tasks.size() && !any_startable; ++d) {
          any_startable = st->state[d] == TaskState::Running;
        }
      }
      if (st->unfinished == 0 || !any_startable) {
        // Nothing runs and nothing new can start: either all done, or stopped by failFast.
        if (st->unfinished == 0 || st->failing || st->inv.cancel->is_cancelled()) (*finish)();
      }
    }
  };

  for (size_t i = 0; i < n; ++i) {
    if (st->depends[i].tasks().empty() && st->state[i] == TaskState::Waiting) (*consider)(i);
  }
  if (st->running == 0 && st->unfinished == 0) (*finish)();
}

}  // namespace rampart::engine
