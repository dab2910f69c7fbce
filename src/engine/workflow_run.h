// One workflow being executed: the node tree, the scheduling of templates (steps, DAG, pods,
// retries, loops), outputs, and persistence of each change. Internal to the engine; the public
// entry point is Engine (engine.h).
//
// Execution is continuation-passing on a single thread: invoking a template creates its node
// and later calls `Done` once that node has completed. Composite templates (steps, DAG, retry)
// keep their own small state and react to their children's completion, so each event costs
// work proportional to the nodes it touches, never a scan of the whole tree.
#pragma once

#include <atomic>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <tuple>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include <nlohmann/json.hpp>

#include "engine/engine.h"
#include "engine/event_loop.h"
#include "common/confined_dir.h"
#include "engine/artifact_repository.h"
#include "engine/locks.h"
#include "engine/step_dir_pool.h"
#include "engine/step_slots.h"
#include "engine/template_ref.h"
#include "engine/node.h"
#include "engine/path_map.h"
#include "expr/expr.h"

namespace rampart::engine {

using Json = nlohmann::json;

// Cancellation shared down a subtree: a timed-out or shut-down node cancels everything below it.
struct CancelToken {
  std::shared_ptr<CancelToken> parent;
  bool cancelled = false;
  std::string reason;
  bool is_cancelled() const {
    for (const CancelToken* t = this; t; t = t->parent.get())
      if (t->cancelled) return true;
    return false;
  }
  std::string why() const {
    for (const CancelToken* t = this; t; t = t->parent.get())
      if (t->cancelled) return t->reason;
    return "";
  }
};
using Cancel = std::shared_ptr<CancelToken>;

// Where a template's own `template:` references resolve: the workflow itself or a
// (Cluster)WorkflowTemplate it was taken from.
struct TemplateSource {
  std::string ref_name;  // "" = the workflow's own templates
  bool cluster = false;
};

// A request to run a template as a node.
struct Invocation {
  std::string node_name;
  std::string display_name;
  std::string parent_id;  // node that gets this one as a child ("" for roots)
  std::string boundary_id;
  TemplateSource source;
  TemplateRef tmpl;  // the template, references resolved, defaults applied (shared)
  Json arguments;    // {"parameters":[...], "artifacts":[...]} already substituted
  Cancel cancel;
  bool exit_handler = false;  // runs even when the workflow is stopping
  int retries = 0;            // attempt index inside a Retry node ({{retries}})
  int depth = 0;              // templates this one is nested in (the entrypoint is 0)
};

using Done = std::function<void(const std::string& node_id)>;

// Container paths and the host paths they live at, longest prefix first.

// What the containers of one pod share: scratch dir, volume mounts, output paths.
struct PodContext {
  std::string step_dir;
  std::vector<exec::Mount> mounts;
  PathMap paths;
  bool network = false;
  Cancel cancel;
  std::optional<double> deadline_seconds;
};

class WorkflowRun {
 public:
  // `options.step_slots` must be set (Engine's constructor makes it when the caller did not).
  WorkflowRun(store::Store& store, exec::Executor& executor, const EngineOptions& options, store::WorkflowRecord record,
              Observer* observer);
  ~WorkflowRun();

  // Runs to completion (or until the process is killed). Returns the final record.
  store::WorkflowRecord run();

 private:
  // --- lifecycle (workflow_run.cpp)
  void start_root();
  void finish_main(const std::string& root_id);
  void finish_workflow(NodePhase phase, const std::string& message);
  void flush();
  void poll_control();
  void on_workflow_deadline();

  // --- nodes (workflow_run.cpp)
  Node& create_node(const Invocation& inv, NodeType type);
  Node& node(const std::string& id) { return nodes_.at(id); }
  const Node* restored(const std::string& node_name) const;
  void add_child(const std::string& parent_id, const std::string& child_id);
  void mark_running(Node& n);
  void complete(Node& n, NodePhase phase, const std::string& message = "");
  void touch(const Node& n);

  // --- invoking templates (invoke.cpp)
  void invoke(Invocation inv, Done done);
  // invoke() once the workflow's bounds were checked.
  void invoke_unbounded(Invocation inv, Done done);
  // "" while `inv` stays within EngineOptions' bounds (node budget, template depth), else why not.
  std::string exceeded_bound(const Invocation& inv) const;
  void invoke_attempt(Invocation inv, Json inputs, Done done);
  void dispatch(Invocation inv, Json inputs, const std::string& node_id, Done done);
  std::optional<Json> resolve_inputs(const Invocation& inv, std::string* error);
  void run_retry(Invocation inv, Json inputs, Done done);
  // One step or DAG task (already expanded for its loop item): `when`, the template reference,
  // arguments, then the step's own exit handler. `place` gives name, parent and boundary.
  void invoke_step(const Json& step, const expr::Scope& scope, Invocation place, Done done);
  void run_step_exit_handler(const Json& step, const expr::Scope& scope, const Invocation& place,
                             const std::string& node_id, Done done);
  void propagate_cancel();
  void export_global_outputs(const Json& tmpl, const Node& n);
  void finish_template_outputs(Node& n, const Json& tmpl, const expr::Scope& scope);

  // --- leaves (run_pod.cpp, run_suspend.cpp)
  // A pod waits (Pending, with a message saying for what) until the run may hold one more step
  // slot (run_slots.cpp), then runs in it: the slot is held until `done` is called.
  void run_pod(const Invocation& inv, const Json& inputs, const std::string& node_id, Done done);
  void run_pod_in_slot(const Invocation& inv, const Json& inputs, const std::string& node_id, Done done);
  // --- step slots (run_slots.cpp): the workflow's `parallelism`, a suspend, and the process's
  // StepSlots (--parallelism) decide when a waiting pod may start.
  bool take_step_slot();
  void give_back_step_slot();
  void start_waiting_pods();
  void drop_cancelled_waiting_pods();
  std::string waiting_message() const;
  // Creates the step's directories and resolves its volumes and mounts into `pod`; "" or why not.
  std::string prepare_pod_dirs(const Json& tmpl, const std::string& node_id, PodContext& pod);
  // The directories every step of this run lives under, opened once per run: <state>/run/<ns>/
  // <name> (one directory per step, named by node id) and <state>/volumes/<ns> (claims).
  struct WorkflowDirs {
    std::shared_ptr<const ConfinedDir> run;
    std::shared_ptr<const ConfinedDir> claims;
    std::shared_ptr<StepDirPool> steps;  // the step directories under `run`, reused
  };
  std::optional<WorkflowDirs> open_workflow_dirs(std::string* error) const;
  // The step's directory is no longer needed: kept as a spare for the next step, or removed.
  void remove_step_dir(const std::string& node_id);
  void start_pending_pods();
  // Outputs of a finished pod: exit code, result (stdout), parameters and artifacts read from
  // the host side of the paths the step wrote. Returns an error text for a missing output.
  std::string collect_pod_outputs(Node& n, const Json& tmpl, const PathMap& paths, const std::string& stdout_path,
                                  int exit_code);
  void launch_container(const std::string& node_id, const Json& container, const Json& tmpl, const PodContext& pod,
                        std::function<void(exec::StepResult)> done);
  // What the executor is asked to run for one container of a pod (main, set member or sidecar);
  // sets `error` (and the step must not start) when a reference cannot be resolved.
  exec::StepRequest container_request(const std::string& node_id, const Json& container, const Json& tmpl,
                                      const PodContext& pod, bool sidecar, std::string* error);
  // Artifacts (run_artifacts.cpp): inputs placed before a pod starts, outputs saved after.
  std::string stage_input_artifacts(const Json& inputs, const expr::Scope& scope, PodContext& pod);
  std::string save_output_artifacts(const Node& n, const Json& tmpl, const PathMap& paths, Json& out);
  void run_suspend(const Invocation& inv, const Json& inputs, const std::string& node_id, Done done);

  // --- composites (run_steps.cpp, run_dag.cpp)
  void run_steps(const Invocation& inv, const Json& inputs, const std::string& node_id, Done done);
  void run_dag(const Invocation& inv, const Json& inputs, const std::string& node_id, Done done);

  // --- templates (templates.cpp)
  // The named template with templateDefaults applied, resolved once per run and then shared.
  std::optional<TemplateRef> find_template(const TemplateSource& source, const std::string& name) const;
  // Resolves a step/task's `template` / `templateRef` / `inline` to (template, its source).
  std::optional<std::pair<TemplateRef, TemplateSource>> resolve_reference(const Json& step, const TemplateSource& from,
                                                                          std::string* error) const;
  Json apply_defaults(Json tmpl) const;

  // --- variables (scope.cpp)
  expr::Scope global_scope() const;
  expr::Scope fixed_global_scope() const;  // the part of global_scope() fixed for the whole run
  expr::Scope template_scope(const Json& inputs, const Node& n) const;
  static void add_node_outputs(expr::Scope& scope, const std::string& prefix, const Node& n);
  void add_aggregate_outputs(expr::Scope& scope, const std::string& prefix,
                             const std::vector<std::string>& child_ids) const;
  std::string config_map_value(const std::string& name, const std::string& key, bool* found) const;
  // The locks a workflow spec or a template asks for (its `synchronization`), each with its
  // limit: "mutex/<name>" (1) or "semaphore/<configmap>/<key>" (the ConfigMap's value, else 1).
  std::vector<std::pair<std::string, int>> wanted_locks(const Json& owner) const;

  // --- loops (loops.cpp): (display suffix, item) for each iteration, or nullopt without a loop.
  std::optional<std::vector<std::pair<std::string, Json>>> expand_loop(const Json& step, const expr::Scope& scope,
                                                                       std::string* error) const;
  // "" when `count` more nodes fit the workflow's node budget, else the error naming --max-nodes.
  std::string loop_budget_error(const char* kind, uint64_t count) const;

  void schedule_after(int64_t ms, std::function<void()> fn);

  store::Store& store_;
  exec::Executor& executor_;
  EngineOptions options_;
  store::WorkflowRecord record_;
  Observer* observer_;
  EventLoop loop_;

  std::string ns_, name_;
  Json spec_;                                       // spec of the workflow (after workflowTemplateRef)
  std::map<std::string, Json> workflow_templates_;  // name -> spec (templateRef targets)
  std::map<std::string, Json> cluster_templates_;
  // find_template()'s results by (cluster, ref_name, name).
  mutable std::map<std::tuple<bool, std::string, std::string>, TemplateRef> resolved_templates_;
  std::map<std::string, std::map<std::string, std::string>> config_maps_;
  Json parameters_;                                   // resolved workflow parameters, in order
  mutable std::optional<expr::Scope> fixed_globals_;  // fixed_global_scope(), built on first use
  std::map<std::string, std::string> global_outputs_;
  std::map<std::string, Json> global_artifacts_;

  std::unordered_map<std::string, Node> nodes_;
  std::unordered_map<std::string, Node> restored_;  // by id, from the store at resume
  std::unordered_set<std::string> dirty_;
  std::vector<std::string> dirty_order_;

  struct PendingPod {
    std::string node_id;
    exec::StepRequest request;
    std::vector<exec::StepRequest> sidecars;  // started with the main container, stopped after it
    std::function<void(exec::StepResult)> done;
  };
  void start_pod(PendingPod p);
  std::deque<PendingPod> pending_pods_;                   // started after the next flush
  std::deque<PendingPod> held_pods_;                      // prepared, held back by a suspend
  std::unordered_map<std::string, Cancel> running_pods_;  // node id -> its cancel token
  int64_t pods_total_ = 0, pods_done_ = 0;
  int64_t parallelism_ = 0;

  std::optional<WorkflowDirs> workflow_dirs_;  // open_workflow_dirs(), on the first step
  bool log_dir_made_ = false;                  // <state>/logs/<ns>/<name> exists

  struct WaitingPod {
    Invocation inv;
    Json inputs;
    std::string node_id;
    Done done;
  };
  std::deque<WaitingPod> waiting_pods_;  // pods waiting for a step slot, in the order they came
  int64_t slots_held_ = 0;               // step slots this run holds (one per pod past the wait)
  int64_t slot_subscription_ = 0;
  std::atomic<bool> slot_wake_posted_{false};  // a start_waiting_pods() is queued on loop_
  LockManager locks_;
  ArtifactRepository artifacts_;
  // Things waiting on a timer or a resume (suspend, backoff) that must end when cancelled.
  std::vector<std::pair<Cancel, std::function<void()>>> cancel_waiters_;
  std::map<std::string, std::function<void()>> suspended_;  // node id -> resume it
  Cancel root_cancel_;
  bool finished_ = false;
  bool record_dirty_ = false;  // the workflow record changed and is not yet stored
  bool paused_ = false;        // suspended: no new steps start until resumed
  bool stopping_ = false;      // Stop: exit handlers still run
  NodePhase main_phase_ = NodePhase::Pending;
  std::string main_message_;
  std::string root_id_;
  int64_t last_control_poll_ = 0;
  std::string bound_exceeded_;            // why the workflow was stopped at one of its bounds, if it was
  std::string workflow_status_for_exit_;  // workflow.status seen by the exit handler
  Json workflow_failures_ = Json::array();
};

}  // namespace rampart::engine
