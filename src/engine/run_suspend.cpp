// Suspend templates: wait for a duration, or until resumed; outputs from `supplied` values
// given at resume, else their defaults.
#include "engine/workflow_run.h"
#include "spec/units.h"

namespace rampart::engine {

void WorkflowRun::run_suspend(const Invocation& inv, const Json& inputs, const std::string& id, Done done) {
  Node& n = node(id);
  mark_running(n);
  expr::Scope scope = template_scope(inputs, n);
  const Json& suspend = inv.tmpl["suspend"];
  std::string duration_text;
  if (suspend.contains("duration")) {
    const Json& d = suspend["duration"];
    duration_text = d.is_string() ? d.get<std::string>() : d.dump();
    try {
      duration_text = expr::substitute(duration_text, scope, expr::Unresolved::Error);
    } catch (const expr::ExprError& e) {
      complete(n, NodePhase::Error, std::string("suspend.duration: ") + e.what());
      loop_.post([done, id] { done(id); });
      return;
    }
  }
  auto finished = std::make_shared<bool>(false);
  Json tmpl = inv.tmpl;
  auto resume = [this, id, done, finished, tmpl, scope](NodePhase phase, const std::string& message) {
    if (*finished) return;
    *finished = true;
    Node& sn = node(id);
    if (phase == NodePhase::Succeeded) {
      Json params = Json::array();
      for (const auto& p : tmpl.value("outputs", Json::object()).value("parameters", Json::array())) {
        const Json& vf = p.value("valueFrom", Json::object());
        if (vf.contains("default")) {
          params.push_back(
              {{"name", p.value("name", "")},
               {"value", vf["default"].is_string() ? vf["default"].get<std::string>() : vf["default"].dump()}});
        }
      }
      if (!params.empty()) sn.outputs = {{"parameters", params}};
    }
    complete(sn, phase, message);
    done(id);
  };
  cancel_waiters_.emplace_back(inv.cancel, [resume, cancel = inv.cancel] { resume(NodePhase::Failed, cancel->why()); });
  if (!duration_text.empty()) {
    auto seconds = spec::parse_duration(duration_text, true);
    if (!seconds) {
      complete(n, NodePhase::Error, "suspend.duration is not a duration: " + duration_text);
      *finished = true;
      loop_.post([done, id] { done(id); });
      return;
    }
    int64_t elapsed = now_ms() - n.started_at;
    schedule_after(static_cast<int64_t>(*seconds * 1000) - elapsed, [resume] { resume(NodePhase::Succeeded, ""); });
  } else {
    n.message = "Waiting to be resumed";
    touch(n);
    suspended_[id] = [resume] { resume(NodePhase::Succeeded, ""); };
  }
}

}  // namespace rampart::engine
