// Invoking a template as a node: inputs, retries, memoization, synchronization, timeouts, and
// the hand-off to the runner for its kind. Also the workflow's root and exit handler.
#include <cmath>

#include "common/bounded_json.h"
#include "engine/naming.h"
#include "engine/workflow_run.h"
#include "spec/units.h"

namespace rampart::engine {
namespace {

NodeType node_type_for(const Json& tmpl) {
  if (tmpl.contains("steps")) return NodeType::Steps;
  if (tmpl.contains("dag")) return NodeType::DAG;
  if (tmpl.contains("suspend")) return NodeType::Suspend;
  if (tmpl.contains("http")) return NodeType::HTTP;
  if (tmpl.contains("plugin")) return NodeType::Plugin;
  return NodeType::Pod;
}

std::string scalar_text(const Json& v) {
  if (v.is_string()) return v.get<std::string>();
  if (v.is_null()) return "";
  return v.dump();
}

// Seconds from a duration field that may be a number of seconds or a Go duration.
std::optional<double> duration_seconds(const Json& v) {
  if (v.is_number()) return v.get<double>();
  if (!v.is_string()) return std::nullopt;
  return spec::parse_duration(v.get<std::string>(), true);
}

}  // namespace

std::vector<std::pair<std::string, int>> WorkflowRun::wanted_locks(const Json& owner) const {
  std::vector<std::pair<std::string, int>> wanted;
  if (!owner.contains("synchronization")) return wanted;
  const Json& sync = owner["synchronization"];
  auto add_mutex = [&](const Json& m) { wanted.emplace_back("mutex/" + m.value("name", ""), 1); };
  auto add_semaphore = [&](const Json& s) {
    const Json& ref = s.value("configMapKeyRef", Json::object());
    bool found = false;
    std::string v = config_map_value(ref.value("name", ""), ref.value("key", ""), &found);
    int limit = 1;
    try {
      limit = found ? std::stoi(v) : 1;
    } catch (...) {}
    wanted.emplace_back("semaphore/" + ref.value("name", "") + "/" + ref.value("key", ""), limit);
  };
  if (sync.contains("mutex")) add_mutex(sync["mutex"]);
  for (const auto& m : sync.value("mutexes", Json::array())) add_mutex(m);
  if (sync.contains("semaphore")) add_semaphore(sync["semaphore"]);
  for (const auto& s : sync.value("semaphores", Json::array())) add_semaphore(s);
  return wanted;
}

void WorkflowRun::start_root() {
  std::string entry = spec_.value("entrypoint", "");
  auto tmpl = find_template({}, entry);
  if (!tmpl) {
    finish_workflow(NodePhase::Error, "entrypoint template \"" + entry + "\" not found");
    return;
  }
  int64_t deadline = spec_.value("activeDeadlineSeconds", int64_t{0});
  if (deadline <= 0) deadline = options_.default_deadline_seconds;
  if (deadline > 0) {
    int64_t elapsed = now_ms() - record_.started_at;
    schedule_after(deadline * 1000 - elapsed, [this] { on_workflow_deadline(); });
  }
  root_id_ = node_id(name_, name_);
  Invocation inv;
  inv.node_name = name_;
  inv.display_name = name_;
  inv.tmpl = *tmpl;
  inv.arguments = {{"parameters", parameters_},
                   {"artifacts", spec_.value("arguments", Json::object()).value("artifacts", Json::array())}};
  inv.cancel = root_cancel_;

  // Workflow-level synchronization: the whole run holds the locks.
  const std::vector<std::pair<std::string, int>> wanted = wanted_locks(spec_);
  std::vector<std::string> names;
  for (const auto& [lock, limit] : wanted) names.push_back(lock);
  record_.status["rampartLocks"] = names;
  auto go = std::make_shared<std::function<void(size_t)>>();
  *go = [this, inv, wanted, go](size_t i) {
    if (i == wanted.size()) {
      loop_.post([go] { *go = nullptr; });  // break the self-reference
      invoke(inv, [this](const std::string& id) { finish_main(id); });
      return;
    }
    locks_.acquire(wanted[i].first, wanted[i].second, name_, [go, i] { (*go)(i + 1); });
  };
  (*go)(0);
}

void WorkflowRun::finish_main(const std::string& root_id) {
  const Node& root = node(root_id);
  main_phase_ =
      root.phase == NodePhase::Skipped || root.phase == NodePhase::Omitted ? NodePhase::Succeeded : root.phase;
  main_message_ = bound_exceeded_.empty() ? root.message : bound_exceeded_;
  if (!bound_exceeded_.empty()) main_phase_ = NodePhase::Error;
  if (record_.status.value("deadlineExceeded", false) && is_failure(main_phase_)) {
    main_message_ = "Step exceeded its deadline";
  }

  std::string exit_template = spec_.value("onExit", "");
  Json exit_hook = spec_.value("hooks", Json::object()).value("exit", Json());
  bool terminated = record_.status.value("terminated", false);
  if ((exit_template.empty() && exit_hook.is_null()) || terminated) {
    finish_workflow(main_phase_, is_failure(main_phase_) ? main_message_ : "");
    return;
  }
  workflow_status_for_exit_ = to_string(main_phase_);
  workflow_failures_ = Json::array();
  for (const auto& [id, n] : nodes_) {
    if (n.type == NodeType::Pod && is_failure(n.phase)) {
      workflow_failures_.push_back({{"displayName", n.display_name},
                                    {"message", n.message},
                                    {"templateName", n.template_name},
                                    {"phase", to_string(n.phase)},
                                    {"podName", n.pod_name},
                                    {"finishedAt", format_time(n.finished_at)}});
    }
  }
  Json step = exit_hook.is_null() ? Json{{"template", exit_template}} : exit_hook;
  std::string error;
  auto resolved = resolve_reference(step, {}, &error);
  if (!resolved) {
    finish_workflow(NodePhase::Error, "onExit: " + error);
    return;
  }
  expr::Scope scope = global_scope();
  Invocation inv;
  inv.node_name = name_ + ".onExit";
  inv.display_name = name_ + ".onExit";
  inv.tmpl = resolved->first;
  inv.source = resolved->second;
  inv.cancel = std::make_shared<CancelToken>();
  inv.exit_handler = true;
  Json args = step.value("arguments", Json::object());
  for (auto& p : args["parameters"]) {
    if (p.contains("value")) p["value"] = expr::substitute(scalar_text(p["value"]), scope, expr::Unresolved::Keep);
  }
  inv.arguments = args;
  invoke(inv, [this](const std::string& id) {
    const Node& exit_node = node(id);
    if (is_failure(exit_node.phase) && !is_failure(main_phase_)) {
      finish_workflow(NodePhase::Failed, "exit handler failed: " + exit_node.message);
    } else {
      finish_workflow(main_phase_, is_failure(main_phase_) ? main_message_ : "");
    }
  });
}

std::optional<Json> WorkflowRun::resolve_inputs(const Invocation& inv, std::string* error) {
  Json result = {{"parameters", Json::array()}, {"artifacts", Json::array()}};
  const Json& args = inv.arguments;
  auto find_arg = [&](const char* kind, const std::string& name) -> const Json* {
    if (!args.is_object() || !args.contains(kind)) return nullptr;
    for (const auto& a : args[kind])
      if (a.value("name", "") == name) return &a;
    return nullptr;
  };
  expr::Scope globals = global_scope();
  const Json& inputs = inv.tmpl.value("inputs", Json::object());
  for (const auto& p : inputs.value("parameters", Json::array())) {
    std::string name = p.value("name", "");
    std::optional<std::string> value;
    auto from_config_map = [&](const Json& vf) -> bool {
      if (!vf.contains("configMapKeyRef")) return false;
      const Json& ref = vf["configMapKeyRef"];
      bool found = false;
      std::string v = config_map_value(ref.value("name", ""), ref.value("key", ""), &found);
      if (found) value = v;
      return found;
    };
    // A value passed as an argument (or read from a ConfigMap) is data: it was resolved where
    // it was written and is never evaluated again, so tags a submitter puts into a parameter stay
    // text (CVE-2021-37914). Only what a template itself declares (value, default) is template
    // text, substituted here. Precedence as before: argument, then the template's own.
    bool authored = false;
    auto take = [&](const Json& holder, const char* key, bool is_template_text) {
      if (value || !holder.contains(key)) return;
      value = scalar_text(holder[key]);
      authored = is_template_text;
    };
    if (const Json* a = find_arg("parameters", name)) {
      take(*a, "value", false);
      if (!value && a->contains("valueFrom")) from_config_map((*a)["valueFrom"]);
      take(*a, "default", true);
    }
    take(p, "value", true);
    if (!value && p.contains("valueFrom")) {
      from_config_map(p["valueFrom"]);
      take(p["valueFrom"], "default", true);
    }
    take(p, "default", true);
    if (!value) {
      *error = "inputs.parameters." + name + " was not supplied";
      return std::nullopt;
    }
    try {
      if (authored) value = expr::substitute(*value, globals, expr::Unresolved::Keep);
    } catch (const expr::ExprError& e) {
      *error = "inputs.parameters." + name + ": " + e.what();
      return std::nullopt;
    }
    if (p.contains("enum") && p["enum"].is_array() && !p["enum"].empty()) {
      bool ok = false;
      for (const auto& e : p["enum"]) ok = ok || scalar_text(e) == *value;
      if (!ok) {
        *error = "inputs.parameters." + name + ": value \"" + *value + "\" is not one of the allowed values " +
                 p["enum"].dump();
        return std::nullopt;
      }
    }
    result["parameters"].push_back({{"name", name}, {"value", *value}});
  }
  for (const auto& a : inputs.value("artifacts", Json::array())) {
    std::string name = a.value("name", "");
    Json art = a;
    if (const Json* given = find_arg("artifacts", name)) {
      for (auto it = given->begin(); it != given->end(); ++it) {
        if (it.key() != "name") art[it.key()] = it.value();
      }
    }
    result["artifacts"].push_back(art);
  }
  return result;
}

void WorkflowRun::invoke(Invocation inv, Done done) {
  std::string id = node_id(name_, inv.node_name);
  auto post_done = [this, done, id] { loop_.post([done, id] { done(id); }); };
  if (const Node* r = restored(inv.node_name)) {
    export_global_outputs(inv.tmpl, *r);
    post_done();
    return;
  }
  if (std::string why = exceeded_bound(inv); !why.empty()) {
    // The whole workflow stops: a runaway recursion or fan-out must not go on elsewhere.
    root_cancel_->cancelled = true;
    root_cancel_->reason = why;
    if (bound_exceeded_.empty()) bound_exceeded_ = why;
    Node& n = create_node(inv, node_type_for(inv.tmpl));
    complete(n, NodePhase::Error, why);
    propagate_cancel();
    post_done();
    return;
  }
  if (inv.depth > 0 && inv.depth % 32 == 0) {
    // Nested invocations run synchronously; every so often the rest goes through the event loop
    // so that the C++ stack stays shallow whatever the nesting.
    loop_.post([this, inv = std::move(inv), done = std::move(done)]() mutable {
      invoke_unbounded(std::move(inv), std::move(done));
    });
    return;
  }
  invoke_unbounded(std::move(inv), std::move(done));
}

void WorkflowRun::invoke_unbounded(Invocation inv, Done done) {
  std::string id = node_id(name_, inv.node_name);
  auto post_done = [this, done, id] { loop_.post([done, id] { done(id); }); };
  if (inv.cancel && inv.cancel->is_cancelled() && !inv.exit_handler) {
    Node& n = create_node(inv, node_type_for(inv.tmpl));
    complete(n, NodePhase::Failed, inv.cancel->why());
    post_done();
    return;
  }
  std::string error;
  auto inputs = resolve_inputs(inv, &error);
  if (!inputs) {
    Node& n = create_node(inv, node_type_for(inv.tmpl));
    complete(n, NodePhase::Error, error);
    post_done();
    return;
  }
  if (inv.tmpl.contains("retryStrategy")) {
    run_retry(std::move(inv), std::move(*inputs), std::move(done));
    return;
  }
  invoke_attempt(std::move(inv), std::move(*inputs), std::move(done));
}

void WorkflowRun::invoke_attempt(Invocation inv, Json inputs, Done done) {
  Node& n = create_node(inv, node_type_for(inv.tmpl));
  if (!inputs["parameters"].empty() || !inputs["artifacts"].empty()) {
    n.inputs = Json::object();
    if (!inputs["parameters"].empty()) n.inputs["parameters"] = inputs["parameters"];
    if (!inputs["artifacts"].empty()) n.inputs["artifacts"] = inputs["artifacts"];
  }
  const std::string id = n.id;
  const Json& tmpl = inv.tmpl;
  auto token = std::make_shared<CancelToken>();
  token->parent = inv.cancel;
  inv.cancel = token;

  // Memoization: a fresh enough cached result completes the node without running it.
  std::string memo_cache, memo_key;
  if (tmpl.contains("memoize")) {
    const Json& memo = tmpl["memoize"];
    memo_cache = memo.value("cache", Json::object()).value("configMap", Json::object()).value("name", "");
    try {
      memo_key = expr::substitute(memo.value("key", ""), template_scope(inputs, n), expr::Unresolved::Error);
    } catch (const expr::ExprError& e) {
      complete(n, NodePhase::Error, std::string("memoize.key: ") + e.what());
      loop_.post([done, id] { done(id); });
      return;
    }
    if (auto hit = store_.get_memo(memo_cache, memo_key)) {
      auto max_age = spec::parse_duration(memo.value("maxAge", ""), false);
      bool fresh = !max_age || *max_age <= 0 || (now_ms() - hit->second) <= *max_age * 1000;
      if (fresh) {
        n.outputs = hit->first;
        n.memoization_status = Json{{"hit", true}, {"key", memo_key}, {"cacheName", memo_cache}}.dump();
        complete(n, NodePhase::Succeeded);
        export_global_outputs(tmpl, n);
        loop_.post([done, id] { done(id); });
        return;
      }
    }
    n.memoization_status = Json{{"hit", false}, {"key", memo_key}, {"cacheName", memo_cache}}.dump();
  }

  // Template-level synchronization.
  const std::vector<std::pair<std::string, int>> wanted = wanted_locks(tmpl);

  auto timer = std::make_shared<EventLoop::TimerId>(0);
  Done finish = [this, tmpl = inv.tmpl, done, memo_cache, memo_key, wanted, timer](const std::string& node_id_done) {
    if (*timer) loop_.cancel(*timer);
    Node& n = node(node_id_done);
    if (!memo_key.empty() && n.phase == NodePhase::Succeeded) {
      store_.put_memo(memo_cache, memo_key, n.outputs, now_ms());
    }
    for (const auto& [lock, limit] : wanted) locks_.release(lock, node_id_done);
    export_global_outputs(tmpl, n);
    done(node_id_done);
  };

  // `timeout` bounds the whole node, whatever its kind.
  if (tmpl.contains("timeout")) {
    std::string text = scalar_text(tmpl["timeout"]);
    try {
      text = expr::substitute(text, template_scope(inputs, n), expr::Unresolved::Error);
    } catch (const expr::ExprError&) {}
    if (auto seconds = spec::parse_duration(text, true); seconds && *seconds > 0) {
      *timer = loop_.schedule(std::chrono::milliseconds(static_cast<int64_t>(*seconds * 1000)), [this, token] {
        token->cancelled = true;
        token->reason = "Step exceeded its deadline";
        propagate_cancel();
      });
    }
  }

  if (wanted.empty()) {
    dispatch(std::move(inv), std::move(inputs), id, std::move(finish));
    return;
  }
  n.message = "Waiting for lock";
  touch(n);
  auto go = std::make_shared<std::function<void(size_t)>>();
  auto shared_inv = std::make_shared<Invocation>(std::move(inv));
  auto shared_inputs = std::make_shared<Json>(std::move(inputs));
  *go = [this, wanted, go, shared_inv, shared_inputs, id, finish](size_t i) {
    if (i == wanted.size()) {
      loop_.post([go] { *go = nullptr; });  // break the self-reference
      Node& waiting = node(id);
      waiting.message.clear();
      touch(waiting);
      dispatch(*shared_inv, *shared_inputs, id, finish);
      return;
    }
    locks_.acquire(wanted[i].first, wanted[i].second, id, [go, i] { (*go)(i + 1); });
  };
  (*go)(0);
}

void WorkflowRun::dispatch(Invocation inv, Json inputs, const std::string& node_id, Done done) {
  const Json& tmpl = inv.tmpl;
  if (tmpl.contains("container") || tmpl.contains("script") || tmpl.contains("containerSet")) {
    run_pod(inv, inputs, node_id, std::move(done));
  } else if (tmpl.contains("steps")) {
    run_steps(inv, inputs, node_id, std::move(done));
  } else if (tmpl.contains("dag")) {
    run_dag(inv, inputs, node_id, std::move(done));
  } else if (tmpl.contains("suspend")) {
    run_suspend(inv, inputs, node_id, std::move(done));
  } else {
    std::string kind = tmpl.contains("resource") ? "resource"
                       : tmpl.contains("http")   ? "http"
                       : tmpl.contains("data")   ? "data"
                       : tmpl.contains("plugin") ? "plugin"
                                                 : "unknown";
    complete(
        node(node_id), NodePhase::Error,
        "template \"" + tmpl.value("name", "") + "\": " + kind + " templates are not supported by the local executor");
    loop_.post([done, node_id] { done(node_id); });
  }
}

void WorkflowRun::run_retry(Invocation inv, Json inputs, Done done) {
  Node& retry_node = create_node(inv, NodeType::Retry);
  mark_running(retry_node);
  if (!inputs["parameters"].empty()) retry_node.inputs = {{"parameters", inputs["parameters"]}};
  const std::string retry_id = retry_node.id;
  Json strategy = inv.tmpl["retryStrategy"];
  Json attempt_tmpl = inv.tmpl;
  attempt_tmpl.erase("retryStrategy");

  expr::Scope scope = template_scope(inputs, retry_node);
  auto limit_text =
      strategy.contains("limit") ? expr::substitute(scalar_text(strategy["limit"]), scope, expr::Unresolved::Keep) : "";
  long long limit = -1;  // no limit given: retry forever, as Argo does
  if (!limit_text.empty()) {
    try {
      limit = std::stoll(limit_text);
    } catch (...) {
      complete(retry_node, NodePhase::Error, "retryStrategy.limit is not an integer: " + limit_text);
      loop_.post([done, retry_id] { done(retry_id); });
      return;
    }
  }
  std::string policy = strategy.value("retryPolicy", "OnFailure");
  auto token = std::make_shared<CancelToken>();
  token->parent = inv.cancel;

  auto attempt = std::make_shared<std::function<void(int)>>();
  *attempt = [this, inv, inputs, attempt_tmpl, strategy, limit, policy, retry_id, done, attempt, token](int k) {
    Invocation child = inv;
    child.node_name = inv.node_name + "(" + std::to_string(k) + ")";
    child.display_name = inv.display_name + "(" + std::to_string(k) + ")";
    child.parent_id = retry_id;
    child.tmpl = attempt_tmpl;
    child.cancel = token;
    child.retries = k;
    Json child_inputs = inputs;
    invoke_attempt(child, child_inputs, [=, this](const std::string& child_id) {
      Node& c = node(child_id);
      c.retry_attempt = k;
      Node& r = node(retry_id);
      if (c.phase == NodePhase::Succeeded) {
        r.outputs = c.outputs;
        complete(r, NodePhase::Succeeded);
        loop_.post([attempt] { *attempt = nullptr; });
        done(retry_id);
        return;
      }
      bool matches = policy == "Always" || (policy == "OnFailure" && c.phase == NodePhase::Failed) ||
                     (policy == "OnError" && c.phase == NodePhase::Error) ||
                     (policy == "OnTransientError" && c.phase == NodePhase::Error);
      bool more = limit < 0 || k < limit;
      if (matches && more && !token->is_cancelled() && strategy.contains("expression")) {
        expr::Scope s = global_scope();
        s["lastRetry.exitCode"] = c.outputs.is_object() ? c.outputs.value("exitCode", "-1") : std::string("-1");
        s["lastRetry.status"] = to_string(c.phase);
        s["lastRetry.duration"] = std::to_string((c.finished_at - c.started_at) / 1000);
        s["lastRetry.message"] = c.message;
        try {
          Json v = expr::eval_expr(strategy["expression"].get<std::string>(), expr::expand_scope(s));
          matches = v.is_boolean() ? v.get<bool>() : expr::to_template_string(v) == "true";
        } catch (const expr::ExprError& e) {
          complete(r, NodePhase::Error, std::string("retryStrategy.expression: ") + e.what());
          loop_.post([attempt] { *attempt = nullptr; });
          done(retry_id);
          return;
        }
      }
      if (!matches || !more || token->is_cancelled()) {
        r.outputs = c.outputs;
        std::string message = c.message;
        if (matches && !more) message = "No more retries left";
        complete(r, c.phase, message);
        loop_.post([attempt] { *attempt = nullptr; });
        done(retry_id);
        return;
      }
      // Backoff: duration * factor^k, capped by maxDuration.
      int64_t delay_ms = 0;
      if (strategy.contains("backoff")) {
        const Json& b = strategy["backoff"];
        double base = duration_seconds(b.value("duration", Json("0"))).value_or(0);
        double factor = 2;
        if (b.contains("factor")) {
          try {
            factor = std::stod(scalar_text(b["factor"]));
          } catch (...) {}
        }
        double seconds = base * std::pow(factor, k);
        if (b.contains("cap")) {
          if (auto cap = duration_seconds(b["cap"])) seconds = std::min(seconds, *cap);
        }
        delay_ms = static_cast<int64_t>(seconds * 1000);
        if (b.contains("maxDuration")) {
          if (auto max = duration_seconds(b["maxDuration"])) {
            int64_t elapsed = now_ms() - r.started_at;
            if (elapsed + delay_ms > *max * 1000) {
              complete(r, c.phase, "Max duration limit exceeded");
              loop_.post([attempt] { *attempt = nullptr; });
              done(retry_id);
              return;
            }
          }
        }
      }
      // A retry already recorded (we are resuming) needs no second wait.
      if (restored(inv.node_name + "(" + std::to_string(k + 1) + ")")) delay_ms = 0;
      if (delay_ms <= 0) {
        loop_.post([attempt, k] { (*attempt)(k + 1); });
      } else {
        schedule_after(delay_ms, [attempt, k] { (*attempt)(k + 1); });
      }
    });
  };
  (*attempt)(0);
}

void WorkflowRun::export_global_outputs(const Json& tmpl, const Node& n) {
  if (!n.outputs.is_object()) return;
  const Json& declared = tmpl.value("outputs", Json::object());
  for (const auto& p : declared.value("parameters", Json::array())) {
    std::string global = p.value("globalName", "");
    if (global.empty()) continue;
    for (const auto& v : n.outputs.value("parameters", Json::array())) {
      if (v.value("name", "") == p.value("name", "")) global_outputs_[global] = v.value("value", "");
    }
  }
  for (const auto& a : declared.value("artifacts", Json::array())) {
    std::string global = a.value("globalName", "");
    if (global.empty()) continue;
    for (const auto& v : n.outputs.value("artifacts", Json::array())) {
      if (v.value("name", "") == a.value("name", "")) {
        Json copy = v;
        copy["name"] = global;
        global_artifacts_[global] = copy;
      }
    }
  }
}

void WorkflowRun::finish_template_outputs(Node& n, const Json& tmpl, const expr::Scope& scope) {
  const Json& declared = tmpl.value("outputs", Json::object());
  if (declared.empty()) return;
  Json out = n.outputs.is_object() ? n.outputs : Json::object();
  Json params = Json::array();
  for (const auto& p : declared.value("parameters", Json::array())) {
    const Json& vf = p.value("valueFrom", Json::object());
    std::optional<std::string> value;
    std::string error;
    try {
      if (vf.contains("parameter")) {
        value = expr::substitute(scalar_text(vf["parameter"]), scope, expr::Unresolved::Error);
      } else if (vf.contains("expression")) {
        Json v = expr::eval_expr(vf["expression"].get<std::string>(), expr::expand_scope(scope));
        if (!v.is_null()) value = expr::to_template_string(v);
      } else if (p.contains("value")) {
        value = expr::substitute(scalar_text(p["value"]), scope, expr::Unresolved::Error);
      }
    } catch (const expr::ExprError& e) {
      error = e.what();
    }
    if (!value && vf.contains("default")) value = scalar_text(vf["default"]);
    if (!value) {
      if (n.phase == NodePhase::Succeeded) {
        n.phase = NodePhase::Error;
        n.message = "outputs.parameters." + p.value("name", "") + ": " + (error.empty() ? "no value" : error);
      }
      continue;
    }
    params.push_back({{"name", p.value("name", "")}, {"value", *value}});
  }
  if (!params.empty()) out["parameters"] = params;
  Json arts = Json::array();
  for (const auto& a : declared.value("artifacts", Json::array())) {
    try {
      Json ref;
      if (a.contains("from")) {
        std::string text = expr::substitute(a["from"].get<std::string>(), scope, expr::Unresolved::Error);
        ref = parse_untrusted_json_or_discarded(text);
      } else if (a.contains("fromExpression")) {
        Json v = expr::eval_expr(a["fromExpression"].get<std::string>(), expr::expand_scope(scope));
        ref = v.is_string() ? parse_untrusted_json_or_discarded(v.get<std::string>()) : v;
      } else {
        continue;
      }
      if (!ref.is_object()) {
        if (a.value("optional", false)) continue;
        throw expr::ExprError("does not name an artifact", 0);
      }
      ref["name"] = a.value("name", "");
      arts.push_back(ref);
    } catch (const expr::ExprError& e) {
      if (a.value("optional", false)) continue;
      if (n.phase == NodePhase::Succeeded) {
        n.phase = NodePhase::Error;
        n.message = "outputs.artifacts." + a.value("name", "") + ": " + e.what();
      }
    }
  }
  if (!arts.empty()) out["artifacts"] = arts;
  n.outputs = out;
  touch(n);
}

}  // namespace rampart::engine
