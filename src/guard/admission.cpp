#include "guard/admission.h"

#include <re2/re2.h>

#include <memory>

#include "guard/signatures.h"

namespace rampart::guard {

using Json = nlohmann::json;

namespace {

bool starts_with(const std::string& s, const std::string& prefix) { return s.compare(0, prefix.size(), prefix) == 0; }

void add(Admission& out, Action action, std::string rule, std::string path, std::string message) {
  if (action == Action::Allow) return;
  out.decisions.push_back({std::move(rule), action, std::move(path), std::move(message)});
}

void check_image(const PolicyRules& rules, const std::string& image, const std::string& path, Admission& out) {
  if (image.find("{{") != std::string::npos) return;  // decided when the step starts
  std::string matched;
  if (rules.builtin_miner_list && is_known_miner_image(image, &matched)) {
    add(out, Action::Deny, "image.miner", path, "image \"" + image + "\" is a known cryptocurrency miner (" + matched + ")");
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
    if (!allowed) add(out, Action::Deny, "image.not-allowed", path, "image \"" + image + "\" is not in the allowed registries");
  }
  if (rules.require_digest && image.find("@sha256:") == std::string::npos) {
    add(out, Action::Deny, "image.digest", path, "image \"" + image + "\" is not pinned by digest (@sha256:...)");
  }
}

void check_text(const PolicyRules& rules, const std::string& text, const std::string& path, bool quote, Admission& out) {
  if (rules.builtin_command_signatures) {
    for (const auto& m : command_signatures(text)) {
      add(out, Action::Deny, m.rule, path,
          quote ? "mining signature \"" + m.evidence + "\"" : "mining signature in this value (not shown)");
    }
  }
  for (const auto& pattern : rules.denied_command_patterns) {
    RE2 re(pattern, RE2::Quiet);
    if (re.ok() && RE2::PartialMatch(text, re)) {
      add(out, Action::Deny, "command.denied", path, "matches the policy pattern \"" + pattern + "\"");
    }
  }
}

void check_security_context(const PolicyRules& rules, const Json& sc, const std::string& path, Admission& out) {
  if (!sc.is_object()) return;
  if (sc.value("privileged", false) == true) add(out, rules.privileged, "pod.privileged", path + ".privileged", "privileged containers are not allowed");
  if (sc.value("allowPrivilegeEscalation", false) == true && rules.privileged != Action::Allow) {
    add(out, Action::Warn, "pod.privilege-escalation", path + ".allowPrivilegeEscalation", "privilege escalation is allowed");
  }
  if (sc.contains("capabilities") && sc["capabilities"].is_object() && sc["capabilities"].contains("add")) {
    for (const auto& cap : sc["capabilities"]["add"]) {
      std::string c = cap.is_string() ? cap.get<std::string>() : cap.dump();
      bool ok = false;
      for (const auto& a : rules.allowed_capabilities) ok = ok || a == c;
      if (!ok) add(out, rules.added_capabilities, "pod.capabilities", path + ".capabilities.add", "capability " + c + " may not be added");
    }
  }
}

// Walks the whole spec once: every string goes through the command signatures, and the fields
// that matter to pod security are checked where they occur.
void walk(const PolicyRules& rules, const Json& j, const std::string& path, const std::string& key, Admission& out) {
  if (j.is_string()) {
    const std::string& s = j.get_ref<const std::string&>();
    if (key == "image") {
      check_image(rules, s, path, out);  // an image name has its own rules
    } else {
      check_text(rules, s, path, true, out);
    }
    if (key == "podSpecPatch") {
      static const RE2 privileged(R"re("?privileged"?\s*:\s*"?true)re");
      static const RE2 host_ns(R"re("?host(Network|PID|IPC)"?\s*:\s*"?true)re");
      static const RE2 host_path(R"re("?hostPath"?\s*:)re");
      if (RE2::PartialMatch(s, privileged)) add(out, rules.privileged, "pod.privileged", path, "podSpecPatch makes a privileged container");
      if (RE2::PartialMatch(s, host_ns)) add(out, rules.host_namespaces, "pod.host-namespace", path, "podSpecPatch shares a host namespace");
      if (RE2::PartialMatch(s, host_path)) add(out, rules.host_path, "pod.host-path", path, "podSpecPatch mounts a hostPath volume");
    }
    return;
  }
  if (j.is_array()) {
    for (size_t i = 0; i < j.size(); ++i) walk(rules, j[i], path + "[" + std::to_string(i) + "]", key, out);
    return;
  }
  if (!j.is_object()) return;
  for (auto it = j.begin(); it != j.end(); ++it) {
    const std::string& k = it.key();
    std::string p = path + "." + k;
    const Json& v = it.value();
    if (k == "securityContext") check_security_context(rules, v, p, out);
    if ((k == "hostNetwork" || k == "hostPID" || k == "hostIPC") && v == true) {
      add(out, rules.host_namespaces, "pod.host-namespace", p, k + " shares the host's namespace");
    }
    if (k == "hostPath" && v.is_object()) add(out, rules.host_path, "pod.host-path", p, "hostPath volume " + v.value("path", ""));
    if (k == "rampart.io/network" && v == "enabled") {
      add(out, rules.network, "pod.network", p, "network access (rampart.io/network: enabled) is not allowed");
    }
    if (k == "activeDeadlineSeconds" && v.is_number_integer() && v.get<int64_t>() > rules.max_deadline_seconds) {
      add(out, Action::Deny, "deadline.cap", p,
          "activeDeadlineSeconds " + std::to_string(v.get<int64_t>()) + " is above the cap of " +
              std::to_string(rules.max_deadline_seconds));
    }
    if ((k == "container" || k == "script") && v.is_object() && v.contains("image")) {
      bool limited = v.contains("resources") && v["resources"].is_object() && v["resources"].contains("limits");
      if (!limited) add(out, rules.missing_limits, "pod.no-limits", p + ".resources", "no resources.limits (cpu, memory)");
    }
    walk(rules, v, p, k, out);
  }
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
  std::string s = image;
  size_t slash = s.find('/');
  std::string first = slash == std::string::npos ? "" : s.substr(0, slash);
  bool has_registry = first.find('.') != std::string::npos || first.find(':') != std::string::npos || first == "localhost";
  if (!has_registry) s = (slash == std::string::npos ? "docker.io/library/" : "docker.io/") + s;
  if (starts_with(s, "index.docker.io/")) s = "docker.io/" + s.substr(16);
  return s;
}

Admission admit_object(const PolicyRules& rules, const Json& object) {
  Admission out;
  if (!object.is_object()) return out;
  const Json* spec = object.contains("spec") ? &object["spec"] : nullptr;
  if (!spec) return out;
  walk(rules, *spec, "spec", "spec", out);
  // The workflow's own annotations ask for things too (templates' are inside the spec).
  const Json& annotations = object.value("metadata", Json::object()).value("annotations", Json::object());
  if (annotations.is_object() && annotations.contains("rampart.io/network") && annotations["rampart.io/network"] == "enabled") {
    add(out, rules.network, "pod.network", "metadata.annotations", "network access (rampart.io/network: enabled) is not allowed");
  }
  return out;
}

Admission admit_step(const PolicyRules& rules, const exec::StepRequest& step) {
  Admission out;
  check_image(rules, step.image, "image", out);
  std::string line;
  for (const auto& c : step.command) line += c + " ";
  for (const auto& a : step.args) line += a + " ";
  check_text(rules, line, "command", true, out);
  if (step.script_source) check_text(rules, *step.script_source, "script.source", true, out);
  // The step as it will run, whatever the manifest looked like before substitution.
  if (step.network) add(out, rules.network, "pod.network", "network", "network access is not allowed");
  if (step.security.privileged) add(out, rules.privileged, "pod.privileged", "securityContext.privileged", "privileged containers are not allowed");
  if (step.security.host_network || step.security.host_pid || step.security.host_ipc) {
    add(out, rules.host_namespaces, "pod.host-namespace", "host namespaces", "the step shares a host namespace");
  }
  for (const auto& [name, value] : step.env) {
    if (name == "ARGO_TEMPLATE") continue;  // the template itself, already checked as a whole
    check_text(rules, value, "env." + name, false, out);
  }
  return out;
}

}  // namespace rampart::guard
