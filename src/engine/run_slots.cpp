// Step slots: a pod is prepared (directories, volumes, its request to the executor) only once it
// may run, so a loop of 100,000 steps holds at most --parallelism sets of descriptors and
// directories, and a step that waits is shown Pending with the reason, never Running.
#include "engine/workflow_run.h"

namespace rampart::engine {

void WorkflowRun::run_pod(const Invocation& inv, const Json& inputs, const std::string& id, Done done) {
  waiting_pods_.push_back({inv, inputs, id, std::move(done)});
  start_waiting_pods();
  if (waiting_pods_.empty() || waiting_pods_.back().node_id != id) return;
  Node& n = node(id);
  n.message = waiting_message();
  touch(n);
}

bool WorkflowRun::take_step_slot() {
  if (paused_) return false;
  if (parallelism_ > 0 && slots_held_ >= parallelism_) return false;
  if (!options_.step_slots->try_acquire()) return false;
  ++slots_held_;
  return true;
}

void WorkflowRun::give_back_step_slot() {
  --slots_held_;
  options_.step_slots->release();  // wakes every run waiting for a slot, this one included
}

void WorkflowRun::start_waiting_pods() {
  while (!waiting_pods_.empty()) {
    if (waiting_pods_.front().inv.cancel->is_cancelled()) {
      drop_cancelled_waiting_pods();
      continue;
    }
    if (!take_step_slot()) return;
    WaitingPod next = std::move(waiting_pods_.front());
    waiting_pods_.pop_front();
    Node& n = node(next.node_id);
    if (!n.message.empty()) {
      n.message.clear();
      touch(n);
    }
    Done release_then_done = [this, done = std::move(next.done)](const std::string& node_id) {
      give_back_step_slot();
      done(node_id);
      // The freed slot goes to this run's next waiting pod in the same round, so the pod is
      // written with the completion that freed it: one transaction per step, not two.
      start_waiting_pods();
    };
    run_pod_in_slot(next.inv, next.inputs, next.node_id, std::move(release_then_done));
  }
}

void WorkflowRun::drop_cancelled_waiting_pods() {
  // A pod cancelled while it waited never starts: it fails with the reason, as a running one would.
  std::deque<WaitingPod> keep;
  for (auto& w : waiting_pods_) {
    if (!w.inv.cancel->is_cancelled()) {
      keep.push_back(std::move(w));
      continue;
    }
    complete(node(w.node_id), NodePhase::Failed, w.inv.cancel->why());
    loop_.post([done = std::move(w.done), id = w.node_id] { done(id); });
  }
  waiting_pods_ = std::move(keep);
}

std::string WorkflowRun::waiting_message() const {
  if (paused_) return "Waiting for the workflow to be resumed";
  if (parallelism_ > 0 && slots_held_ >= parallelism_) {
    return "Waiting for workflow parallelism: " + std::to_string(parallelism_) + " steps are running";
  }
  return "Waiting for the engine's parallelism: " + std::to_string(options_.step_slots->limit()) +
         " steps are running (--parallelism)";
}

}  // namespace rampart::engine
