// Container and script templates (and container sets): the template is resolved against its
// variables, turned into a sandboxed step for the executor, and its outputs are collected from
// the host side of the paths it wrote.
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>

#include "common/confined_dir.h"
#include "engine/naming.h"
#include "engine/pod_volumes.h"
#include "engine/workflow_run.h"
#include "spec/units.h"

namespace rampart::engine {

namespace fs = std::filesystem;

namespace {

Json substitute_json(const Json& v, const expr::Scope& scope) {
  if (v.is_string()) return expr::substitute(v.get<std::string>(), scope, expr::Unresolved::Error);
  if (v.is_array() || v.is_object()) {
    Json out = v;
    for (auto it = out.begin(); it != out.end(); ++it) it.value() = substitute_json(it.value(), scope);
    return out;
  }
  return v;
}

std::vector<std::string> string_list(const Json& v) {
  std::vector<std::string> out;
  if (!v.is_array()) return out;
  for (const auto& s : v) out.push_back(s.is_string() ? s.get<std::string>() : s.dump());
  return out;
}

std::string read_fd(int fd, size_t max_bytes, bool keep_tail) {
  struct stat st {};
  if (::fstat(fd, &st) != 0) return "";
  auto size = static_cast<size_t>(st.st_size);
  size_t start = size > max_bytes && keep_tail ? size - max_bytes : 0;
  std::string data(std::min(size, max_bytes), '\0');
  ssize_t n = ::pread(fd, data.data(), data.size(), static_cast<off_t>(start));
  data.resize(n < 0 ? 0 : static_cast<size_t>(n));
  return data;
}

std::string read_file(const fs::path& path, size_t max_bytes, bool keep_tail) {
  UniqueFd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
  return fd ? read_fd(fd.get(), max_bytes, keep_tail) : "";
}

}  // namespace

// The step's directory (<state>/run/<ns>/<workflow>/<node>), its /tmp, and its volumes: the
// workflow's, the template's and volumeClaimTemplates, each through PodVolumes (confined).
std::optional<WorkflowRun::WorkflowDirs> WorkflowRun::open_workflow_dirs(std::string* error) const {
  auto run = ConfinedDir::open((fs::path(options_.state_dir) / "run" / ns_ / name_).string(), Create::Yes, error);
  if (!run) return std::nullopt;
  auto claims = ConfinedDir::open((fs::path(options_.state_dir) / "volumes" / ns_).string(), Create::Yes, error);
  if (!claims) return std::nullopt;
  auto run_dir = std::make_shared<const ConfinedDir>(std::move(*run));
  return WorkflowDirs{
      run_dir, std::make_shared<const ConfinedDir>(std::move(*claims)),
      std::make_shared<StepDirPool>(run_dir, executor_.links_in_step_dirs(), options_.spare_shelf, ns_)};
}

void WorkflowRun::remove_step_dir(const std::string& node_id) {
  if (workflow_dirs_) workflow_dirs_->steps->give_back(node_id);
}

std::string WorkflowRun::prepare_pod_dirs(const Json& tmpl, const std::string& id, PodContext& pod) {
  std::string error;
  if (!workflow_dirs_ && !(workflow_dirs_ = open_workflow_dirs(&error))) return error;
  auto step = workflow_dirs_->steps->take(id, &error);
  if (!step || !step->subdir("tmp", Create::Yes, &error)) return "cannot create the step directory: " + error;
  pod.step_dir = step->path();
  pod.paths.emplace_back("/tmp", (fs::path(pod.step_dir) / "tmp").string());
  PodVolumes volumes(workflow_dirs_->claims, std::make_shared<const ConfinedDir>(std::move(*step)),
                     {&config_maps_, &options_.secrets});
  for (const Json* list : {static_cast<const Json*>(&spec_), &tmpl}) {
    const Json& declared = list->value("volumes", Json::array());
    for (const auto& v : declared) {
      if (std::string why = volumes.add(v); !why.empty()) return why;
    }
  }
  for (const auto& claim : spec_.value("volumeClaimTemplates", Json::array())) {
    if (std::string why = volumes.add_claim_template(name_, claim); !why.empty()) return why;
  }
  const Json& main = tmpl.contains("script") ? tmpl["script"] : tmpl.contains("container") ? tmpl["container"] : Json();
  if (!main.is_null()) error = volumes.mount(main.value("volumeMounts", Json::array()), pod.mounts, pod.paths);
  if (error.empty() && tmpl.contains("containerSet")) {
    error = volumes.mount(tmpl["containerSet"].value("volumeMounts", Json::array()), pod.mounts, pod.paths);
  }
  return error;
}

void WorkflowRun::run_pod_in_slot(const Invocation& inv, const Json& inputs, const std::string& id, Done done) {
  Node& n = node(id);
  n.pod_name = pod_name(name_, n.name, inv.tmpl.value("name", ""));
  expr::Scope scope = template_scope(inputs, n);
  scope["pod.name"] = n.pod_name;
  scope["retries"] = std::to_string(inv.retries);
  const Json& declared = inv.tmpl.value("outputs", Json::object());
  for (const auto& p : declared.value("parameters", Json::array())) {
    const Json& vf = p.value("valueFrom", Json::object());
    if (vf.contains("path")) scope["outputs.parameters." + p.value("name", "") + ".path"] = vf["path"];
  }
  for (const auto& a : declared.value("artifacts", Json::array())) {
    if (a.contains("path")) scope["outputs.artifacts." + a.value("name", "") + ".path"] = a["path"];
  }
  auto fail = [&](NodePhase phase, const std::string& message) {
    // A step that never started leaves nothing behind (its secret volume files included).
    remove_step_dir(id);
    complete(n, phase, message);
    loop_.post([done, id] { done(id); });
  };

  Json tmpl;
  try {
    // Metrics refer to {{duration}} and {{status}}, known only once the step has ended.
    Json source = inv.tmpl;
    source.erase("metrics");
    tmpl = substitute_json(source, scope);
  } catch (const expr::ExprError& e) {
    fail(NodePhase::Error, e.what());
    return;
  }

  PodContext pod;
  pod.cancel = inv.cancel;
  if (std::string error = prepare_pod_dirs(tmpl, id, pod); !error.empty()) {
    fail(NodePhase::Error, error);
    return;
  }

  // Everything else the step writes lands in its root directory (the executor binds
  // <step_dir>/rootfs at "/"), so any output path can be collected after it ends.
  pod.paths.emplace_back("/", (fs::path(pod.step_dir) / "rootfs").string());
  std::sort(pod.paths.begin(), pod.paths.end(),
            [](const auto& a, const auto& b) { return a.first.size() > b.first.size(); });

  if (std::string error = stage_input_artifacts(inputs, scope, pod); !error.empty()) {
    fail(NodePhase::Error, error);
    return;
  }

  // Network: off unless the workflow or template asks for it.
  auto wants_network = [](const Json& meta) {
    return meta.value("annotations", Json::object()).value("rampart.io/network", "") == "enabled";
  };
  pod.network = wants_network(tmpl.value("metadata", Json::object())) ||
                wants_network(record_.manifest.value("metadata", Json::object()));
  if (tmpl.contains("activeDeadlineSeconds")) {
    const Json& d = tmpl["activeDeadlineSeconds"];
    try {
      pod.deadline_seconds = d.is_number() ? d.get<double>() : std::stod(d.get<std::string>());
    } catch (...) {
      fail(NodePhase::Error, "activeDeadlineSeconds is not a number: " + d.dump());
      return;
    }
  }

  const std::string node_key = id;
  auto finish_pod = [this, node_key, tmpl, pod, done](exec::StepResult r, const std::string& stdout_path) {
    Node& pn = node(node_key);
    NodePhase phase = NodePhase::Succeeded;
    std::string message;
    switch (r.outcome) {
      case exec::StepOutcome::Exited:
        if (r.exit_code != 0) {
          phase = NodePhase::Failed;
          message = r.message.empty() ? "Error (exit code " + std::to_string(r.exit_code) + ")"
                                      : r.message + " (exit code " + std::to_string(r.exit_code) + ")";
        }
        break;
      case exec::StepOutcome::Killed:
        phase = NodePhase::Failed;
        message = r.message.empty() ? "killed" : r.message;
        break;
      case exec::StepOutcome::StartError:
        phase = NodePhase::Error;
        message = r.message;
        break;
    }
    std::string output_error = collect_pod_outputs(pn, tmpl, pod.paths, stdout_path,
                                                   r.outcome == exec::StepOutcome::StartError ? -1 : r.exit_code);
    if (phase == NodePhase::Succeeded && !output_error.empty()) {
      phase = NodePhase::Error;
      message = output_error;
    }
    complete(pn, phase, message);
    remove_step_dir(node_key);
    done(node_key);
  };

  if (tmpl.contains("containerSet")) {
    // Outputs come from the container named "main": its /tmp and root.
    for (auto& [prefix, host] : pod.paths) {
      if (prefix == "/tmp") host = (fs::path(pod.step_dir) / "containers" / "main" / "tmp").string();
      if (prefix == "/") host = (fs::path(pod.step_dir) / "containers" / "main" / "rootfs").string();
    }
    // Containers of a set run as processes of one "pod": shared volumes, one after another in
    // dependency order; the one named "main" provides the outputs.
    const Json containers = tmpl["containerSet"].value("containers", Json::array());
    auto order = std::make_shared<std::vector<Json>>();
    std::set<std::string> placed;
    for (size_t round = 0; round <= containers.size() && order->size() < containers.size(); ++round) {
      for (const auto& c : containers) {
        std::string cname = c.value("name", "");
        if (placed.count(cname)) continue;
        bool ready = true;
        for (const auto& d : c.value("dependencies", Json::array()))
          ready = ready && placed.count(d.get<std::string>());
        if (ready) {
          order->push_back(c);
          placed.insert(cname);
        }
      }
    }
    if (order->size() != containers.size()) {
      fail(NodePhase::Error, "containerSet: dependency cycle or unknown dependency");
      return;
    }
    mark_running(n);
    auto next = std::make_shared<std::function<void(size_t)>>();
    *next = [this, order, next, node_key, tmpl, pod, finish_pod](size_t i) {
      if (i == order->size()) {
        loop_.post([next] { *next = nullptr; });
        std::string main_stdout = (fs::path(pod.step_dir) / "stdout-main").string();
        finish_pod(exec::StepResult{}, main_stdout);
        return;
      }
      const Json& c = (*order)[i];
      std::string cname = c.value("name", "");
      Invocation child;
      child.node_name = node(node_key).name + "." + cname;
      child.display_name = cname;
      child.parent_id = node_key;
      child.boundary_id = node(node_key).boundary_id;
      child.tmpl = Json{{"name", tmpl.value("name", "")}};
      Node& cn = create_node(child, NodeType::Container);
      mark_running(cn);
      std::string cid = cn.id;
      launch_container(cid, c, tmpl, pod, [this, cid, next, i, finish_pod, pod, cname](exec::StepResult r) {
        Node& cnode = node(cid);
        bool ok = r.outcome == exec::StepOutcome::Exited && r.exit_code == 0;
        complete(cnode,
                 ok ? NodePhase::Succeeded
                    : (r.outcome == exec::StepOutcome::StartError ? NodePhase::Error : NodePhase::Failed),
                 ok ? "" : (r.message.empty() ? "Error (exit code " + std::to_string(r.exit_code) + ")" : r.message));
        if (!ok) {
          loop_.post([next] { *next = nullptr; });
          finish_pod(r, (fs::path(pod.step_dir) / ("stdout-" + cname)).string());
          return;
        }
        (*next)(i + 1);
      });
    };
    (*next)(0);
    return;
  }

  const Json& main = tmpl.contains("script") ? tmpl["script"] : tmpl.contains("container") ? tmpl["container"] : Json();
  launch_container(id, main, tmpl, pod, [finish_pod, pod](exec::StepResult r) {
    finish_pod(r, (fs::path(pod.step_dir) / "stdout-main").string());
  });
}

exec::StepRequest WorkflowRun::container_request(const std::string& node_key, const Json& c, const Json& tmpl,
                                                 const PodContext& pod, bool sidecar, std::string* error) {
  Node& n = node(node_key);
  std::string cname = c.value("name", "main");
  if (cname.empty()) cname = "main";
  exec::StepRequest req;
  req.id = sidecar ? node_key + "-" + cname : node_key;
  req.image = c.value("image", "");
  req.command = string_list(c.value("command", Json::array()));
  req.args = string_list(c.value("args", Json::array()));
  req.working_dir = c.value("workingDir", "");
  if (tmpl.contains("script") && !sidecar) req.script_source = tmpl["script"].value("source", "");
  req.mounts = pod.mounts;
  req.network = pod.network;
  // Each container has its own root and /tmp, as in a Kubernetes pod; they share volumes.
  req.step_dir = pod.step_dir;
  if (tmpl.contains("containerSet") || sidecar) {
    req.step_dir = (fs::path(pod.step_dir) / "containers" / cname).string();
    std::error_code mk;
    fs::create_directories(fs::path(req.step_dir) / "tmp", mk);
  }
  req.stdout_path = (fs::path(pod.step_dir) / ("stdout-" + cname)).string();
  // Logs outlive the step: one file per node id under the state dir (made once per run).
  fs::path log_dir = fs::path(options_.state_dir) / "logs" / ns_ / name_;
  if (!log_dir_made_) {
    std::error_code ec;
    fs::create_directories(log_dir, ec);
    log_dir_made_ = !ec;
  }
  req.log_path = (log_dir / (sidecar ? node_key + "." + cname + ".log" : node_key + ".log")).string();
  req.workflow_name = name_;
  req.workflow_namespace = ns_;
  req.node_name = n.name;
  req.pod_name = n.pod_name;
  req.template_name = tmpl.value("name", "");
  req.pod_gc_strategy = spec_.value("podGC", Json::object()).value("strategy", "");
  // Applied by no executor yet, but checked by the guard as they would apply, substituted.
  for (const Json* owner : {static_cast<const Json*>(&spec_), &tmpl}) {
    if (!owner->contains("podSpecPatch") || !(*owner)["podSpecPatch"].is_string()) continue;
    std::string patch = (*owner)["podSpecPatch"].get<std::string>();
    try {
      if (owner == &spec_) patch = expr::substitute(patch, global_scope(), expr::Unresolved::Keep);
    } catch (const expr::ExprError&) {
      // left unsubstituted: the guard refuses a patch it cannot read
    }
    req.pod_spec_patches.push_back(std::move(patch));
  }
  if (!sidecar) {
    // Where the engine will read each declared output, so executors that run elsewhere can
    // bring the file back.
    const Json& outputs = tmpl.value("outputs", Json::object());
    std::vector<std::string> wanted;
    for (const auto& p : outputs.value("parameters", Json::array())) {
      std::string path = p.value("valueFrom", Json::object()).value("path", "");
      if (!path.empty()) wanted.push_back(path);
    }
    for (const auto& a : outputs.value("artifacts", Json::array())) {
      if (a.contains("path") && a["path"].is_string()) wanted.push_back(a["path"]);
    }
    for (const auto& path : wanted) {
      if (auto host = contained_host_path(pod.paths, path)) req.output_files.emplace_back(path, host->string());
    }
  }
  req.env.emplace_back("ARGO_TEMPLATE", tmpl.dump());
  req.env.emplace_back("ARGO_NODE_ID", node_key);
  req.env.emplace_back("ARGO_WORKFLOW_NAME", name_);
  req.env.emplace_back("RAMPART_NAMESPACE", ns_);  // lets the guard tie a process to its workflow
  for (const auto& e : c.value("env", Json::array())) {
    std::string ename = e.value("name", "");
    if (e.contains("value")) {
      req.env.emplace_back(ename, e["value"].is_string() ? e["value"].get<std::string>() : e["value"].dump());
    } else if (e.contains("valueFrom")) {
      const Json& vf = e["valueFrom"];
      if (vf.contains("configMapKeyRef")) {
        bool found = false;
        std::string v =
            config_map_value(vf["configMapKeyRef"].value("name", ""), vf["configMapKeyRef"].value("key", ""), &found);
        if (!found && !vf["configMapKeyRef"].value("optional", false)) {
          *error = "env " + ename + ": ConfigMap key not found";
          return req;
        }
        if (found) req.env.emplace_back(ename, v);
      } else if (vf.contains("secretKeyRef")) {
        const Json& ref = vf["secretKeyRef"];
        auto it = options_.secrets.find(ref.value("name", ""));
        std::optional<std::string> v;
        if (it != options_.secrets.end()) {
          auto kt = it->second.find(ref.value("key", ""));
          if (kt != it->second.end()) v = kt->second;
        }
        if (!v && !ref.value("optional", false)) {
          // Names only: a secret's value never appears in a message.
          *error = "env " + ename + ": Secret \"" + ref.value("name", "") + "\" key \"" + ref.value("key", "") +
                   "\" was not given (use --secret FILE)";
          return req;
        }
        if (v) req.env.emplace_back(ename, *v);
      } else if (vf.contains("fieldRef")) {
        std::string field = vf["fieldRef"].value("fieldPath", "");
        if (field == "metadata.name")
          req.env.emplace_back(ename, n.pod_name);
        else if (field == "metadata.namespace")
          req.env.emplace_back(ename, ns_);
      }
    }
  }
  const Json& limits = c.value("resources", Json::object()).value("limits", Json::object());
  if (limits.contains("cpu")) {
    std::string q = limits["cpu"].is_string() ? limits["cpu"].get<std::string>() : limits["cpu"].dump();
    if (auto v = spec::parse_quantity(q)) req.limits.cpu_cores = *v;
  }
  if (limits.contains("memory")) {
    std::string q = limits["memory"].is_string() ? limits["memory"].get<std::string>() : limits["memory"].dump();
    if (auto v = spec::parse_quantity(q)) req.limits.memory_bytes = static_cast<uint64_t>(*v);
  }

  // Security context: the workflow's and template's pod-level one, then the container's own.
  auto apply_security = [&req](const Json& sc) {
    if (!sc.is_object()) return;
    if (sc.contains("privileged") && sc["privileged"].is_boolean()) req.security.privileged = sc["privileged"];
    if (sc.contains("readOnlyRootFilesystem") && sc["readOnlyRootFilesystem"].is_boolean()) {
      req.security.read_only_root = sc["readOnlyRootFilesystem"];
    }
    if (sc.contains("runAsUser") && sc["runAsUser"].is_number_integer())
      req.security.run_as_user = sc["runAsUser"].get<int64_t>();
    if (sc.contains("runAsGroup") && sc["runAsGroup"].is_number_integer())
      req.security.run_as_group = sc["runAsGroup"].get<int64_t>();
    if (sc.contains("runAsNonRoot") && sc["runAsNonRoot"].is_boolean())
      req.security.run_as_non_root = sc["runAsNonRoot"];
    for (const auto& cap : sc.value("capabilities", Json::object()).value("add", Json::array())) {
      if (cap.is_string()) req.security.add_capabilities.push_back(cap);
    }
  };
  apply_security(spec_.value("securityContext", Json::object()));
  apply_security(tmpl.value("securityContext", Json::object()));
  apply_security(c.value("securityContext", Json::object()));
  req.security.host_network = spec_.value("hostNetwork", false) || tmpl.value("hostNetwork", false);
  req.security.host_pid = spec_.value("hostPID", false);
  req.security.host_ipc = spec_.value("hostIPC", false);
  req.image_pull_policy = c.value("imagePullPolicy", "");
  // imagePullSecrets name Secrets of type kubernetes.io/dockerconfigjson; their auths are merged.
  const Json& pull_secrets = spec_.value("imagePullSecrets", Json::array());
  if (pull_secrets.is_array() && !pull_secrets.empty()) {
    Json auths = Json::object();
    for (const auto& ref : pull_secrets) {
      std::string secret = ref.is_object() ? ref.value("name", "") : "";
      auto it = options_.secrets.find(secret);
      const std::string* docker_config = nullptr;
      if (it != options_.secrets.end()) {
        auto key = it->second.find(".dockerconfigjson");
        if (key != it->second.end()) docker_config = &key->second;
      }
      if (!docker_config) {
        *error =
            "imagePullSecrets: Secret \"" + secret + "\" with key .dockerconfigjson was not given (use --secret FILE)";
        return req;
      }
      Json config = Json::parse(*docker_config, nullptr, false);
      if (!config.is_object() || !config.value("auths", Json()).is_object()) {
        *error = "imagePullSecrets: Secret \"" + secret + "\" is not a Docker config.json";
        return req;
      }
      for (auto& [registry, auth] : config["auths"].items()) auths[registry] = auth;
    }
    req.registry_auth = Json{{"auths", auths}}.dump();
  }
  return req;
}

void WorkflowRun::launch_container(const std::string& node_key, const Json& c, const Json& tmpl, const PodContext& pod,
                                   std::function<void(exec::StepResult)> on_result) {
  Node& n = node(node_key);
  std::string error;
  exec::StepRequest req = container_request(node_key, c, tmpl, pod, false, &error);
  // Sidecars run beside the main container, sharing its volumes and a loopback-only network
  // namespace; they are stopped when it ends (Argo kills them the same way).
  std::vector<exec::StepRequest> sidecars;
  if (error.empty() && !tmpl.contains("containerSet")) {
    for (const auto& s : tmpl.value("sidecars", Json::array())) {
      sidecars.push_back(container_request(node_key, s, tmpl, pod, true, &error));
      if (!error.empty()) {
        error = "sidecar \"" + s.value("name", "") + "\": " + error;
        break;
      }
    }
  }
  if (!error.empty()) {
    on_result({exec::StepOutcome::StartError, 0, error, false});
    return;
  }
  if (!sidecars.empty()) {
    req.pod_network = pod.step_dir;
    for (auto& s : sidecars) s.pod_network = pod.step_dir;
  }

  // The policy sees the step as it will run, after parameters were substituted: a workflow
  // that passed admission cannot smuggle a miner in through an argument.
  if (options_.admit_step) {
    std::string denial = options_.admit_step(ns_, req);
    for (const auto& s : sidecars) {
      if (denial.empty()) denial = options_.admit_step(ns_, s);
    }
    if (!denial.empty()) {
      store::EventRecord e;
      e.time_ms = now_ms();
      e.node_id = node_key;
      e.type = "Warning";
      e.reason = "AdmissionDenied";
      e.message = denial;
      store_.append_event(ns_, name_, e);
      on_result({exec::StepOutcome::StartError, 0, denial, false});
      return;
    }
  }
  mark_running(n);
  running_pods_[node_key] = pod.cancel;
  auto timer = std::make_shared<EventLoop::TimerId>(0);
  if (pod.deadline_seconds && *pod.deadline_seconds > 0) {
    *timer =
        loop_.schedule(std::chrono::milliseconds(static_cast<int64_t>(*pod.deadline_seconds * 1000)), [this, node_key] {
          executor_.kill(node_key, "Pod was active on the node longer than the specified deadline");
        });
  }
  PendingPod pending;
  pending.node_id = node_key;
  pending.request = std::move(req);
  pending.sidecars = std::move(sidecars);
  pending.done = [this, node_key, timer, on_result](exec::StepResult r) {
    // Called on the executor's thread: hand the result to the engine's thread.
    loop_.post([this, node_key, timer, on_result, r] {
      if (*timer) loop_.cancel(*timer);
      running_pods_.erase(node_key);
      on_result(r);
    });
  };
  pending_pods_.push_back(std::move(pending));
}

std::string WorkflowRun::collect_pod_outputs(Node& n, const Json& tmpl, const PathMap& paths,
                                             const std::string& stdout_path, int exit_code) {
  Json out = Json::object();
  if (exit_code >= 0) out["exitCode"] = std::to_string(exit_code);
  // Argo keeps stdout as the result: one trailing newline trimmed, at most the last 256 KiB.
  // Executors create the file with the first byte printed, so a missing file is an empty result.
  if (exit_code >= 0) {
    std::string result = read_file(stdout_path, 256 * 1024, true);
    if (!result.empty() && result.back() == '\n') result.pop_back();
    out["result"] = result;
  }
  std::string error;
  Json params = Json::array();
  for (const auto& p : tmpl.value("outputs", Json::object()).value("parameters", Json::array())) {
    const Json& vf = p.value("valueFrom", Json::object());
    std::string pname = p.value("name", "");
    std::optional<std::string> value;
    if (vf.contains("path")) {
      std::string path = vf["path"].get<std::string>();
      // Through ConfinedDir: a link the step planted at `path` is not followed on the host.
      std::string why;
      auto mapped = map_container_path(paths, path);
      auto base = mapped ? ConfinedDir::open(mapped->host_root, Create::No, &why) : std::nullopt;
      UniqueFd fd = base ? base->open_file(mapped->relative, O_RDONLY, 0, &why) : UniqueFd();
      struct stat st {};
      if (fd && ::fstat(fd.get(), &st) == 0 && S_ISREG(st.st_mode)) {
        value = read_fd(fd.get(), 256 * 1024, false);
        if (!value->empty() && value->back() == '\n') value->pop_back();
      } else if (why.find("symbolic link") != std::string::npos && error.empty()) {
        error = "output parameter \"" + pname + "\": " + path + " is a symbolic link, which rampart does not follow";
      }
    } else if (vf.contains("expression")) {
      // Evaluated against the pod's own outputs so far.
      try {
        Json env = {{"outputs", out}};
        Json v = expr::eval_expr(vf["expression"].get<std::string>(), env);
        value = expr::to_template_string(v);
      } catch (const expr::ExprError&) {}
    } else if (p.contains("value")) {
      value = p["value"].is_string() ? p["value"].get<std::string>() : p["value"].dump();
    }
    if (!value && vf.contains("default"))
      value = vf["default"].is_string() ? vf["default"].get<std::string>() : vf["default"].dump();
    if (!value) {
      if (error.empty() && exit_code == 0) {
        error = "failed to read output parameter \"" + pname + "\" from " + vf.value("path", std::string("its source"));
      }
      continue;
    }
    params.push_back({{"name", pname}, {"value", *value}});
  }
  if (!params.empty()) out["parameters"] = params;
  if (exit_code == 0) {
    std::string artifact_error = save_output_artifacts(n, tmpl, paths, out);
    if (error.empty()) error = artifact_error;
  }
  if (!out.empty()) n.outputs = out;
  touch(n);
  return error;
}

}  // namespace rampart::engine
