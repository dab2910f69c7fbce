// Where secret values stop: everything a running workflow hands to the store (nodes, the
// workflow's status and message, events, memoized outputs) or to an observer (the terminal, a
// watch) passes through the run's SecretMasker first. One place, so that a new producer of
// messages or outputs inside the engine cannot forget to mask.
//
// Inside the run, values stay as they are: a parameter passed from one step to the next keeps
// its value. What is stored is masked, so a resumed workflow sees "[redacted]" where a secret
// was passed between steps before the restart.
//
// Not masked, because a resume needs them verbatim: the submitted manifest and what was copied
// in at submission (status.rampart: parameters, WorkflowTemplates, ConfigMaps; status.rampartLocks),
// and the fields that identify nodes and link them (id, type, phase, children, boundaryID,
// outboundNodes, templateName, templateScope, times). Secrets are not meant to be in those:
// they reach a workflow through --secret only.
#pragma once

#include <memory>

#include "common/secret_masker.h"
#include "engine/engine.h"
#include "store/store.h"

namespace rampart::engine {

// A node's status JSON (Node::to_json) with every other string masked, in place.
void mask_node_status(store::Json& status, const SecretMasker& masker);
// The workflow's message and status (outside status.rampart and status.rampartLocks), in place.
void mask_workflow_record(store::WorkflowRecord& record, const SecretMasker& masker);

// A Store that masks what is written through it and passes everything else on to `inner`
// (which must outlive it). Reads are not unmasked: what was stored masked stays masked. A
// memoization key is stored masked, so a key built from a secret never matches again (the
// step runs rather than reuse outputs computed with a secret that may have changed).
// Threads: as `inner`.
class MaskingStore : public store::Store {
 public:
  MaskingStore(store::Store& inner, std::shared_ptr<const SecretMasker> masker)
      : inner_(inner), masker_(std::move(masker)) {}

  void begin() override { inner_.begin(); }
  void commit() override { inner_.commit(); }
  void rollback() override { inner_.rollback(); }
  void put_workflow(const store::WorkflowRecord& wf) override;
  void put_workflow_status(const store::WorkflowRecord& wf) override;
  std::optional<store::WorkflowRecord> get_workflow(const std::string& ns, const std::string& name) override {
    return inner_.get_workflow(ns, name);
  }
  std::vector<store::WorkflowRecord> list_workflows(const store::ListFilter& filter) override {
    return inner_.list_workflows(filter);
  }
  bool delete_workflow(const std::string& ns, const std::string& name) override {
    return inner_.delete_workflow(ns, name);
  }
  void put_nodes(const std::string& ns, const std::string& workflow,
                 const std::vector<store::NodeRecord>& nodes) override;
  std::vector<store::NodeRecord> get_nodes(const std::string& ns, const std::string& workflow) override {
    return inner_.get_nodes(ns, workflow);
  }
  int64_t append_event(const std::string& ns, const std::string& workflow, store::EventRecord event) override;
  std::vector<store::EventRecord> events(const std::string& ns, const std::string& workflow,
                                         int64_t after_seq) override {
    return inner_.events(ns, workflow, after_seq);
  }
  void put_memo(const std::string& cache, const std::string& key, const store::Json& outputs, int64_t time_ms) override;
  std::optional<std::pair<store::Json, int64_t>> get_memo(const std::string& cache, const std::string& key) override {
    return inner_.get_memo(cache, key);
  }
  int64_t delete_finished_before(int64_t time_ms) override { return inner_.delete_finished_before(time_ms); }
  std::optional<int64_t> acquire_lease(const std::string& ns, const std::string& name, const std::string& holder,
                                       int64_t ttl_ms) override {
    return inner_.acquire_lease(ns, name, holder, ttl_ms);
  }
  int64_t renew_leases(const std::string& holder, int64_t ttl_ms) override {
    return inner_.renew_leases(holder, ttl_ms);
  }
  void release_lease(const std::string& ns, const std::string& name, const std::string& holder) override {
    inner_.release_lease(ns, name, holder);
  }
  std::optional<std::string> lease_holder(const std::string& ns, const std::string& name) override {
    return inner_.lease_holder(ns, name);
  }
  std::vector<std::pair<std::string, std::string>> unleased_unfinished(int64_t limit,
                                                                       int64_t unclaimed_before_ms) override {
    return inner_.unleased_unfinished(limit, unclaimed_before_ms);
  }
  void fence(const std::string& ns, const std::string& name, const std::string& holder, int64_t epoch) override {
    inner_.fence(ns, name, holder, epoch);
  }
  int64_t data_version() override { return inner_.data_version(); }

 private:
  store::Store& inner_;
  std::shared_ptr<const SecretMasker> masker_;
};

// An Observer that sees nodes and the workflow masked, as the store has them. `inner` must
// outlive it. Threads: as `inner` (the engine calls it from its own thread).
class MaskingObserver : public Observer {
 public:
  MaskingObserver(Observer& inner, std::shared_ptr<const SecretMasker> masker)
      : inner_(inner), masker_(std::move(masker)) {}
  void node_changed(const Node& node) override;
  void workflow_changed(const store::WorkflowRecord& workflow) override;

 private:
  Observer& inner_;
  std::shared_ptr<const SecretMasker> masker_;
};

}  // namespace rampart::engine
