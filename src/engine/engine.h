// rampart's workflow controller: submit a Workflow, run it to completion on an executor, with
// every state change persisted so that a killed engine resumes where it stopped.
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "common/secret_masker.h"
#include "engine/archive_extract.h"
#include "engine/node.h"
#include "engine/spare_shelf.h"
#include "engine/step_slots.h"
#include "exec/executor.h"
#include "spec/workflow.h"
#include "store/store.h"

namespace rampart::engine {

// Bounds on what one workflow may make the engine do (docs/security.md). A workflow past a bound
// fails with a message naming it and the flag that raises it (cli/engine_bounds.h).
struct EngineBounds {
  int64_t max_nodes = 100'000;   // --max-nodes: nodes of one workflow, checked before a loop expands
  int max_template_depth = 150;  // --max-template-depth: templates nested in each other (recursion)
  ArchiveLimits artifacts;       // --max-artifact-entries, --max-artifact-bytes: unpacking input artifacts
  // --parallelism: steps running at once in this process, all workflows together (0: no limit).
  // Further steps wait Pending; a workflow's own spec.parallelism applies within it as well.
  int64_t max_running_steps = default_max_running_steps();
};

struct EngineOptions {
  std::string state_dir;  // logs, step scratch dirs and artifacts live under it
  // Applied when a workflow sets no activeDeadlineSeconds, so that nothing runs forever.
  int64_t default_deadline_seconds = 0;
  // How often a running engine looks for stop/terminate requests written by other processes.
  int64_t control_poll_ms = 500;
  // Secrets by name -> key -> value, given for this run only (never written to the store, so
  // a resume needs them again).
  std::map<std::string, std::map<std::string, std::string>> secrets;
  // Masks every form of those values in what the run writes: step output (through
  // exec::StepRequest::masker), nodes, events and the workflow's status (secret_boundary.h).
  // Null: the Engine builds it from `secrets`; a caller that masks elsewhere too (the server's
  // responses) passes its own so there is one.
  std::shared_ptr<const SecretMasker> masker;
  // Admission of each step just before it starts (namespace, the step as it will run): returns
  // "" to let it run, or the reason it is denied (the step then fails with that message).
  std::function<std::string(const std::string&, const exec::StepRequest&)> admit_step;
  // Asked between scheduling rounds: true once this engine may no longer drive the workflow
  // (its lease on a shared database lapsed). The run then kills its steps and throws
  // store::LeaseLost without writing anything more, leaving the workflow to its next owner.
  std::function<bool()> lease_lost;
  EngineBounds bounds;
  // The slots behind bounds.max_running_steps, shared by every Engine given the same object (a
  // server passes one to all its engines). Null: the Engine makes its own.
  std::shared_ptr<StepSlots> step_slots;
  // Where a run's spare step directories go when it ends, for the next run in its namespace (a
  // server passes one to all its engines, under its state dir). Null: they go with the run.
  std::shared_ptr<SpareShelf> spare_shelf;
};

struct SubmitOptions {
  std::string namespace_ = "argo";
  std::vector<std::pair<std::string, std::string>> parameters;  // -p name=value, in order
  std::string entrypoint;                                       // overrides spec.entrypoint
  std::string name;                                             // overrides metadata.name
};

// Everything a workflow may reference besides itself: WorkflowTemplates,
// ClusterWorkflowTemplates (for templateRef / workflowTemplateRef) and ConfigMaps.
struct References {
  std::vector<spec::Document> documents;
};

// Receives every node change as it happens (for --watch and the server's event stream).
class Observer {
 public:
  virtual ~Observer() = default;
  virtual void node_changed(const Node& node) = 0;
  virtual void workflow_changed(const store::WorkflowRecord& workflow) = 0;
};

class Engine {
 public:
  Engine(store::Store& store, exec::Executor& executor, EngineOptions options);
  ~Engine();

  // Records a new workflow (Pending) and returns its name. The referenced WorkflowTemplates and
  // ConfigMaps are copied into it, so that a resume needs nothing but the store.
  // Throws std::invalid_argument with a clear message for a workflow that cannot run
  // (unknown parameter, missing workflowTemplateRef, ...).
  std::string submit(const spec::Document& workflow, const References& references, const SubmitOptions& options) {
    return submit(store_, workflow, references, options);
  }
  // The same into `store`, with no Engine (and no executor): submission runs nothing. Thread
  // safety: as `store`.
  static std::string submit(store::Store& store, const spec::Document& workflow, const References& references,
                            const SubmitOptions& options);

  // Runs or resumes the workflow until it completes. Nodes that had completed are not run
  // again; nodes that were running are started anew. Returns the final record.
  store::WorkflowRecord run(const std::string& ns, const std::string& name, Observer* observer = nullptr);

  // Asks a running workflow (in this or another process) to stop: "Stop" lets exit handlers
  // run, "Terminate" does not. Takes effect within control_poll_ms.
  static void request_shutdown(store::Store& store, const std::string& ns, const std::string& name,
                               const std::string& mode);

  // Asks the engine running the workflow to kill one step (`node_id`) with `reason` as its
  // message, which fails the node, and then to terminate the workflow with the same reason (the
  // guard's answer to a miner). Takes effect within control_poll_ms; a step that already ended
  // keeps its phase, and the workflow is still terminated.
  static void request_step_kill(store::Store& store, const std::string& ns, const std::string& name,
                                const std::string& node_id, const std::string& reason);

  // Argo's Workflow object for a stored workflow: metadata, spec and status with nodes.
  static nlohmann::json workflow_object(store::Store& store, const std::string& ns, const std::string& name);
  // The same from a record already read and its nodes (none: no status.nodes).
  static nlohmann::json workflow_object(const store::WorkflowRecord& record,
                                        const std::vector<store::NodeRecord>& nodes);

 private:
  store::Store& store_;
  exec::Executor& executor_;
  EngineOptions options_;
};

}  // namespace rampart::engine
