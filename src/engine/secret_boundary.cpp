#include "engine/secret_boundary.h"

#include <set>
#include <string>

namespace rampart::engine {
namespace {

// Node fields the engine reads back to find and link nodes on a resume; none carries a value
// a step produced.
const std::set<std::string>& structural_node_fields() {
  static const std::set<std::string> fields = {
      "id",           "type",          "phase",     "children",   "outboundNodes", "boundaryID",
      "templateName", "templateScope", "startedAt", "finishedAt", "startedAtMs",   "finishedAtMs"};
  return fields;
}

}  // namespace

void mask_node_status(store::Json& status, const SecretMasker& masker) {
  if (masker.empty() || !status.is_object()) return;
  const auto& structural = structural_node_fields();
  for (auto it = status.begin(); it != status.end(); ++it) {
    if (!structural.count(it.key())) masker.mask_json(it.value());
  }
}

void mask_workflow_record(store::WorkflowRecord& record, const SecretMasker& masker) {
  if (masker.empty()) return;
  record.message = masker.mask(record.message);
  if (!record.status.is_object()) return;
  for (auto it = record.status.begin(); it != record.status.end(); ++it) {
    if (it.key() != "rampart" && it.key() != "rampartLocks") masker.mask_json(it.value());
  }
}

void MaskingStore::put_workflow(const store::WorkflowRecord& wf) {
  store::WorkflowRecord masked = wf;
  mask_workflow_record(masked, *masker_);
  inner_.put_workflow(masked);
}

void MaskingStore::put_workflow_status(const store::WorkflowRecord& wf) {
  // Everything but the manifest, which this call does not write (and which may be large).
  store::WorkflowRecord masked;
  masked.namespace_ = wf.namespace_;
  masked.name = wf.name;
  masked.uid = wf.uid;
  masked.phase = wf.phase;
  masked.message = wf.message;
  masked.created_at = wf.created_at;
  masked.started_at = wf.started_at;
  masked.finished_at = wf.finished_at;
  masked.labels_json = wf.labels_json;
  masked.status = wf.status;
  masked.owner = wf.owner;
  mask_workflow_record(masked, *masker_);
  inner_.put_workflow_status(masked);
}

void MaskingStore::put_nodes(const std::string& ns, const std::string& workflow,
                             const std::vector<store::NodeRecord>& nodes) {
  std::vector<store::NodeRecord> masked = nodes;
  for (auto& node : masked) mask_node_status(node.status, *masker_);
  inner_.put_nodes(ns, workflow, masked);
}

int64_t MaskingStore::append_event(const std::string& ns, const std::string& workflow, store::EventRecord event) {
  event.message = masker_->mask(event.message);
  return inner_.append_event(ns, workflow, std::move(event));
}

void MaskingStore::put_memo(const std::string& cache, const std::string& key, const store::Json& outputs,
                            int64_t time_ms) {
  store::Json masked = outputs;
  masker_->mask_json(masked);
  inner_.put_memo(cache, masker_->mask(key), masked, time_ms);
}

void MaskingObserver::node_changed(const Node& node) {
  store::Json status = node.to_json();
  mask_node_status(status, *masker_);
  Node masked = Node::from_json(status);
  inner_.node_changed(masked);
}

void MaskingObserver::workflow_changed(const store::WorkflowRecord& workflow) {
  store::WorkflowRecord masked = workflow;
  mask_workflow_record(masked, *masker_);
  inner_.workflow_changed(masked);
}

}  // namespace rampart::engine
