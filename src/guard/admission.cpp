#include "guard/admission.h"

#include <re2/re2.h>

#include <cctype>
#include <unordered_map>

#include "guard/image_names.h"
#include "guard/pod_fields.h"
#include "guard/shell_analysis.h"
#include "guard/signatures.h"

namespace rampart::guard {

using Json = nlohmann::json;

namespace {

bool starts_with(const std::string& s, const std::string& prefix) { return s.compare(0, prefix.size(), prefix) == 0; }

void add(Admission& out, Action action, std::string rule, std::string path, std::string message) {
  if (action == Action::Allow) return;
  out.decisions.push_back({std::move(rule), action, std::move(path), std::move(message)});
}

// How a finding reads in a decision. `quote`: evidence may be shown (not an env value of a step).
std::string describe(const Finding& f, bool quote) {
  bool shown = quote && !f.hidden && !f.evidence.empty();
  std::string how = f.how.empty() ? "" : " (" + f.how + ")";
  if (f.rule == "command.dropper") {
    return "downloaded or decoded content is run" + (shown ? ": " + f.evidence : std::string(" (not shown)")) + how;
  }
  return shown ? "mining signature \"" + f.evidence + "\"" + how : "mining signature in this value (not shown)" + how;
}

void add_report(const PolicyRules& rules, const CommandReport& report, const std::string& path, bool quote,
                Admission& out) {
  if (rules.builtin_command_signatures) {
    for (const auto& f : report.findings) add(out, Action::Deny, f.rule, path, describe(f, quote));
  }
  if (!report.limit.empty()) {
    add(out, Action::Warn, "command.parse-limit", path,
        "beyond the shell reader's " + report.limit +
            " (policy commands.maxScriptBytes / maxScriptWords / maxNesting); "
            "checked by text matching only");
  }
}

void check_patterns(const PolicyRules& rules, const std::string& text, const std::string& path, Admission& out) {
  for (const auto& pattern : rules.denied_command_patterns) {
    RE2 re(pattern, RE2::Quiet);
    if (re.ok() && RE2::PartialMatch(text, re)) {
      add(out, Action::Deny, "command.denied", path, "matches the policy pattern \"" + pattern + "\"");
    }
  }
}

void check_image(const PolicyRules& rules, const std::string& image, const std::string& path, Admission& out) {
  if (is_deferred(image)) return;  // decided when the step starts
  std::string matched;
  if (rules.builtin_miner_list && is_known_miner_image(image, &matched)) {
    add(out, Action::Deny, "image.miner", path,
        "image \"" + image + "\" is a known cryptocurrency miner (" + matched + ")");
    return;
  }
  std::string normal = normalize_image(image);
  for (const auto& d : rules.denied_images) {
    if (starts_with(normal, normalize_image(d)) || image == d) {
      add(out, Action::Deny, "image.denied", path, "image \"" + image + "\" matches the deny list entry \"" + d + "\"");
      return;
    }
  }
  if (!rules.allowed_images.empty()) {
    bool allowed = false;
    for (const auto& a : rules.allowed_images) allowed = allowed || starts_with(normal, normalize_image(a));
    if (!allowed)
      add(out, Action::Deny, "image.not-allowed", path, "image \"" + image + "\" is not in the allowed registries");
  }
  if (rules.require_digest && image.find("@sha256:") == std::string::npos) {
    add(out, Action::Deny, "image.digest", path, "image \"" + image + "\" is not pinned by digest (@sha256:...)");
  }
}

// One admission reads the same strings many times (templates repeat their commands, steps their
// parameters): each distinct reading is done once per admission.
class Readings {
 public:
  explicit Readings(const PolicyRules& rules) : rules_(rules) {}

  const CommandReport& script(const std::string& text, ProgramKind kind, const std::vector<ShellVariable>& env) {
    if (text.size() < 64) {  // short texts cost less to read than to remember
      last_ = analyse_script(text, kind, env, rules_.parse_limits);
      return last_;
    }
    std::string key = key_of(env) + (kind == ProgramKind::Shell ? 's' : 'p') + text;
    return remember(std::move(key), [&] { return analyse_script(text, kind, env, rules_.parse_limits); });
  }
  const CommandReport& argv(const std::vector<std::string>& argv, bool command_known,
                            const std::vector<ShellVariable>& env) {
    std::string key = key_of(env) + (command_known ? 'c' : 'a');
    for (const auto& a : argv) key += a + '\0';
    return remember(std::move(key), [&] { return analyse_argv(argv, command_known, env, rules_.parse_limits); });
  }

 private:
  static constexpr size_t kMaxRemembered = 4096;
  static std::string key_of(const std::vector<ShellVariable>& env) {
    std::string key;
    for (const auto& v : env) key += v.name + '=' + v.value + (v.hidden ? '\2' : '\1');
    return key + '\3';
  }
  template <typename Read>
  const CommandReport& remember(std::string key, Read read) {
    auto it = memo_.find(key);
    if (it != memo_.end()) return it->second;
    if (memo_.size() >= kMaxRemembered) {
      last_ = read();
      return last_;
    }
    return memo_.emplace(std::move(key), read()).first->second;
  }
  const PolicyRules& rules_;
  std::unordered_map<std::string, CommandReport> memo_;
  CommandReport last_;
};

void check_text(const PolicyRules& rules, Readings& readings, const std::string& text, const std::string& path,
                bool quote, Admission& out, ProgramKind kind = ProgramKind::Shell,
                const std::vector<ShellVariable>& env = {}) {
  if (rules.builtin_command_signatures) add_report(rules, readings.script(text, kind, env), path, quote, out);
  check_patterns(rules, text, path, out);
}

// Where the walk is: inside a podSpecPatch with template expressions, settings decided later
// are checked again when each step starts, so they are not refused now.
struct Walk {
  const PolicyRules& rules;
  Admission& out;
  Readings& readings;
  bool deferred_patch = false;
  int depth = 0;
};

void walk(Walk& w, const Json& j, const std::string& path, std::string_view key);

// A boolean pod setting that grants something, in any spelling.
void check_flag(Walk& w, const Json& v, Action action, const std::string& rule, const std::string& path,
                const std::string& what) {
  switch (truth_of(v)) {
    case Truth::True: add(w.out, action, rule, path, what); break;
    case Truth::Deferred:
      if (!w.deferred_patch)
        add(w.out, action, rule, path, what + " is left to a template expression; set it literally");
      break;
    case Truth::False: break;
  }
}

void check_security_context(Walk& w, const Json& sc, const std::string& path) {
  if (!sc.is_object()) return;
  const PolicyRules& rules = w.rules;
  if (sc.contains("privileged"))
    check_flag(w, sc["privileged"], rules.privileged, "pod.privileged", path + ".privileged",
               "privileged containers are not allowed");
  if (sc.contains("allowPrivilegeEscalation") && rules.privileged != Action::Allow) {
    check_flag(w, sc["allowPrivilegeEscalation"], Action::Warn, "pod.privilege-escalation",
               path + ".allowPrivilegeEscalation", "privilege escalation is allowed");
  }
  const Json& caps = sc.value("capabilities", Json::object());
  if (caps.is_object() && caps.contains("add")) {
    const Json& added = caps["add"].is_array() ? caps["add"] : Json::array({caps["add"]});
    for (const auto& cap : added) {
      std::string c = cap.is_string() ? cap.get<std::string>() : cap.dump();
      if (w.deferred_patch && is_deferred(c)) continue;
      bool ok = false;
      for (const auto& a : rules.allowed_capabilities) ok = ok || a == c;
      if (!ok)
        add(w.out, rules.added_capabilities, "pod.capabilities", path + ".capabilities.add",
            "capability " + c + " may not be added");
    }
  }
}

void check_volumes(Walk& w, const Json& volumes, const std::string& path) {
  if (!volumes.is_array()) return;
  for (size_t i = 0; i < volumes.size(); ++i) {
    std::string type = volume_type(volumes[i]);
    std::string p = path + "[" + std::to_string(i) + "]";
    if (type == "hostPath") {
      add(w.out, w.rules.host_path, "pod.host-path", p + ".hostPath",
          "hostPath volume " + volumes[i]["hostPath"].value("path", ""));
    } else if (!is_confinable_volume_type(type)) {
      add(w.out, w.rules.unconfined_volumes, "pod.volume-type", p + "." + type,
          "a " + type + " volume reaches outside the step's sandbox");
    }
  }
}

// A document inside a string (podSpecPatch, a resource manifest): parsed and walked like the
// spec itself, so that what it sets is judged by structure rather than spelling.
void check_embedded(Walk& w, const std::string& text, const std::string& path, const std::string& what) {
  Json doc;
  std::string error;
  if (!parse_embedded_document(text, &doc, &error)) {
    add(w.out, Action::Deny, "pod.spec-patch", path, what + " cannot be checked: " + error);
    return;
  }
  bool deferred = is_deferred(text);
  if (deferred && what == "podSpecPatch") {
    add(w.out, Action::Warn, "pod.spec-patch-deferred", path,
        "podSpecPatch uses template expressions: it is checked again, substituted, when each step starts");
  }
  if (w.depth > 4) return;  // a patch inside a manifest inside a patch...
  Walk inner{w.rules, w.out, w.readings, w.deferred_patch || deferred, w.depth + 1};
  walk(inner, doc, path + "(" + what + ")", "");
}

// A container, script or sidecar: its command and args as they will run, its script's source.
void check_container(Walk& w, const Json& c, const std::string& path) {
  std::vector<ShellVariable> env;
  for (const auto& e : c.value("env", Json::array())) {
    if (e.is_object() && e.contains("value") && e["value"].is_string())
      env.push_back({e.value("name", ""), e["value"].get<std::string>(), false});
  }
  auto strings = [](const Json& list) {
    std::vector<std::string> out;
    if (list.is_array()) {
      for (const auto& s : list) out.push_back(s.is_string() ? s.get<std::string>() : s.dump());
    }
    return out;
  };
  std::vector<std::string> command = strings(c.value("command", Json::array()));
  std::vector<std::string> argv = command;
  for (auto& a : strings(c.value("args", Json::array()))) argv.push_back(std::move(a));
  if (!argv.empty() && w.rules.builtin_command_signatures) {
    add_report(w.rules, w.readings.argv(argv, !command.empty(), env), path + (command.empty() ? ".args" : ".command"),
               true, w.out);
  }
  for (const auto& a : argv) check_patterns(w.rules, a, path + ".args", w.out);
  if (c.contains("source") && c["source"].is_string()) {
    check_text(w.rules, w.readings, c["source"], path + ".source", true, w.out, program_kind(command), env);
  }
}

void walk_object(Walk& w, const Json& j, const std::string& path) {
  bool container = j.contains("image") && j["image"].is_string();
  if (container) check_container(w, j, path);
  for (auto it = j.begin(); it != j.end(); ++it) {
    const std::string_view k = it.key();  // compared as a view: sizes first
    std::string p = path + "." + it.key();
    const Json& v = it.value();
    if (container && (k == "command" || k == "args" || k == "source")) continue;  // read above, as a whole
    if (k == "securityContext") check_security_context(w, v, p);
    if (k == "hostNetwork" || k == "hostPID" || k == "hostIPC") {
      check_flag(w, v, w.rules.host_namespaces, "pod.host-namespace", p, it.key() + " shares the host's namespace");
    }
    if (k == "volumes") check_volumes(w, v, p);
    if (k == "rampart.io/network" && v == "enabled") {
      add(w.out, w.rules.network, "pod.network", p, "network access (rampart.io/network: enabled) is not allowed");
    }
    if (k == "activeDeadlineSeconds" && v.is_number_integer() && v.get<int64_t>() > w.rules.max_deadline_seconds) {
      add(w.out, Action::Deny, "deadline.cap", p,
          "activeDeadlineSeconds " + std::to_string(v.get<int64_t>()) + " is above the cap of " +
              std::to_string(w.rules.max_deadline_seconds));
    }
    if ((k == "container" || k == "script") && v.is_object() && v.contains("image")) {
      bool limited = v.contains("resources") && v["resources"].is_object() && v["resources"].contains("limits");
      if (!limited)
        add(w.out, w.rules.missing_limits, "pod.no-limits", p + ".resources", "no resources.limits (cpu, memory)");
    }
    walk(w, v, p, it.key());
  }
}

// Walks the whole spec once: every string is read for what it says and does, and the fields
// that matter to pod security are checked where they occur.
void walk(Walk& w, const Json& j, const std::string& path, std::string_view key) {
  if (j.is_string()) {
    const std::string& s = j.get_ref<const std::string&>();
    if (key == "image") {
      check_image(w.rules, s, path, w.out);
    } else if (key == "podSpecPatch" || key == "manifest") {
      check_text(w.rules, w.readings, s, path, true, w.out);
      check_embedded(w, s, path, std::string(key));
    } else {
      check_text(w.rules, w.readings, s, path, true, w.out);
    }
    return;
  }
  if (j.is_array()) {
    for (size_t i = 0; i < j.size(); ++i) walk(w, j[i], path + "[" + std::to_string(i) + "]", key);
    return;
  }
  if (j.is_object()) walk_object(w, j, path);
}

}  // namespace

bool Admission::denied() const {
  for (const auto& d : decisions) {
    if (d.action == Action::Deny) return true;
  }
  return false;
}

std::string Admission::denial_message() const {
  std::string out;
  for (const auto& d : decisions) {
    if (d.action != Action::Deny) continue;
    out += out.empty() ? "denied by policy: " : "; ";
    out += d.rule + " at " + d.path + ": " + d.message;
    if (out.size() > 2000) break;
  }
  return out;
}

Json Admission::to_json() const {
  Json list = Json::array();
  for (const auto& d : decisions) {
    list.push_back({{"rule", d.rule}, {"action", to_string(d.action)}, {"path", d.path}, {"message", d.message}});
  }
  return {{"allowed", !denied()}, {"decisions", list}};
}

std::string normalize_image(const std::string& image) {
  // Without the default tag: policy entries are prefixes ("busybox" covers "busybox:1.36").
  ImageName name = parse_image_name(image);
  std::string s = name.registry + "/" + name.repository;
  std::string lowered = image;
  for (auto& c : lowered) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  size_t at = lowered.find('@');
  std::string reference = lowered.substr(0, at);
  size_t slash = reference.rfind('/');
  size_t colon = reference.rfind(':');
  if (colon != std::string::npos && (slash == std::string::npos || colon > slash)) s += reference.substr(colon);
  if (at != std::string::npos) s += lowered.substr(at);
  return s;
}

Admission admit_object(const PolicyRules& rules, const Json& object) {
  Admission out;
  if (!object.is_object()) return out;
  const Json* spec = object.contains("spec") ? &object["spec"] : nullptr;
  if (!spec) return out;
  Readings readings(rules);
  Walk w{rules, out, readings};
  walk(w, *spec, "spec", "spec");
  // The workflow's own annotations ask for things too (templates' are inside the spec).
  const Json& annotations = object.value("metadata", Json::object()).value("annotations", Json::object());
  if (annotations.is_object() && annotations.contains("rampart.io/network") &&
      annotations["rampart.io/network"] == "enabled") {
    add(out, rules.network, "pod.network", "metadata.annotations",
        "network access (rampart.io/network: enabled) is not allowed");
  }
  return out;
}

Admission admit_step(const PolicyRules& rules, const exec::StepRequest& step) {
  Admission out;
  Readings readings(rules);
  check_image(rules, step.image, "image", out);
  // Environment values may come from Secrets: they seed the variables, but findings that
  // involve them are not quoted.
  std::vector<ShellVariable> env;
  for (const auto& [name, value] : step.env) {
    if (name != "ARGO_TEMPLATE") env.push_back({name, value, true});
  }
  std::vector<std::string> argv = step.command;
  argv.insert(argv.end(), step.args.begin(), step.args.end());
  if (!argv.empty() && rules.builtin_command_signatures) {
    add_report(rules, readings.argv(argv, !step.command.empty(), env), "command", true, out);
  }
  for (const auto& a : argv) check_patterns(rules, a, "command", out);
  if (step.script_source)
    check_text(rules, readings, *step.script_source, "script.source", true, out, program_kind(step.command), env);
  // The step as it will run, whatever the manifest looked like before substitution.
  if (step.network) add(out, rules.network, "pod.network", "network", "network access is not allowed");
  if (step.security.privileged)
    add(out, rules.privileged, "pod.privileged", "securityContext.privileged", "privileged containers are not allowed");
  if (step.security.host_network || step.security.host_pid || step.security.host_ipc) {
    add(out, rules.host_namespaces, "pod.host-namespace", "host namespaces", "the step shares a host namespace");
  }
  for (const auto& cap : step.security.add_capabilities) {
    bool ok = false;
    for (const auto& a : rules.allowed_capabilities) ok = ok || a == cap;
    if (!ok)
      add(out, rules.added_capabilities, "pod.capabilities", "securityContext.capabilities.add",
          "capability " + cap + " may not be added");
  }
  for (size_t i = 0; i < step.pod_spec_patches.size(); ++i) {
    const std::string& patch = step.pod_spec_patches[i];
    std::string path = "podSpecPatch[" + std::to_string(i) + "]";
    if (is_deferred(patch)) {
      add(out, Action::Deny, "pod.spec-patch", path,
          "podSpecPatch still holds a template expression when the step starts");
      continue;
    }
    Walk w{rules, out, readings};
    check_text(rules, readings, patch, path, true, out);
    check_embedded(w, patch, path, "podSpecPatch");
  }
  for (const auto& [name, value] : step.env) {
    if (name == "ARGO_TEMPLATE") continue;  // the template itself, already checked as a whole
    check_text(rules, readings, value, "env." + name, false, out);
  }
  return out;
}

}  // namespace rampart::guard
