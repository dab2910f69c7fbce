#include "engine/workflow_run.h"

#include <algorithm>
#include <chrono>
#include <filesystem>

#include "common/object_names.h"
#include "engine/naming.h"

namespace rampart::engine {

namespace fs = std::filesystem;

WorkflowRun::WorkflowRun(store::Store& store, exec::Executor& executor, const EngineOptions& options,
                         store::WorkflowRecord record, Observer* observer)
    : store_(store),
      executor_(executor),
      options_(options),
      record_(std::move(record)),
      observer_(observer),
      artifacts_(std::filesystem::path(options.state_dir) / "artifacts", record_.namespace_, options.bounds.artifacts),
      root_cancel_(std::make_shared<CancelToken>()) {
  ns_ = record_.namespace_;
  name_ = record_.name;
  spec_ = record_.manifest.value("spec", Json::object());
  const Json& stored = record_.status.value("rampart", Json::object());
  const Json items_workflowTemplates = stored.value("workflowTemplates", Json::object());
  for (auto& [k, v] : items_workflowTemplates.items()) workflow_templates_[k] = v;
  const Json items_clusterWorkflowTemplates = stored.value("clusterWorkflowTemplates", Json::object());
  for (auto& [k, v] : items_clusterWorkflowTemplates.items()) cluster_templates_[k] = v;
  const Json items_configMaps = stored.value("configMaps", Json::object());
  for (auto& [k, v] : items_configMaps.items()) {
    for (auto& [dk, dv] : v.items()) config_maps_[k][dk] = dv.is_string() ? dv.get<std::string>() : dv.dump();
  }
  parameters_ = stored.value("parameters", Json::array());
  if (record_.status.contains("outputs")) {
    for (const auto& p : record_.status["outputs"].value("parameters", Json::array())) {
      global_outputs_[p.value("name", "")] = p.value("value", "");
    }
  }
  for (auto& n : store_.get_nodes(ns_, name_)) {
    Node node = Node::from_json(n.status);
    if (node.type == NodeType::Pod) {
      ++pods_total_;
      if (is_completed(node.phase)) ++pods_done_;
    }
    restored_.emplace(node.id, node);
    nodes_.emplace(node.id, std::move(node));
  }
  parallelism_ = spec_.value("parallelism", int64_t{0});
  // A slot freed anywhere in the process may let a waiting pod of this run start: look once
  // more, on this run's own thread (one wake-up queued at a time). The destructor unsubscribes
  // before any member goes.
  slot_subscription_ = options_.step_slots->subscribe([this] {
    if (slot_wake_posted_.exchange(true)) return;
    loop_.post([this] {
      slot_wake_posted_ = false;
      start_waiting_pods();
    });
  });
}

WorkflowRun::~WorkflowRun() {
  options_.step_slots->unsubscribe(slot_subscription_);
  // Slots of steps that never reported back (the run was abandoned: lease lost, an exception).
  for (; slots_held_ > 0; --slots_held_) options_.step_slots->release();
}

const Node* WorkflowRun::restored(const std::string& node_name) const {
  auto it = restored_.find(node_id(name_, node_name));
  if (it == restored_.end() || !is_completed(it->second.phase)) return nullptr;
  return &it->second;
}

void WorkflowRun::touch(const Node& n) {
  if (dirty_.insert(n.id).second) dirty_order_.push_back(n.id);
  if (observer_) observer_->node_changed(n);
}

Node& WorkflowRun::create_node(const Invocation& inv, NodeType type) {
  std::string id = node_id(name_, inv.node_name);
  auto [it, inserted] = nodes_.try_emplace(id);
  Node& n = it->second;
  if (inserted) {
    n.id = id;
    if (type == NodeType::Pod) ++pods_total_;
  }
  // Also for a node restored from the store, whose names may have been stored masked: children
  // are named after it.
  n.name = inv.node_name;
  n.display_name = inv.display_name;
  if (!inserted && is_completed(n.phase) && n.type == NodeType::Pod) --pods_done_;
  n.type = type;
  n.template_name = inv.tmpl.value("name", "");
  n.template_scope =
      inv.source.ref_name.empty() ? "local/" : (inv.source.cluster ? "cluster/" : "namespaced/") + inv.source.ref_name;
  n.boundary_id = inv.boundary_id;
  n.phase = NodePhase::Pending;
  n.message.clear();
  n.finished_at = 0;
  if (!inv.parent_id.empty()) add_child(inv.parent_id, id);
  touch(n);
  return n;
}

void WorkflowRun::add_child(const std::string& parent_id, const std::string& child_id) {
  auto it = nodes_.find(parent_id);
  if (it == nodes_.end()) return;
  auto& children = it->second.children;
  if (!children.empty() && children.back() == child_id) return;
  // A child can already be listed only when both were restored from the store (a resume);
  // checking only then keeps a 10,000-way fan-out linear.
  if (restored_.count(child_id) && std::find(children.begin(), children.end(), child_id) != children.end()) {
    return;
  }
  children.push_back(child_id);
  touch(it->second);
}

void WorkflowRun::mark_running(Node& n) {
  if (n.phase == NodePhase::Running) return;
  n.phase = NodePhase::Running;
  if (!n.started_at) n.started_at = now_ms();
  touch(n);
}

void WorkflowRun::complete(Node& n, NodePhase phase, const std::string& message) {
  if (n.type == NodeType::Pod && !is_completed(n.phase)) ++pods_done_;
  n.phase = phase;
  if (!message.empty() || phase == NodePhase::Succeeded) n.message = message;
  if (!n.started_at) n.started_at = now_ms();
  n.finished_at = now_ms();
  touch(n);
}

void WorkflowRun::schedule_after(int64_t ms, std::function<void()> fn) {
  loop_.schedule(std::chrono::milliseconds(ms < 0 ? 0 : ms), std::move(fn));
}

void WorkflowRun::flush() {
  if (!dirty_order_.empty() || !pending_pods_.empty() || record_dirty_) {
    record_dirty_ = false;
    // Progress "done/total" over pods, as Argo shows it; counted incrementally.
    record_.status["progress"] = std::to_string(pods_done_) + "/" + std::to_string(pods_total_);
    // One transaction for the whole round; nodes are turned into JSON a chunk at a time, so a
    // round that creates 100,000 nodes never holds all their JSON at once.
    constexpr size_t kChunk = 256;
    std::vector<store::NodeRecord> batch;
    batch.reserve(std::min(kChunk, dirty_order_.size()));
    store_.begin();
    try {
      for (const auto& id : dirty_order_) {
        auto it = nodes_.find(id);
        if (it != nodes_.end()) batch.push_back({id, it->second.to_json()});
        if (batch.size() == kChunk) {
          store_.put_nodes(ns_, name_, batch);
          batch.clear();
        }
      }
      dirty_.clear();
      dirty_order_.clear();
      store_.put_nodes(ns_, name_, batch);
      store_.put_workflow_status(record_);  // the manifest does not change while it runs
      store_.commit();
    } catch (...) {
      store_.rollback();
      throw;
    }
  }
  // Only now, with the state that led to them durable, do new steps start.
  while (!pending_pods_.empty()) {
    PendingPod p = std::move(pending_pods_.front());
    pending_pods_.pop_front();
    // Parallelism was settled when the pod took its step slot (run_slots.cpp); only a suspend
    // that came after that holds it back (a containerSet's next container, say).
    if (paused_) {
      held_pods_.push_back(std::move(p));
      continue;
    }
    start_pod(std::move(p));
  }
}

void WorkflowRun::start_pending_pods() {
  // Held pods were already durable when they were first queued.
  while (!paused_ && !held_pods_.empty()) {
    PendingPod p = std::move(held_pods_.front());
    held_pods_.pop_front();
    start_pod(std::move(p));
  }
  start_waiting_pods();
}

void WorkflowRun::start_pod(PendingPod p) {
  // The executor masks the run's secrets in the step's output before writing it.
  p.request.masker = options_.masker;
  for (auto& sidecar : p.sidecars) sidecar.masker = options_.masker;
  auto it = running_pods_.find(p.node_id);
  if (it != running_pods_.end() && it->second && it->second->is_cancelled()) {
    // Cancelled while it waited for its turn: it never starts.
    p.done(exec::StepResult{exec::StepOutcome::Killed, 137, it->second->why(), false});
    return;
  }
  if (p.sidecars.empty()) {
    executor_.start(std::move(p.request), std::move(p.done));
    return;
  }
  // The pod ends when its main container has ended and every sidecar, stopped then, is gone:
  // only then may its directory (volumes, the shared network namespace) be removed.
  struct Pod {
    std::set<std::string> sidecars_running;
    std::optional<exec::StepResult> main_result;
    std::function<void(exec::StepResult)> done;
  };
  auto pod = std::make_shared<Pod>();
  pod->done = std::move(p.done);
  auto finish_if_ended = [pod] {
    if (!pod->main_result || !pod->sidecars_running.empty() || !pod->done) return;
    auto done = std::move(pod->done);
    pod->done = nullptr;
    done(*pod->main_result);
  };
  for (auto& sidecar : p.sidecars) {
    std::string id = sidecar.id;
    pod->sidecars_running.insert(id);
    executor_.start(std::move(sidecar), [this, pod, id, finish_if_ended](exec::StepResult) {
      loop_.post([pod, id, finish_if_ended] {
        pod->sidecars_running.erase(id);
        finish_if_ended();
      });
    });
  }
  executor_.start(std::move(p.request), [this, pod, finish_if_ended](exec::StepResult result) {
    loop_.post([this, pod, result, finish_if_ended] {
      pod->main_result = result;
      for (const auto& id : pod->sidecars_running) executor_.kill(id, "the main container ended");
      finish_if_ended();
    });
  });
}

void WorkflowRun::poll_control() {
  int64_t now = now_ms();
  if (now - last_control_poll_ < options_.control_poll_ms) return;
  last_control_poll_ = now;
  int64_t after = record_.status.value("controlSeq", int64_t{0});
  for (const auto& e : store_.events(ns_, name_, after)) {
    record_.status["controlSeq"] = e.seq;
    if (e.reason == "SuspendRequested") {
      // Argo's `suspend`: running steps go on, nothing new starts until `resume`.
      paused_ = true;
      record_.status["suspended"] = true;
      record_dirty_ = true;
      continue;
    }
    if (e.reason == "ResumeRequested") {
      if (paused_) {
        paused_ = false;
        record_.status.erase("suspended");
        record_dirty_ = true;
        start_pending_pods();
      }
      auto waiting = std::move(suspended_);
      suspended_.clear();
      for (auto& [id, resume] : waiting) resume();
      continue;
    }
    if (e.reason == "StepKillRequested") {
      // The step is killed first, so that its node fails with this reason (the first kill's
      // reason is the one a step reports), then the whole workflow is terminated.
      executor_.kill(e.node_id, e.message);
    } else if (e.reason != "ShutdownRequested") {
      continue;
    }
    bool terminate = e.reason == "StepKillRequested" || e.message == "Terminate";
    stopping_ = true;
    paused_ = false;  // held-back steps are cancelled now, so they must be let through to end
    root_cancel_->cancelled = true;
    root_cancel_->reason = e.reason == "StepKillRequested"
                               ? e.message
                               : std::string("Stopped with strategy '") + (terminate ? "Terminate" : "Stop") + "'";
    if (terminate) record_.status["terminated"] = true;
    propagate_cancel();
    start_pending_pods();  // those held back by a suspend end as cancelled
  }
}

void WorkflowRun::on_workflow_deadline() {
  if (finished_) return;
  root_cancel_->cancelled = true;
  root_cancel_->reason = "Step exceeded its deadline";
  record_.status["deadlineExceeded"] = true;
  paused_ = false;
  propagate_cancel();
  start_pending_pods();
}

store::WorkflowRecord WorkflowRun::run() {
  if (record_.phase == "Succeeded" || record_.phase == "Failed" || record_.phase == "Error") return record_;
  // Stored before names were checked, or written by something else: never formed into a path.
  std::string bad_name = check_dns1123_label(ns_);
  if (bad_name.empty()) bad_name = check_dns1123_subdomain(name_);
  if (!bad_name.empty()) {
    finish_workflow(NodePhase::Error, "refusing to run: the workflow's namespace or name " + bad_name);
    flush();
    return record_;
  }
  record_.phase = "Running";
  paused_ = record_.status.value("suspended", false);  // a suspended workflow stays so across restarts
  if (!record_.started_at) record_.started_at = now_ms();
  record_dirty_ = true;
  if (observer_) observer_->workflow_changed(record_);
  loop_.post([this] { start_root(); });
  try {
    while (!finished_) {
      if (options_.lease_lost && options_.lease_lost()) {
        throw store::LeaseLost("workflow " + ns_ + "/" + name_ + ": lease lost; its steps were stopped");
      }
      loop_.run_once(std::chrono::milliseconds(100));
      flush();
      if (!finished_) poll_control();
    }
    flush();
  } catch (...) {
    // Steps still running would call back into this object after it is gone, and must not
    // outlive an engine that gave the workflow up: end them first (shutdown waits for each).
    executor_.shutdown();
    throw;
  }
  return record_;
}

void WorkflowRun::finish_workflow(NodePhase phase, const std::string& message) {
  if (finished_) return;
  record_.phase = to_string(phase);
  record_.message = message;
  record_.finished_at = now_ms();
  if (!global_outputs_.empty()) {
    Json params = Json::array();
    for (const auto& [k, v] : global_outputs_) params.push_back({{"name", k}, {"value", v}});
    record_.status["outputs"]["parameters"] = params;
  }
  if (!global_artifacts_.empty()) {
    Json arts = Json::array();
    for (const auto& [k, v] : global_artifacts_) arts.push_back(v);
    record_.status["outputs"]["artifacts"] = arts;
  }
  for (const auto& lock : record_.status.value("rampartLocks", std::vector<std::string>{})) {
    locks_.release(lock, name_);
  }
  finished_ = true;
  record_dirty_ = true;  // the final phase must reach the store even if no node changed
  flush();
  // Step directories (Secret volume files among them) normally go when their step ends; this
  // catches those of steps that failed before they started.
  if (workflow_dirs_) workflow_dirs_->steps->retire();
  std::error_code ec;
  fs::remove_all(fs::path(options_.state_dir) / "run" / ns_ / name_, ec);
  if (observer_) observer_->workflow_changed(record_);
}

}  // namespace rampart::engine
