// The variables a template sees: workflow.*, inputs.*, steps.* / tasks.*, item, pod.name, ...
// named exactly as Argo documents them.
#include <ctime>

#include "common/bounded_json.h"
#include "engine/naming.h"
#include "engine/workflow_run.h"

namespace rampart::engine {

expr::Scope WorkflowRun::global_scope() const {
  // What cannot change during a run is built once; copying it is O(1) (expr::Scope is persistent).
  if (!fixed_globals_) fixed_globals_ = fixed_global_scope();
  expr::Scope s = *fixed_globals_;
  for (const auto& [k, v] : global_outputs_) s["workflow.outputs.parameters." + k] = v;
  for (const auto& [k, v] : global_artifacts_) s["workflow.outputs.artifacts." + k] = v.dump();
  if (!workflow_status_for_exit_.empty()) {
    s["workflow.status"] = workflow_status_for_exit_;
    s["workflow.failures"] = workflow_failures_.dump();
    double seconds = static_cast<double>(now_ms() - record_.started_at) / 1000.0;
    s["workflow.duration"] = std::to_string(seconds);
  }
  return s;
}

expr::Scope WorkflowRun::fixed_global_scope() const {
  expr::Scope s;
  const Json& meta = record_.manifest.value("metadata", Json::object());
  s["workflow.name"] = name_;
  s["workflow.namespace"] = ns_;
  s["workflow.uid"] = record_.uid;
  s["workflow.serviceAccountName"] = spec_.value("serviceAccountName", "default");
  s["workflow.mainEntrypoint"] = spec_.value("entrypoint", "");
  s["workflow.priority"] = std::to_string(spec_.value("priority", 0));
  std::string created = format_time(record_.created_at);
  s["workflow.creationTimestamp"] = created;
  s["workflow.creationTimestamp.RFC3339"] = created;
  {
    // workflow.creationTimestamp.<strftime letter>, as Argo offers.
    std::time_t t = static_cast<std::time_t>(record_.created_at / 1000);
    std::tm tm{};
    gmtime_r(&t, &tm);
    for (char c : std::string("aAbBcCdDeFgGhHIjklmMnprRStTuUVwWxXyYzZ")) {
      char fmt[3] = {'%', c, 0};
      char buf[64];
      if (std::strftime(buf, sizeof buf, fmt, &tm) > 0)
        s[std::string("workflow.creationTimestamp.") + c] = std::string(buf);
    }
    s["workflow.creationTimestamp.s"] = std::to_string(record_.created_at / 1000);
  }
  Json all_params = Json::array();
  for (const auto& p : parameters_) {
    std::string value = p.value("value", "");
    s["workflow.parameters." + p.value("name", "")] = value;
    all_params.push_back({{"name", p.value("name", "")}, {"value", value}});
  }
  s["workflow.parameters"] = all_params.dump();
  s["workflow.parameters.json"] = all_params.dump();
  const Json items_labels = meta.value("labels", Json::object());
  for (auto& [k, v] : items_labels.items()) s["workflow.labels." + k] = v;
  const Json items_annotations = meta.value("annotations", Json::object());
  for (auto& [k, v] : items_annotations.items()) s["workflow.annotations." + k] = v;
  s["workflow.labels"] = meta.value("labels", Json::object()).dump();
  s["workflow.annotations"] = meta.value("annotations", Json::object()).dump();
  return s;
}

expr::Scope WorkflowRun::template_scope(const Json& inputs, const Node& n) const {
  expr::Scope s = global_scope();
  Json params = Json::array();
  for (const auto& p : inputs.value("parameters", Json::array())) {
    if (!p.contains("value")) continue;
    s["inputs.parameters." + p.value("name", "")] = p["value"];
    params.push_back({{"name", p.value("name", "")}, {"value", p["value"]}});
  }
  s["inputs.parameters"] = params.dump();
  for (const auto& a : inputs.value("artifacts", Json::array())) {
    std::string aname = a.value("name", "");
    if (a.contains("path")) s["inputs.artifacts." + aname + ".path"] = a["path"];
    // The artifact itself, so a steps/DAG template can pass it on with `from:`.
    Json ref = a;
    if (a.contains("from") && a["from"].is_string()) {
      Json parsed = parse_untrusted_json_or_discarded(a["from"].get<std::string>());
      if (parsed.is_object()) ref = parsed;
    }
    ref["name"] = aname;
    if (ref.contains("from") || ref.contains("s3") || ref.contains("raw") || ref.contains("gcs") ||
        ref.contains("oss")) {
      s["inputs.artifacts." + aname] = ref.dump();
    }
  }
  s["node.name"] = n.name;
  return s;
}

void WorkflowRun::add_node_outputs(expr::Scope& s, const std::string& prefix, const Node& n) {
  s[prefix + ".id"] = n.id;
  s[prefix + ".status"] = to_string(n.phase);
  s[prefix + ".startedAt"] = format_time(n.started_at);
  s[prefix + ".finishedAt"] = format_time(n.finished_at);
  s[prefix + ".hostNodeName"] = n.host_node_name;
  s[prefix + ".ip"] = "127.0.0.1";
  const Json& out = n.outputs;
  if (out.is_object()) {
    if (out.contains("result")) s[prefix + ".outputs.result"] = out["result"];
    if (out.contains("exitCode")) {
      s[prefix + ".exitCode"] = out["exitCode"];
      s[prefix + ".outputs.exitCode"] = out["exitCode"];
    }
    Json params = Json::object();
    for (const auto& p : out.value("parameters", Json::array())) {
      s[prefix + ".outputs.parameters." + p.value("name", "")] = p.value("value", "");
      params[p.value("name", "")] = p.value("value", "");
    }
    for (const auto& a : out.value("artifacts", Json::array())) {
      s[prefix + ".outputs.artifacts." + a.value("name", "")] = a.dump();
    }
  }
}

void WorkflowRun::add_aggregate_outputs(expr::Scope& s, const std::string& prefix,
                                        const std::vector<std::string>& child_ids) const {
  Json results = Json::array();
  Json param_list = Json::array();
  std::map<std::string, Json> per_param;
  for (const auto& id : child_ids) {
    auto it = nodes_.find(id);
    if (it == nodes_.end()) continue;
    const Node& c = it->second;
    if (c.phase != NodePhase::Succeeded || !c.outputs.is_object()) continue;
    const Json& out = c.outputs;
    if (out.contains("parameters") && !out["parameters"].empty()) {
      Json m = Json::object();
      for (const auto& p : out["parameters"]) {
        m[p.value("name", "")] = p.value("value", "");
        per_param[p.value("name", "")].push_back(p.value("value", ""));
      }
      param_list.push_back(m);
    }
    if (out.contains("result")) {
      // A result that is JSON (a number, a map) joins the list as that value, as Argo does.
      std::string text = out["result"].get<std::string>();
      Json parsed = parse_untrusted_json_or_discarded(text);
      results.push_back(parsed.is_discarded() ? Json(text) : parsed);
    }
  }
  s[prefix + ".outputs.result"] = results.dump();
  s[prefix + ".outputs.parameters"] = param_list.dump();
  for (auto& [k, v] : per_param) s[prefix + ".outputs.parameters." + k] = v.dump();
}

std::string WorkflowRun::config_map_value(const std::string& name, const std::string& key, bool* found) const {
  auto it = config_maps_.find(name);
  if (it != config_maps_.end()) {
    auto kt = it->second.find(key);
    if (kt != it->second.end()) {
      *found = true;
      return kt->second;
    }
  }
  *found = false;
  return "";
}

}  // namespace rampart::engine
