#include "engine/engine.h"

#include <sys/random.h>

#include <cerrno>
#include <cstring>
#include <optional>
#include <set>
#include <stdexcept>

#include "common/object_names.h"
#include "engine/secret_boundary.h"
#include "engine/workflow_run.h"

namespace rampart::engine {
namespace {

// Random bytes from the kernel in one call (std::random_device opened /dev/urandom and read it
// once per character: a tenth of a server's time when workflows arrive fast).
void random_bytes(unsigned char* out, size_t n) {
  while (n > 0) {
    ssize_t got = ::getrandom(out, n, 0);
    if (got < 0) {
      if (errno == EINTR) continue;
      throw std::runtime_error(std::string("getrandom: ") + std::strerror(errno));
    }
    out += got;
    n -= static_cast<size_t>(got);
  }
}

std::string random_suffix(size_t length) {
  static const char kAlphabet[] = "bcdfghjklmnpqrstvwxz2456789";
  constexpr size_t kLetters = sizeof(kAlphabet) - 1;
  std::string out;
  unsigned char bytes[32];
  while (out.size() < length) {
    random_bytes(bytes, sizeof bytes);
    for (unsigned char b : bytes) {
      // Rejection keeps every letter equally likely (256 is not a multiple of 27).
      if (b < 256 - 256 % kLetters && out.size() < length) out += kAlphabet[b % kLetters];
    }
  }
  return out;
}

std::string random_uid() {
  unsigned char bytes[16];
  random_bytes(bytes, sizeof bytes);
  const char* hex = "0123456789abcdef";
  std::string out;
  for (int i = 0; i < 16; ++i) {
    if (i == 4 || i == 6 || i == 8 || i == 10) out += '-';
    out += hex[bytes[i] >> 4];
    out += hex[bytes[i] & 15];
  }
  return out;
}

std::string scalar_text(const Json& v) {
  if (v.is_string()) return v.get<std::string>();
  if (v.is_null()) return "";
  return v.dump();
}

// Every templateRef / workflowTemplateRef name inside `j`, as (name, clusterScope).
void collect_refs(const Json& j, std::set<std::pair<std::string, bool>>& out) {
  if (j.is_object()) {
    for (const char* key : {"templateRef", "workflowTemplateRef"}) {
      if (j.contains(key) && j[key].is_object()) {
        out.emplace(j[key].value("name", ""), j[key].value("clusterScope", false));
      }
    }
    for (auto it = j.begin(); it != j.end(); ++it) collect_refs(it.value(), out);
  } else if (j.is_array()) {
    for (const auto& v : j) collect_refs(v, out);
  }
}

}  // namespace

Engine::Engine(store::Store& store, exec::Executor& executor, EngineOptions options)
    : store_(store), executor_(executor), options_(std::move(options)) {
  if (!options_.masker) options_.masker = SecretMasker::from_secrets(options_.secrets);
  if (!options_.step_slots) options_.step_slots = std::make_shared<StepSlots>(options_.bounds.max_running_steps);
}

Engine::~Engine() = default;

std::string Engine::submit(store::Store& store, const spec::Document& workflow, const References& references,
                           const SubmitOptions& options) {
  if (workflow.kind != spec::Kind::Workflow) {
    throw std::invalid_argument(std::string("cannot run a ") + spec::to_string(workflow.kind) +
                                "; expected a Workflow");
  }
  Json manifest = workflow.raw;
  Json& meta = manifest["metadata"];
  // Names become directory names (logs, step dirs, volumes): checked before any path is formed.
  if (std::string why = check_dns1123_label(options.namespace_); !why.empty())
    throw std::invalid_argument("namespace " + why);
  std::string name = options.name;
  if (name.empty()) name = meta.value("name", "");
  if (!name.empty()) {
    if (std::string why = check_dns1123_subdomain(name); !why.empty())
      throw std::invalid_argument("metadata.name " + why);
  } else {
    std::string prefix = meta.value("generateName", "");
    if (prefix.empty()) throw std::invalid_argument("the workflow has neither metadata.name nor metadata.generateName");
    if (std::string why = check_generate_name(prefix); !why.empty())
      throw std::invalid_argument("metadata.generateName " + why);
    for (int attempt = 0; attempt < 20; ++attempt) {
      name = prefix + random_suffix(5);
      if (!store.get_workflow(options.namespace_, name)) break;
    }
  }
  if (store.get_workflow(options.namespace_, name)) {
    throw std::invalid_argument("workflow \"" + name + "\" already exists in namespace \"" + options.namespace_ +
                                "\"; delete it or use generateName");
  }
  meta["name"] = name;
  meta.erase("generateName");
  meta["namespace"] = options.namespace_;

  std::map<std::string, const spec::Document*> wts, cwts, cms;
  for (const auto& d : references.documents) {
    if (d.kind == spec::Kind::WorkflowTemplate) wts[d.metadata.name] = &d;
    if (d.kind == spec::Kind::ClusterWorkflowTemplate) cwts[d.metadata.name] = &d;
    if (d.kind == spec::Kind::ConfigMap) cms[d.metadata.name] = &d;
  }

  Json spec = manifest.value("spec", Json::object());
  // workflowTemplateRef: the template's spec, with the workflow's own fields on top.
  if (spec.contains("workflowTemplateRef")) {
    const Json& ref = spec["workflowTemplateRef"];
    std::string ref_name = ref.value("name", "");
    bool cluster = ref.value("clusterScope", false);
    auto& table = cluster ? cwts : wts;
    auto it = table.find(ref_name);
    if (it == table.end()) {
      throw std::invalid_argument(std::string("workflowTemplateRef: ") +
                                  (cluster ? "ClusterWorkflowTemplate" : "WorkflowTemplate") + " \"" + ref_name +
                                  "\" was not loaded (pass --templates DIR)");
    }
    Json base = it->second->raw.value("spec", Json::object());
    Json own_args = spec.value("arguments", Json::object());
    for (auto sit = spec.begin(); sit != spec.end(); ++sit) {
      if (sit.key() != "workflowTemplateRef" && sit.key() != "arguments") base[sit.key()] = sit.value();
    }
    // Arguments merge by name: the workflow's values win.
    for (const char* kind : {"parameters", "artifacts"}) {
      Json merged = base.value("arguments", Json::object()).value(kind, Json::array());
      for (const auto& a : own_args.value(kind, Json::array())) {
        bool replaced = false;
        for (auto& m : merged) {
          if (m.value("name", "") == a.value("name", "")) {
            m = a;
            replaced = true;
          }
        }
        if (!replaced) merged.push_back(a);
      }
      if (!merged.empty()) base["arguments"][kind] = merged;
    }
    spec = base;
  }
  if (!options.entrypoint.empty()) spec["entrypoint"] = options.entrypoint;

  // Workflow parameters: declared values, overridden by -p, each resolved to a string.
  Json declared = spec.value("arguments", Json::object()).value("parameters", Json::array());
  for (const auto& [pname, pvalue] : options.parameters) {
    bool found = false;
    for (auto& p : declared) {
      if (p.value("name", "") == pname) {
        p["value"] = pvalue;
        p.erase("valueFrom");
        found = true;
      }
    }
    if (!found) {
      std::string names;
      for (const auto& p : declared) names += (names.empty() ? "" : ", ") + p.value("name", "");
      throw std::invalid_argument(
          "unknown parameter \"" + pname + "\"" +
          (names.empty() ? std::string("; the workflow declares no parameters") : "; the workflow declares: " + names));
    }
  }
  Json resolved = Json::array();
  for (const auto& p : declared) {
    std::string pname = p.value("name", "");
    std::optional<std::string> value;
    if (p.contains("value")) value = scalar_text(p["value"]);
    if (!value && p.contains("valueFrom") && p["valueFrom"].contains("configMapKeyRef")) {
      const Json& ref = p["valueFrom"]["configMapKeyRef"];
      auto it = cms.find(ref.value("name", ""));
      if (it != cms.end()) {
        auto kt = it->second->data.find(ref.value("key", ""));
        if (kt != it->second->data.end()) value = kt->second;
      }
      if (!value && p["valueFrom"].contains("default")) value = scalar_text(p["valueFrom"]["default"]);
      if (!value) {
        throw std::invalid_argument("parameter \"" + pname + "\": ConfigMap \"" + ref.value("name", "") + "\" key \"" +
                                    ref.value("key", "") + "\" not found (pass --configmap FILE)");
      }
    }
    if (!value && p.contains("default")) value = scalar_text(p["default"]);
    if (!value) throw std::invalid_argument("parameter \"" + pname + "\" has no value; pass -p " + pname + "=VALUE");
    if (p.contains("enum") && p["enum"].is_array() && !p["enum"].empty()) {
      bool ok = false;
      for (const auto& e : p["enum"]) ok = ok || scalar_text(e) == *value;
      if (!ok)
        throw std::invalid_argument("parameter \"" + pname + "\": \"" + *value + "\" is not one of " +
                                    p["enum"].dump());
    }
    resolved.push_back({{"name", pname}, {"value", *value}});
  }
  if (!resolved.empty()) spec["arguments"]["parameters"] = resolved;
  manifest["spec"] = spec;

  // Copy what the workflow references, so a resume needs nothing but the store.
  Json stored = {{"parameters", resolved},
                 {"workflowTemplates", Json::object()},
                 {"clusterWorkflowTemplates", Json::object()},
                 {"configMaps", Json::object()}};
  std::set<std::pair<std::string, bool>> refs, seen;
  collect_refs(spec, refs);
  while (!refs.empty()) {
    auto ref = *refs.begin();
    refs.erase(refs.begin());
    if (!seen.insert(ref).second) continue;
    auto& table = ref.second ? cwts : wts;
    auto it = table.find(ref.first);
    if (it == table.end()) continue;  // reported when a step uses it
    Json ref_spec = it->second->raw.value("spec", Json::object());
    stored[ref.second ? "clusterWorkflowTemplates" : "workflowTemplates"][ref.first] = ref_spec;
    collect_refs(ref_spec, refs);
  }
  for (const auto& [cm_name, doc] : cms) stored["configMaps"][cm_name] = doc->data;

  store::WorkflowRecord record;
  record.namespace_ = options.namespace_;
  record.name = name;
  record.uid = random_uid();
  record.phase = "Pending";
  record.created_at = now_ms();
  record.labels_json = meta.value("labels", Json::object()).dump();
  record.manifest = manifest;
  record.status = {{"rampart", stored}};
  store.put_workflow(record);
  return name;
}

store::WorkflowRecord Engine::run(const std::string& ns, const std::string& name, Observer* observer) {
  auto record = store_.get_workflow(ns, name);
  if (!record) throw std::invalid_argument("workflow \"" + name + "\" not found in namespace \"" + ns + "\"");
  // What the run stores or shows passes through the masker (secret_boundary.h); without
  // secrets there is nothing to mask and nothing to copy.
  std::optional<MaskingStore> masked_store;
  std::optional<MaskingObserver> masked_observer;
  if (!options_.masker->empty()) {
    masked_store.emplace(store_, options_.masker);
    if (observer) observer = &masked_observer.emplace(*observer, options_.masker);
  }
  WorkflowRun run(masked_store ? *masked_store : store_, executor_, options_, std::move(*record), observer);
  store::WorkflowRecord final_record = run.run();
  mask_workflow_record(final_record, *options_.masker);
  return final_record;
}

void Engine::request_shutdown(store::Store& store, const std::string& ns, const std::string& name,
                              const std::string& mode) {
  store::EventRecord e;
  e.time_ms = now_ms();
  e.type = "Normal";
  e.reason = mode == "Resume" ? "ResumeRequested" : mode == "Suspend" ? "SuspendRequested" : "ShutdownRequested";
  e.message = mode;
  store.append_event(ns, name, e);
}

void Engine::request_step_kill(store::Store& store, const std::string& ns, const std::string& name,
                               const std::string& node_id, const std::string& reason) {
  store::EventRecord e;
  e.time_ms = now_ms();
  e.node_id = node_id;
  e.type = "Warning";
  e.reason = "StepKillRequested";
  e.message = reason;
  store.append_event(ns, name, e);
}

nlohmann::json Engine::workflow_object(store::Store& store, const std::string& ns, const std::string& name) {
  auto record = store.get_workflow(ns, name);
  if (!record) return nullptr;
  return workflow_object(*record, store.get_nodes(ns, name));
}

nlohmann::json Engine::workflow_object(const store::WorkflowRecord& record,
                                       const std::vector<store::NodeRecord>& nodes) {
  Json wf = record.manifest;
  wf["apiVersion"] = "argoproj.io/v1alpha1";
  wf["kind"] = "Workflow";
  wf["metadata"]["uid"] = record.uid;
  wf["metadata"]["creationTimestamp"] = format_time(record.created_at);
  Json status = Json::object();
  if (!record.phase.empty()) status["phase"] = record.phase;
  if (record.started_at) status["startedAt"] = format_time(record.started_at);
  if (record.finished_at) status["finishedAt"] = format_time(record.finished_at);
  if (!record.message.empty()) status["message"] = record.message;
  if (record.status.contains("progress")) status["progress"] = record.status["progress"];
  if (record.status.contains("outputs")) status["outputs"] = record.status["outputs"];
  if (record.status.value("suspended", false)) wf["spec"]["suspend"] = true;
  Json node_map = Json::object();
  for (const auto& n : nodes) {
    Json j = n.status;
    j.erase("startedAtMs");
    j.erase("finishedAtMs");
    node_map[n.id] = j;
  }
  if (!node_map.empty()) status["nodes"] = node_map;
  wf["status"] = status;
  return wf;
}

}  // namespace rampart::engine
