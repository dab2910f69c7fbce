// Workflows: list, create, get, delete, lint, submit (from a template) and the PUT actions.
// Shapes follow Argo's swagger: create takes {"workflow": {...}, "serverDryRun": bool}, submit
// takes {"resourceKind", "resourceName", "submitOptions": {...}}, lists are
// {"metadata": {"continue": ...}, "items": [...]}.
#include <chrono>
#include <filesystem>
#include <unordered_map>

#include "engine/engine.h"
#include "engine/run_lock.h"
#include "guard/admission.h"
#include "guard/policy.h"
#include "guard/signatures.h"
#include "server/api_routes.h"
#include "server/list_options.h"
#include "server/object_loader.h"
#include "server/resource_files.h"
#include "server/workflow_runner.h"

namespace rampart::server {

namespace fs = std::filesystem;

namespace {

Json workflow_or_404(Call& call, const std::string& ns, const std::string& name) {
  Json wf = engine::Engine::workflow_object(call.api.store(), ns, name);
  if (wf.is_null()) throw ApiError(404, "workflow \"" + name + "\" not found in namespace \"" + ns + "\"");
  return wf;
}

// Records and starts a workflow; returns its Argo object.
Json submit_workflow(Call& call, const spec::Document& workflow, const engine::References& refs,
                     engine::SubmitOptions options, bool dry_run) {
  validate_or_throw(workflow, refs);
  // A workflow may pick one of the executors this server offers, and only those.
  const Json& annotations = workflow.raw.value("metadata", Json::object()).value("annotations", Json::object());
  if (auto it = annotations.find(kExecutorAnnotation); it != annotations.end()) {
    if (!it->is_string()) throw ApiError(400, std::string("annotation ") + kExecutorAnnotation + " must be a string");
    if (std::string why = call.api.runner->check_executor(it->get<std::string>()); !why.empty())
      throw ApiError(400, why);
  }
  Json warnings = admit_or_throw(call.api, options.namespace_, workflow, refs);
  if (dry_run) {
    Json object = workflow.raw;
    object["metadata"]["namespace"] = options.namespace_;
    return object;
  }
  // Submission records the workflow; nothing runs in the request thread.
  std::string name;
  try {
    name = engine::Engine::submit(call.api.store(), workflow, refs, options);
  } catch (const std::invalid_argument& e) {
    std::string message = e.what();
    throw ApiError(message.find("already exists") != std::string::npos ? 409 : 400, message);
  }
  call.audit_object = options.namespace_ + "/" + name;
  // This server owns what it accepted, also while it waits for a free slot: other servers on the
  // same database adopt it only if this one dies.
  call.api.runner->claim(call.api.store(), options.namespace_, name);
  // The admission decision goes into the workflow's timeline.
  store::EventRecord admitted;
  admitted.time_ms =
      std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
          .count();
  admitted.type = warnings.empty() ? "Normal" : "Warning";
  admitted.reason = "AdmissionAllowed";
  admitted.message = "admitted by " + call.subject.name + (warnings.empty() ? "" : "; warnings: " + warnings.dump());
  call.api.store().append_event(options.namespace_, name, admitted);
  call.api.runner->start(options.namespace_, name);
  return workflow_or_404(call, options.namespace_, name);
}

HttpResponse list_workflows(Call& call) {
  const std::string& ns = call.param("namespace");
  const auto& q = call.request;
  LabelSelector labels(q.query_value("listOptions.labelSelector"));
  FieldSelector fields(q.query_value("listOptions.fieldSelector"));
  int64_t limit = 0;
  std::string limit_text = q.query_value("listOptions.limit");
  if (!limit_text.empty()) {
    try {
      limit = std::stoll(limit_text);
    } catch (const std::exception&) {
      throw ApiError(400, "listOptions.limit must be a number");
    }
    if (limit < 0) throw ApiError(400, "listOptions.limit must not be negative");
  }
  store::ListFilter filter;
  filter.namespace_ = ns;
  filter.continue_after = q.query_value("listOptions.continue");
  std::string phases = q.query_value("phase");  // rampart extension: phase=Running,Failed
  if (!phases.empty()) {
    size_t start = 0;
    while (start <= phases.size()) {
      size_t end = phases.find(',', start);
      if (end == std::string::npos) end = phases.size();
      filter.phases.push_back(phases.substr(start, end - start));
      start = end + 1;
    }
  }
  auto& store = call.api.store();
  // Listing many workflows costs a query per workflow; while nothing was written, the same
  // caller asking the same thing gets the same bytes. Per thread, as the connections are.
  struct Cached {
    int64_t version;
    uint64_t generation;
    std::string body;
  };
  thread_local std::unordered_map<std::string, Cached> cache;
  std::string key = q.target + "\n";
  for (const auto& [role_ns, role] : call.subject.roles) key += role_ns + "=" + std::string(role_name(role)) + ",";
  uint64_t generation = write_generation();
  int64_t version = store.data_version();
  if (auto hit = cache.find(key);
      hit != cache.end() && hit->second.version == version && hit->second.generation == generation) {
    HttpResponse r;
    r.body = hit->second.body;
    return r;
  }
  Json items = Json::array();
  // Nodes are a query per workflow and most of the bytes: read only when the caller gets them.
  const bool with_nodes = projection_keeps(q.query_value("fields"), "items.status.nodes");
  // Filters the store cannot apply (labels, visibility) run here.
  for (const auto& record : store.list_workflows(filter)) {
    if (call.subject.role_in(record.namespace_) == Role::None) continue;
    if (!fields.matches(record.namespace_, record.name)) continue;
    if (!labels.empty() && !labels.matches(Json::parse(record.labels_json, nullptr, false))) continue;
    if (limit > 0 && static_cast<int64_t>(items.size()) == limit) break;
    std::vector<store::NodeRecord> nodes;
    if (with_nodes) nodes = store.get_nodes(record.namespace_, record.name);
    items.push_back(engine::Engine::workflow_object(record, nodes));
  }
  Json body = {{"metadata", Json::object()}, {"items", items}};
  if (limit > 0 && static_cast<int64_t>(items.size()) == limit) {
    // Continue after the last returned item, if anything follows it.
    const Json& last = items.back()["metadata"];
    store::WorkflowRecord marker;
    marker.namespace_ = last.value("namespace", "");
    marker.name = last.value("name", "");
    store::ListFilter probe = filter;
    probe.continue_after = store::continue_token(marker);
    probe.limit = 1;
    if (!store.list_workflows(probe).empty()) body["metadata"]["continue"] = probe.continue_after;
  }
  HttpResponse response = json_response(project_fields(body, q.query_value("fields")));
  if (cache.size() > 64) cache.clear();
  cache[key] = Cached{version, generation, response.body};
  return response;
}

HttpResponse create_workflow(Call& call) {
  const std::string& ns = call.param("namespace");
  Json body = parse_body(call.request);
  if (!body.contains("workflow")) throw ApiError(400, "body must have a \"workflow\" object");
  if (body.contains("namespace") && body["namespace"].is_string() && body["namespace"] != ns &&
      body["namespace"] != "") {
    throw ApiError(400, "body namespace \"" + body["namespace"].get<std::string>() + "\" differs from the path's");
  }
  Json object = body["workflow"];
  if (object.is_object() && object.contains("metadata") && object["metadata"].is_object()) {
    std::string own = object["metadata"].value("namespace", "");
    if (!own.empty() && own != ns) throw ApiError(400, "metadata.namespace \"" + own + "\" differs from the path's");
    object["metadata"].erase("namespace");
  }
  spec::Document wf = load_object(object, spec::Kind::Workflow, "workflow");
  engine::SubmitOptions options;
  options.namespace_ = ns;
  bool dry_run = body.value("serverDryRun", false);
  return json_response(submit_workflow(call, wf, namespace_references(call.api, ns), options, dry_run));
}

HttpResponse lint_workflow(Call& call) {
  const std::string& ns = call.param("namespace");
  Json body = parse_body(call.request);
  if (!body.contains("workflow")) throw ApiError(400, "body must have a \"workflow\" object");
  spec::Document wf = load_object(body["workflow"], spec::Kind::Workflow, "workflow");
  validate_or_throw(wf, namespace_references(call.api, ns));
  return json_response(wf.raw);
}

// Submits a workflow from a WorkflowTemplate, ClusterWorkflowTemplate or CronWorkflow: the only
// way a submitter can run anything, so what runs is what an author approved.
HttpResponse submit_from_template(Call& call) {
  const std::string& ns = call.param("namespace");
  Json body = parse_body(call.request);
  std::string kind = body.value("resourceKind", "");
  std::string name = body.value("resourceName", "");
  if (!is_valid_object_name(name)) throw ApiError(400, "resourceName must be a valid object name");
  Json opts = body.value("submitOptions", Json::object());
  if (!opts.is_object()) throw ApiError(400, "submitOptions must be an object");

  Json wf = {{"apiVersion", "argoproj.io/v1alpha1"}, {"kind", "Workflow"}, {"metadata", Json::object()}};
  Json labels = Json::object();
  if (kind == "WorkflowTemplate" || kind == "workflowtemplate" || kind == "ClusterWorkflowTemplate" ||
      kind == "clusterworkflowtemplate") {
    bool cluster = kind[0] == 'C' || kind[0] == 'c';
    auto stored =
        call.api.resources->get(cluster ? "clusterworkflowtemplates" : "workflowtemplates", cluster ? "" : ns, name);
    if (!stored)
      throw ApiError(
          404, std::string(cluster ? "ClusterWorkflowTemplate" : "WorkflowTemplate") + " \"" + name + "\" not found");
    wf["spec"] = {{"workflowTemplateRef", {{"name", name}}}};
    if (cluster) wf["spec"]["workflowTemplateRef"]["clusterScope"] = true;
    labels[cluster ? "workflows.argoproj.io/cluster-workflow-template" : "workflows.argoproj.io/workflow-template"] =
        name;
  } else if (kind == "CronWorkflow" || kind == "cronworkflow") {
    auto stored = call.api.resources->get("cronworkflows", ns, name);
    if (!stored) throw ApiError(404, "CronWorkflow \"" + name + "\" not found");
    wf["spec"] = (*stored)["spec"].value("workflowSpec", Json::object());
    labels["workflows.argoproj.io/cron-workflow"] = name;
  } else {
    throw ApiError(400, "resourceKind must be WorkflowTemplate, ClusterWorkflowTemplate or CronWorkflow");
  }
  std::string generate = opts.value("generateName", "");
  wf["metadata"]["generateName"] = generate.empty() ? name + "-" : generate;
  std::string label_text = opts.value("labels", "");
  for (size_t start = 0; start < label_text.size();) {
    size_t end = label_text.find(',', start);
    if (end == std::string::npos) end = label_text.size();
    std::string kv = label_text.substr(start, end - start);
    size_t eq = kv.find('=');
    if (eq == std::string::npos || eq == 0)
      throw ApiError(400, "submitOptions.labels: expected key=value, got \"" + kv + "\"");
    labels[kv.substr(0, eq)] = kv.substr(eq + 1);
    start = end + 1;
  }
  wf["metadata"]["labels"] = labels;

  engine::SubmitOptions options;
  options.namespace_ = ns;
  options.name = opts.value("name", "");
  options.entrypoint = opts.value("entryPoint", "");
  if (!options.name.empty() && !is_valid_object_name(options.name))
    throw ApiError(400, "submitOptions.name is not a valid name");
  if (opts.contains("parameters")) {
    if (!opts["parameters"].is_array())
      throw ApiError(400, "submitOptions.parameters must be a list of \"name=value\"");
    for (const auto& p : opts["parameters"]) {
      std::string text = p.is_string() ? p.get<std::string>() : "";
      size_t eq = text.find('=');
      if (eq == std::string::npos || eq == 0) throw ApiError(400, "submitOptions.parameters: expected name=value");
      options.parameters.emplace_back(text.substr(0, eq), text.substr(eq + 1));
    }
  }
  // Parameters are where a submitter can put anything: an image name, a pool URL. They are
  // checked now, and each step is checked again with them substituted before it starts.
  if (!options.parameters.empty()) {
    Json probe = {{"spec", {{"arguments", {{"parameters", Json::array()}}}}}};
    for (size_t i = 0; i < options.parameters.size(); ++i) {
      const auto& [pname, value] = options.parameters[i];
      probe["spec"]["arguments"]["parameters"].push_back({{"name", pname}, {"value", value}});
      std::string matched;
      if (guard::is_known_miner_image(value, &matched)) {
        throw ApiError(403, "denied by policy: image.miner at submitOptions.parameters[" + std::to_string(i) + "]: \"" +
                                value.substr(0, 80) + "\" names a known cryptocurrency miner (" + matched + ")");
      }
    }
    guard::Admission admission = guard::admit_object(call.api.policy->for_namespace(ns), probe);
    if (admission.denied()) throw ApiError(403, admission.denial_message());
  }
  spec::Document doc = load_object(wf, spec::Kind::Workflow, "submitted workflow");
  return json_response(submit_workflow(call, doc, namespace_references(call.api, ns), options,
                                       opts.value("dryRun", false) || opts.value("serverDryRun", false)));
}

HttpResponse get_workflow(Call& call) {
  Json wf = workflow_or_404(call, call.param("namespace"), call.param("name"));
  return json_response(project_fields(wf, call.request.query_value("fields")));
}

bool held_by_an_engine(Call& call, const std::string& ns, const std::string& name) {
  if (call.api.runner->is_running(ns, name)) return true;
  if (call.api.store().lease_holder(ns, name)) return true;  // another server on the same database
  engine::RunLock probe(call.api.state_dir, ns, name);
  return !probe.try_lock();
}

HttpResponse delete_workflow(Call& call) {
  const std::string& ns = call.param("namespace");
  const std::string& name = call.param("name");
  auto record = call.api.store().get_workflow(ns, name);
  if (!record) throw ApiError(404, "workflow \"" + name + "\" not found in namespace \"" + ns + "\"");
  if (!is_finished_phase(record->phase) && held_by_an_engine(call, ns, name)) {
    throw ApiError(409, "workflow \"" + name + "\" is running; stop or terminate it first");
  }
  call.api.store().delete_workflow(ns, name);
  std::error_code ec;
  fs::remove_all(fs::path(call.api.state_dir) / "logs" / ns / name, ec);
  return json_response(Json::object());
}

// Clears what made a finished workflow fail so that the engine's resume runs it again: failed
// and errored nodes are forgotten (and so re-run), succeeded ones are kept.
void reset_for_retry(Call& call, const std::string& ns, const std::string& name) {
  auto& store = call.api.store();
  auto record = store.get_workflow(ns, name);
  std::vector<store::NodeRecord> kept;
  for (auto& n : store.get_nodes(ns, name)) {
    std::string phase = n.status.value("phase", "");
    if (phase == "Failed" || phase == "Error" || phase == "Omitted") continue;
    kept.push_back(std::move(n));
  }
  store.begin();
  try {
    store.delete_workflow(ns, name);
    record->phase = "Running";
    record->message.clear();
    record->finished_at = 0;
    for (const char* k : {"terminated", "deadlineExceeded", "outputs"}) record->status.erase(k);
    record->status.erase("controlSeq");  // the events that went with the deletion are gone too
    store.put_workflow(*record);
    store.put_nodes(ns, name, kept);
    store.commit();
  } catch (...) {
    store.rollback();
    throw;
  }
}

// A workflow still waiting for a free slot has no engine to act on a stop or terminate: it ends
// here, at once, rather than staying Pending until its turn comes.
void end_if_never_started(Call& call, store::WorkflowRecord& record, const std::string& strategy) {
  if (record.phase != "Pending" && !record.phase.empty()) return;
  const std::string& ns = record.namespace_;
  if (!call.api.runner->withdraw(ns, record.name) && held_by_an_engine(call, ns, record.name)) return;
  record.phase = "Failed";
  record.message = "Stopped with strategy '" + strategy + "'";
  record.finished_at = rampart::now_ms();
  if (strategy == "Terminate") record.status["terminated"] = true;
  call.api.store().put_workflow(record);
}

HttpResponse workflow_action(Call& call, const std::string& action) {
  const std::string& ns = call.param("namespace");
  const std::string& name = call.param("name");
  auto record = call.api.store().get_workflow(ns, name);
  if (!record) throw ApiError(404, "workflow \"" + name + "\" not found in namespace \"" + ns + "\"");
  bool finished = is_finished_phase(record->phase);
  if (action == "stop" || action == "terminate" || action == "suspend") {
    if (finished) throw ApiError(409, "cannot " + action + " a completed workflow");
    engine::Engine::request_shutdown(call.api.store(), ns, name,
                                     action == "stop"        ? "Stop"
                                     : action == "terminate" ? "Terminate"
                                                             : "Suspend");
    if (action != "suspend") end_if_never_started(call, *record, action == "stop" ? "Stop" : "Terminate");
  } else if (action == "resume") {
    if (finished) throw ApiError(409, "cannot resume a completed workflow");
    engine::Engine::request_shutdown(call.api.store(), ns, name, "Resume");
    call.api.runner->start(ns, name);  // if no engine holds it (e.g. after a restart)
  } else if (action == "retry") {
    if (record->phase != "Failed" && record->phase != "Error") {
      throw ApiError(409, "only a Failed or Errored workflow can be retried");
    }
    if (held_by_an_engine(call, ns, name)) throw ApiError(409, "workflow \"" + name + "\" is still being finalised");
    reset_for_retry(call, ns, name);
    call.api.runner->start(ns, name);
  } else if (action == "resubmit") {
    Json object = record->manifest;
    object["metadata"].erase("name");
    object["metadata"].erase("namespace");
    object["metadata"]["generateName"] = name + "-";
    spec::Document wf = load_object(object, spec::Kind::Workflow, "workflow");
    engine::SubmitOptions options;
    options.namespace_ = ns;
    return json_response(submit_workflow(call, wf, namespace_references(call.api, ns), options, false));
  } else {
    throw ApiError(501, "PUT " + action + " is not supported by rampart");
  }
  return json_response(workflow_or_404(call, ns, name));
}

}  // namespace

void add_workflow_routes(Router& router) {
  const std::string base = "/api/v1/workflows/{namespace}";
  router.add({"GET", base, Role::Viewer, Scope::Listing, list_workflows});
  router.add({"POST", base, Role::Author, Scope::Namespaced, create_workflow});
  router.add({"POST", base + "/lint", Role::Viewer, Scope::Namespaced, lint_workflow});
  router.add({"POST", base + "/submit", Role::Submitter, Scope::Namespaced, submit_from_template});
  router.add({"GET", base + "/{name}", Role::Viewer, Scope::Namespaced, get_workflow});
  router.add({"DELETE", base + "/{name}", Role::Submitter, Scope::Namespaced, delete_workflow});
  for (const char* action : {"stop", "terminate", "suspend", "resume", "retry", "resubmit", "set"}) {
    std::string a = action;
    router.add({"PUT", base + "/{name}/" + a, Role::Submitter, Scope::Namespaced,
                [a](Call& call) { return workflow_action(call, a); }});
  }
}

}  // namespace rampart::server
