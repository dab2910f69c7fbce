#include "guard/policy.h"

#include <re2/re2.h>
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <cctype>
#include <fstream>
#include <sstream>
#include <stdexcept>

namespace rampart::guard {

namespace {

[[noreturn]] void fail(const std::string& file, const YAML::Node& node, const std::string& path,
                       const std::string& message) {
  auto mark = node.Mark();
  throw std::invalid_argument(file + ":" + std::to_string(mark.line + 1) + ":" + std::to_string(mark.column + 1) +
                              ": " + path + ": " + message);
}

Action parse_action(const std::string& file, const YAML::Node& node, const std::string& path) {
  std::string v = node.as<std::string>();
  if (v == "allow") return Action::Allow;
  if (v == "warn") return Action::Warn;
  if (v == "deny") return Action::Deny;
  fail(file, node, path, "expected allow, warn or deny, got \"" + v + "\"");
}

std::vector<std::string> parse_list(const std::string& file, const YAML::Node& node, const std::string& path) {
  if (!node.IsSequence()) fail(file, node, path, "expected a list");
  std::vector<std::string> out;
  for (const auto& item : node) {
    if (!item.IsScalar()) fail(file, item, path, "expected a string");
    out.push_back(item.as<std::string>());
  }
  return out;
}

int64_t parse_seconds(const std::string& file, const YAML::Node& node, const std::string& path) {
  try {
    int64_t v = node.as<int64_t>();
    if (v <= 0) fail(file, node, path, "must be a positive number of seconds");
    return v;
  } catch (const YAML::Exception&) {
    fail(file, node, path, "expected a number of seconds");
  }
}

int64_t parse_count(const std::string& file, const YAML::Node& node, const std::string& path) {
  try {
    int64_t v = node.as<int64_t>();
    if (v <= 0) fail(file, node, path, "must be a positive number");
    return v;
  } catch (const YAML::Exception&) {
    fail(file, node, path, "expected a number");
  }
}

// Applies the keys present in `node` on top of `rules`.
void apply(const std::string& file, const YAML::Node& node, const std::string& base, PolicyRules& rules,
           bool allow_namespaces) {
  if (!node.IsMap()) fail(file, node, base.empty() ? "policy" : base, "expected a map");
  for (const auto& kv : node) {
    std::string key = kv.first.as<std::string>();
    const YAML::Node& v = kv.second;
    std::string path = base.empty() ? key : base + "." + key;
    auto section = [&](std::initializer_list<const char*> allowed) {
      if (!v.IsMap()) fail(file, v, path, "expected a map");
      for (const auto& inner : v) {
        std::string k = inner.first.as<std::string>();
        bool known = false;
        for (const char* a : allowed) known = known || k == a;
        if (!known) fail(file, inner.first, path + "." + k, "unknown field");
      }
    };
    if (key == "apiVersion" || key == "kind" || key == "metadata") continue;
    if (key == "images") {
      section({"allow", "deny", "builtinMinerList", "requireDigest"});
      if (v["allow"]) rules.allowed_images = parse_list(file, v["allow"], path + ".allow");
      if (v["deny"]) rules.denied_images = parse_list(file, v["deny"], path + ".deny");
      if (v["builtinMinerList"]) rules.builtin_miner_list = v["builtinMinerList"].as<bool>();
      if (v["requireDigest"]) rules.require_digest = v["requireDigest"].as<bool>();
    } else if (key == "commands") {
      section({"deny", "builtinSignatures", "maxScriptBytes", "maxScriptWords", "maxNesting"});
      if (v["maxScriptBytes"])
        rules.parse_limits.max_bytes =
            static_cast<size_t>(parse_count(file, v["maxScriptBytes"], path + ".maxScriptBytes"));
      if (v["maxScriptWords"])
        rules.parse_limits.max_words =
            static_cast<size_t>(parse_count(file, v["maxScriptWords"], path + ".maxScriptWords"));
      if (v["maxNesting"])
        rules.parse_limits.max_depth =
            static_cast<int>(std::min<int64_t>(parse_count(file, v["maxNesting"], path + ".maxNesting"), 64));
      if (v["deny"]) {
        rules.denied_command_patterns = parse_list(file, v["deny"], path + ".deny");
        for (const auto& p : rules.denied_command_patterns) {
          RE2 re(p, RE2::Quiet);
          if (!re.ok()) fail(file, v["deny"], path + ".deny", "invalid pattern \"" + p + "\": " + re.error());
        }
      }
      if (v["builtinSignatures"]) rules.builtin_command_signatures = v["builtinSignatures"].as<bool>();
    } else if (key == "pods") {
      section({"privileged", "hostNamespaces", "hostPath", "capabilities", "allowedCapabilities", "missingLimits",
               "network", "unconfinedVolumes"});
      if (v["unconfinedVolumes"])
        rules.unconfined_volumes = parse_action(file, v["unconfinedVolumes"], path + ".unconfinedVolumes");
      if (v["network"]) rules.network = parse_action(file, v["network"], path + ".network");
      if (v["privileged"]) rules.privileged = parse_action(file, v["privileged"], path + ".privileged");
      if (v["hostNamespaces"])
        rules.host_namespaces = parse_action(file, v["hostNamespaces"], path + ".hostNamespaces");
      if (v["hostPath"]) rules.host_path = parse_action(file, v["hostPath"], path + ".hostPath");
      if (v["capabilities"]) rules.added_capabilities = parse_action(file, v["capabilities"], path + ".capabilities");
      if (v["allowedCapabilities"])
        rules.allowed_capabilities = parse_list(file, v["allowedCapabilities"], path + ".allowedCapabilities");
      if (v["missingLimits"]) rules.missing_limits = parse_action(file, v["missingLimits"], path + ".missingLimits");
    } else if (key == "deadlines") {
      section({"maxSeconds", "defaultSeconds"});
      if (v["maxSeconds"]) rules.max_deadline_seconds = parse_seconds(file, v["maxSeconds"], path + ".maxSeconds");
      if (v["defaultSeconds"])
        rules.default_deadline_seconds = parse_seconds(file, v["defaultSeconds"], path + ".defaultSeconds");
    } else if (key == "watch") {
      section({"stepBudgetSeconds", "historyFactor", "historyMinRuns", "action", "cpuPinnedSeconds", "poolPorts",
               "minerHashes"});
      if (v["stepBudgetSeconds"])
        rules.step_budget_seconds = parse_seconds(file, v["stepBudgetSeconds"], path + ".stepBudgetSeconds");
      if (v["historyFactor"]) {
        rules.history_factor = v["historyFactor"].as<double>();
        if (!(rules.history_factor >= 0))
          fail(file, v["historyFactor"], path + ".historyFactor", "must be 0 (off) or a positive factor");
      }
      if (v["historyMinRuns"])
        rules.history_min_runs = parse_count(file, v["historyMinRuns"], path + ".historyMinRuns");
      if (v["cpuPinnedSeconds"])
        rules.cpu_pinned_seconds = parse_seconds(file, v["cpuPinnedSeconds"], path + ".cpuPinnedSeconds");
      if (v["poolPorts"]) {
        rules.pool_ports.clear();
        for (const auto& p : parse_list(file, v["poolPorts"], path + ".poolPorts")) {
          int port = 0;
          try {
            port = std::stoi(p);
          } catch (const std::exception&) {}
          if (port <= 0 || port > 65535)
            fail(file, v["poolPorts"], path + ".poolPorts", "\"" + p + "\" is not a port number");
          rules.pool_ports.push_back(port);
        }
      }
      if (v["minerHashes"]) {
        rules.miner_hashes = parse_list(file, v["minerHashes"], path + ".minerHashes");
        for (auto& h : rules.miner_hashes) {
          for (auto& c : h) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
          if (!RE2::FullMatch(h, "[0-9a-f]{64}"))
            fail(file, v["minerHashes"], path + ".minerHashes", "expected SHA-256 hashes (64 hex digits)");
        }
      }
      if (v["action"]) {
        std::string a = v["action"].as<std::string>();
        if (a == "alert")
          rules.runtime_action = Action::Warn;
        else if (a == "terminate")
          rules.runtime_action = Action::Deny;
        else
          fail(file, v["action"], path + ".action", "expected alert or terminate");
      }
    } else if (key == "namespaces" && allow_namespaces) {
      // handled by the caller
    } else {
      fail(file, kv.first, path, "unknown field");
    }
  }
  if (rules.default_deadline_seconds > rules.max_deadline_seconds)
    rules.default_deadline_seconds = rules.max_deadline_seconds;
}

}  // namespace

const PolicyRules& Policy::for_namespace(const std::string& ns) const {
  auto it = namespaces.find(ns);
  return it == namespaces.end() ? defaults : it->second;
}

const char* to_string(Action action) {
  switch (action) {
    case Action::Allow: return "allow";
    case Action::Warn: return "warn";
    case Action::Deny: return "deny";
  }
  return "deny";
}

Policy parse_policy(const std::string& yaml, const std::string& file) {
  YAML::Node root;
  try {
    root = YAML::Load(yaml);
  } catch (const YAML::ParserException& e) {
    throw std::invalid_argument(file + ":" + std::to_string(e.mark.line + 1) + ":" + std::to_string(e.mark.column + 1) +
                                ": " + e.msg);
  }
  Policy policy;
  if (!root || root.IsNull()) return policy;
  try {
    apply(file, root, "", policy.defaults, true);
    if (root["namespaces"]) {
      const YAML::Node& ns = root["namespaces"];
      if (!ns.IsMap()) fail(file, ns, "namespaces", "expected a map of namespace to rules");
      for (const auto& kv : ns) {
        PolicyRules rules = policy.defaults;
        std::string name = kv.first.as<std::string>();
        apply(file, kv.second, "namespaces." + name, rules, false);
        policy.namespaces[name] = rules;
      }
    }
  } catch (const YAML::Exception& e) {
    throw std::invalid_argument(file + ":" + std::to_string(e.mark.line + 1) + ":" + std::to_string(e.mark.column + 1) +
                                ": " + e.msg);
  }
  return policy;
}

Policy load_policy_file(const std::string& path) {
  std::ifstream in(path);
  if (!in) throw std::invalid_argument(path + ": cannot read the policy file");
  std::stringstream text;
  text << in.rdbuf();
  return parse_policy(text.str(), path);
}

}  // namespace rampart::guard
