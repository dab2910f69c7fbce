#include "exec/kubernetes/pod_manifest.h"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <filesystem>
#include <map>

#include "exec/kubernetes/kube_names.h"
#include "exec/kubernetes/output_framing.h"

namespace rampart::exec::kube {

using Json = nlohmann::json;

namespace {

constexpr const char* kMainContainer = "main";  // Argo's name, so `kubectl logs POD -c main` works
constexpr const char* kCollectorContainer = "rampart-outputs";
constexpr const char* kInputsVolume = "rampart-inputs";
constexpr const char* kTmpVolume = "rampart-tmp";
constexpr const char* kScratchSize = "1Gi";

std::string base64_encode(const std::string& in) {
  static const char* alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  size_t i = 0;
  for (; i + 2 < in.size(); i += 3) {
    uint32_t v = (uint8_t(in[i]) << 16) | (uint8_t(in[i + 1]) << 8) | uint8_t(in[i + 2]);
    for (int s = 18; s >= 0; s -= 6) out += alphabet[(v >> s) & 63];
  }
  if (i + 1 == in.size()) {
    uint32_t v = uint8_t(in[i]) << 16;
    out += alphabet[(v >> 18) & 63];
    out += alphabet[(v >> 12) & 63];
    out += "==";
  } else if (i + 2 == in.size()) {
    uint32_t v = (uint8_t(in[i]) << 16) | (uint8_t(in[i + 1]) << 8);
    out += alphabet[(v >> 18) & 63];
    out += alphabet[(v >> 12) & 63];
    out += alphabet[(v >> 6) & 63];
    out += '=';
  }
  return out;
}

bool under(const std::string& path, const std::string& dir) {
  if (dir == "/") return true;
  return path == dir || (path.size() > dir.size() && path.compare(0, dir.size(), dir) == 0 && path[dir.size()] == '/');
}

std::string normalized(const std::string& path) {
  std::string p = std::filesystem::path(path).lexically_normal().string();
  while (p.size() > 1 && p.back() == '/') p.pop_back();
  return p;
}

std::string capability_name(std::string cap) {
  for (auto& c : cap) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  if (cap.rfind("CAP_", 0) == 0) cap = cap.substr(4);
  return cap;
}

}  // namespace

std::string cpu_quantity(double cores) {
  long millis = std::max(1L, std::lround(cores * 1000));
  if (millis % 1000 == 0) return std::to_string(millis / 1000);
  return std::to_string(millis) + "m";
}

std::string memory_quantity(uint64_t bytes) {
  if (bytes >= (1ull << 30) && bytes % (1ull << 30) == 0) return std::to_string(bytes >> 30) + "Gi";
  if (bytes >= (1ull << 20) && bytes % (1ull << 20) == 0) return std::to_string(bytes >> 20) + "Mi";
  if (bytes >= (1ull << 10) && bytes % (1ull << 10) == 0) return std::to_string(bytes >> 10) + "Ki";
  return std::to_string(bytes);
}

PodPlan make_pod_plan(const StepRequest& request, const std::vector<PodInputFile>& inputs, const PodPolicy& policy) {
  PodPlan plan;
  auto refuse = [&plan](std::string why) {
    plan.pod = Json();
    plan.secret = Json();
    plan.pull_secret = Json();
    plan.error = std::move(why);
    return plan;
  };
  const SecurityRequest& security = request.security;

  // The same refusals as the container executor: a cluster is no reason to run with less
  // isolation than the user was promised.
  if (security.privileged && !policy.allow_privileged) {
    return refuse(
        "privileged containers are refused: securityContext.privileged would give the step the node's "
        "devices and every capability (an operator can allow it with --allow-privileged)");
  }
  if ((security.host_network || security.host_pid || security.host_ipc) && !policy.allow_host_namespaces) {
    return refuse(
        "host namespaces are refused: hostNetwork, hostPID and hostIPC would let the step see and reach the "
        "node (an operator can allow them with --allow-host-namespaces)");
  }
  if (request.network && !policy.allow_network) {
    return refuse(
        "network access is refused: the step asks for it (annotation rampart.io/network: enabled) but "
        "an operator must allow it with --allow-network");
  }
  if (!request.pod_network.empty()) {
    return refuse("sidecars are not supported by the kubernetes executor yet");
  }
  if (request.image.empty()) return refuse("the step has no image");
  Json added_capabilities = Json::array();
  for (const auto& requested : security.add_capabilities) {
    std::string cap = capability_name(requested);
    if (!policy.allowed_capabilities.count(cap) && !policy.allowed_capabilities.count("ALL")) {
      return refuse("capability " + cap +
                    " is not permitted by policy (steps run with no capabilities unless an "
                    "operator allows them with --allow-capability " +
                    cap + ")");
    }
    if (std::find(added_capabilities.begin(), added_capabilities.end(), cap) == added_capabilities.end()) {
      added_capabilities.push_back(cap);
    }
  }
  if (!request.working_dir.empty() && request.working_dir[0] != '/') {
    return refuse("workingDir \"" + request.working_dir + "\" must be an absolute path");
  }

  std::string pod_name = dns_subdomain(request.pod_name.empty() ? request.id : request.pod_name, 243);
  if (pod_name.empty()) pod_name = "rampart-" + dns_subdomain("step-" + request.id, 230);
  const std::string secret_name = pod_name + "-inputs";
  const std::string namespace_name = policy.namespace_name.empty() ? "default" : policy.namespace_name;

  // --- volumes: /tmp, the request's mounts, and a directory for every output path not on one.
  Json volumes = Json::array();
  Json main_mounts = Json::array();
  Json collector_mounts = Json::array();
  std::vector<std::string> volume_dirs;
  auto add_scratch = [&](const std::string& name, const std::string& dir, bool read_only) {
    volumes.push_back({{"name", name}, {"emptyDir", {{"sizeLimit", kScratchSize}}}});
    main_mounts.push_back({{"name", name}, {"mountPath", dir}, {"readOnly", read_only}});
    collector_mounts.push_back({{"name", name}, {"mountPath", dir}, {"readOnly", true}});
    volume_dirs.push_back(dir);
  };
  bool tmp_mounted = std::any_of(request.mounts.begin(), request.mounts.end(),
                                 [](const Mount& m) { return normalized(m.container_path) == "/tmp"; });
  if (!tmp_mounted) add_scratch(kTmpVolume, "/tmp", false);
  for (size_t i = 0; i < request.mounts.size(); ++i) {
    const Mount& m = request.mounts[i];
    if (m.container_path.empty() || m.container_path[0] != '/') {
      return refuse("mount \"" + m.container_path + "\": the container path must be absolute");
    }
    // Each volume is the step's own emptyDir, seeded from the Secret: the cluster cannot see the
    // engine's host directories.
    add_scratch("volume-" + std::to_string(i), normalized(m.container_path), m.read_only);
  }
  std::vector<std::string> output_paths;
  for (const auto& [container_path, host_path] : request.output_files) {
    std::string path = normalized(container_path);
    if (path.empty() || path[0] != '/') return refuse("output path \"" + container_path + "\" must be absolute");
    bool covered =
        std::any_of(volume_dirs.begin(), volume_dirs.end(), [&](const std::string& d) { return under(path, d); });
    if (!covered) {
      std::string dir = std::filesystem::path(path).parent_path().string();
      if (dir == "/" || dir.empty()) {
        return refuse("output path \"" + container_path +
                      "\" is directly under /, which the kubernetes executor cannot "
                      "collect (the root filesystem is the container's own); write it under /tmp or a volume");
      }
      add_scratch("outputs-" + std::to_string(volume_dirs.size()), dir, false);
    }
    output_paths.push_back(path);
    plan.output_host_paths.push_back(host_path);
  }

  // --- the step's Secret: env values and input files.
  Json secret_data = Json::object();
  Json env = Json::array();
  std::map<std::string, size_t> env_position;  // a later variable of the same name wins
  for (const auto& [name, value] : request.env) {
    auto it = env_position.find(name);
    size_t index = it == env_position.end() ? env.size() : it->second;
    std::string key = "env-" + std::to_string(index);
    secret_data[key] = base64_encode(value);
    Json var = {{"name", name}, {"valueFrom", {{"secretKeyRef", {{"name", secret_name}, {"key", key}}}}}};
    if (it == env_position.end()) {
      env_position[name] = env.size();
      env.push_back(var);
    }
  }
  Json items = Json::array();
  for (size_t i = 0; i < inputs.size(); ++i) {
    const PodInputFile& f = inputs[i];
    std::string key = "file-" + std::to_string(i);
    secret_data[key] = base64_encode(f.content);
    items.push_back({{"key", key}, {"path", key}, {"mode", f.mode}});
    // subPath mounts put each file at its own path, also inside the scratch volumes above.
    main_mounts.push_back(
        {{"name", kInputsVolume}, {"mountPath", normalized(f.container_path)}, {"subPath", key}, {"readOnly", true}});
  }
  if (!items.empty()) {
    volumes.push_back(
        {{"name", kInputsVolume}, {"secret", {{"secretName", secret_name}, {"items", items}, {"defaultMode", 0444}}}});
  }

  // --- the main container.
  std::vector<std::string> args = request.args;
  std::vector<std::string> command = request.command;
  // As the other executors: the staged script's path comes last (after the image's ENTRYPOINT
  // when the template names no command).
  if (request.script_source) args.push_back("/argo/staging/script");
  const ResourceLimits& limits = request.limits;
  double cpu = limits.cpu_cores.value_or(policy.default_cpu_cores);
  uint64_t memory = limits.memory_bytes.value_or(policy.default_memory_bytes);
  Json resources = {
      {"limits", {{"cpu", cpu_quantity(cpu)}, {"memory", memory_quantity(memory)}}},
      {"requests",
       {{"cpu", cpu_quantity(std::min(cpu, 0.1))},
        {"memory", memory_quantity(std::min<uint64_t>(memory, 64ull << 20))}}},
  };
  Json container_security = {
      {"readOnlyRootFilesystem", !policy.writable_root},
      {"capabilities", {{"drop", {"ALL"}}}},
  };
  if (!added_capabilities.empty()) container_security["capabilities"]["add"] = added_capabilities;
  if (security.privileged) {
    container_security["privileged"] = true;  // Kubernetes rejects it with allowPrivilegeEscalation: false
  } else {
    container_security["allowPrivilegeEscalation"] = false;
  }
  Json main = {
      {"name", kMainContainer},
      {"image", request.image},
      {"env", env},
      {"resources", resources},
      {"securityContext", container_security},
      {"volumeMounts", main_mounts},
  };
  if (!command.empty()) main["command"] = command;
  if (!args.empty()) main["args"] = args;
  if (!request.working_dir.empty()) main["workingDir"] = request.working_dir;
  if (!request.image_pull_policy.empty()) main["imagePullPolicy"] = request.image_pull_policy;

  Json collector_args = Json::array({"rampart-collect", std::to_string(policy.max_output_file_bytes)});
  for (const auto& p : output_paths) collector_args.push_back(p);
  Json collector = {
      {"name", kCollectorContainer},
      {"image", policy.helper_image},
      {"command", {"sh", "-c", output_collector_script()}},
      {"args", collector_args},
      {"resources",
       {{"limits", {{"cpu", "100m"}, {"memory", "64Mi"}}}, {"requests", {{"cpu", "10m"}, {"memory", "16Mi"}}}}},
      {"securityContext",
       {{"readOnlyRootFilesystem", true}, {"allowPrivilegeEscalation", false}, {"capabilities", {{"drop", {"ALL"}}}}}},
      {"volumeMounts", collector_mounts},
  };

  // --- the pod.
  int64_t user = security.run_as_user.value_or(policy.default_user);
  Json pod_security = {
      {"runAsUser", user},
      {"runAsGroup", security.run_as_group.value_or(security.run_as_user ? user : policy.default_user)},
      // The template may ask for root by naming uid 0; otherwise nothing runs as root.
      {"runAsNonRoot", user != 0 || security.run_as_non_root},
      {"fsGroup", policy.default_user},
      {"seccompProfile", {{"type", "RuntimeDefault"}}},
  };
  // The collector never runs as root, whatever the step asked for.
  collector["securityContext"]["runAsUser"] = policy.default_user;
  collector["securityContext"]["runAsGroup"] = policy.default_user;
  collector["securityContext"]["runAsNonRoot"] = true;

  Json labels = {
      {"app.kubernetes.io/managed-by", "rampart"},
      {"workflows.argoproj.io/completed", "false"},
  };
  if (!request.workflow_name.empty()) labels["workflows.argoproj.io/workflow"] = label_value(request.workflow_name);
  if (!policy.executor_instance.empty()) labels["rampart.io/executor"] = label_value(policy.executor_instance);
  Json annotations = {{"workflows.argoproj.io/node-id", request.id}};
  if (!request.node_name.empty()) annotations["workflows.argoproj.io/node-name"] = request.node_name;
  if (!request.template_name.empty()) annotations["rampart.io/template-name"] = request.template_name;
  if (!request.workflow_namespace.empty()) annotations["rampart.io/workflow-namespace"] = request.workflow_namespace;
  if (!request.workflow_name.empty()) annotations["rampart.io/workflow-name"] = request.workflow_name;

  Json spec = {
      {"restartPolicy", "Never"},
      {"automountServiceAccountToken", false},
      {"enableServiceLinks", false},
      {"terminationGracePeriodSeconds", 10},
      {"securityContext", pod_security},
      {"initContainers", Json::array({main})},
      {"containers", Json::array({collector})},
      {"volumes", volumes},
  };
  if (security.host_network) spec["hostNetwork"] = true;
  if (security.host_pid) spec["hostPID"] = true;
  if (security.host_ipc) spec["hostIPC"] = true;

  if (!request.registry_auth.empty()) {
    std::string pull_name = pod_name + "-pull";
    plan.pull_secret = {
        {"apiVersion", "v1"},
        {"kind", "Secret"},
        {"type", "kubernetes.io/dockerconfigjson"},
        {"metadata", {{"name", pull_name}, {"namespace", namespace_name}, {"labels", labels}}},
        {"data", {{".dockerconfigjson", base64_encode(request.registry_auth)}}},
    };
    spec["imagePullSecrets"] = Json::array({{{"name", pull_name}}});
  }

  plan.pod = {
      {"apiVersion", "v1"},
      {"kind", "Pod"},
      {"metadata",
       {{"name", pod_name}, {"namespace", namespace_name}, {"labels", labels}, {"annotations", annotations}}},
      {"spec", spec},
  };
  plan.secret = {
      {"apiVersion", "v1"},  {"kind", "Secret"},
      {"type", "Opaque"},    {"metadata", {{"name", secret_name}, {"namespace", namespace_name}, {"labels", labels}}},
      {"data", secret_data},
  };
  return plan;
}

}  // namespace rampart::exec::kube
