#include "exec/process_executor.h"

#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <stdexcept>

#include "exec/catalog_location.h"
#include "exec/cgroups.h"
#include "exec/command_resolution.h"
#include "exec/network_namespace.h"
#include "exec/process_supervisor.h"
#include "exec/resource_limits.h"
#include "exec/script_staging.h"

namespace rampart::exec {
namespace fs = std::filesystem;

namespace {

std::string find_bwrap(const std::string& configured) {
  if (!configured.empty()) {
    if (::access(configured.c_str(), X_OK) != 0) throw std::runtime_error("bwrap not executable: " + configured);
    return configured;
  }
  std::string path = std::getenv("PATH") ? std::getenv("PATH") : "";
  path += ":/usr/bin:/usr/local/bin:/bin";
  size_t begin = 0;
  while (begin < path.size()) {
    size_t end = path.find(':', begin);
    if (end == std::string::npos) end = path.size();
    std::string candidate = path.substr(begin, end - begin) + "/bwrap";
    if (end > begin && candidate[0] == '/' && ::access(candidate.c_str(), X_OK) == 0) return candidate;
    begin = end + 1;
  }
  throw std::runtime_error(
      "bubblewrap (bwrap) is not installed; install the `bubblewrap` package, or run trusted workflows with "
      "sandbox \"none\"");
}

StepResult start_error(std::string message) {
  return StepResult{StepOutcome::StartError, 0, std::move(message), false};
}

}  // namespace

SandboxMode parse_sandbox_mode(const std::string& name) {
  if (name == "bwrap") return SandboxMode::Bubblewrap;
  if (name == "none") return SandboxMode::None;
  throw std::invalid_argument("unknown sandbox \"" + name + "\" (expected bwrap or none)");
}

struct ProcessExecutor::State {
  ProcessExecutorOptions options;
  std::shared_ptr<const ImageCatalog> catalog;
  HostLayout host;
  std::shared_ptr<CgroupHost> cgroups;
  PodNetworks pod_networks;
  std::string nsenter;
  ProcessSupervisor supervisor;  // last: its thread stops before the rest is destroyed

  explicit State(ProcessExecutorOptions opts)
      : options(std::move(opts)),
        catalog(ImageCatalog::load_shared(locate_image_catalog(options.image_catalog))),
        host(options.sandbox == SandboxMode::Bubblewrap ? HostLayout::probe(find_bwrap(options.bwrap)) : HostLayout{}),
        cgroups(CgroupHost::shared()) {}
};

ProcessExecutor::ProcessExecutor(ProcessExecutorOptions options)
    : state_(std::make_unique<State>(std::move(options))) {}

ProcessExecutor::~ProcessExecutor() { shutdown(); }

void ProcessExecutor::start(StepRequest request, std::function<void(StepResult)> done) {
  auto reject = [&](std::string message) {
    state_->supervisor.reject(std::move(done), start_error(std::move(message)));
  };
  const bool sandboxed = state_->options.sandbox == SandboxMode::Bubblewrap;

  ImageResolution image = state_->catalog->resolve(request.image);
  if (!image.runtime) return reject(image.error);
  if (request.step_dir.empty()) return reject("the step has no step directory");

  std::optional<std::string> script_host;
  std::optional<std::string> script_arg;
  try {
    fs::create_directories(fs::path(request.step_dir) / "tmp");
    if (!sandboxed) fs::create_directories(fs::path(request.step_dir) / "work");
    if (request.script_source) {
      script_host = stage_script(request.step_dir, *request.script_source);
      script_arg = sandboxed ? std::string(kScriptContainerPath) : *script_host;
    }
  } catch (const std::exception& e) {
    return reject("cannot prepare the step directory " + request.step_dir + ": " + e.what());
  }

  std::vector<std::string> argv =
      resolve_command(image.runtime->entrypoint, image.runtime->cmd, request.command, request.args, script_arg);
  LaunchInputs inputs{request, *image.runtime, std::move(argv), script_host};
  LaunchBuild launch = sandboxed ? build_bubblewrap_launch(state_->host, inputs) : build_unsandboxed_launch(inputs);
  if (!launch.plan) return reject(launch.error);

  // A pod's containers share one loopback-only namespace: bwrap joins it through nsenter
  // instead of making its own.
  std::shared_ptr<NetworkNamespace> pod_network;
  if (sandboxed && !request.pod_network.empty() && !request.network) {
    if (state_->nsenter.empty()) state_->nsenter = ::access("/usr/bin/nsenter", X_OK) == 0 ? "/usr/bin/nsenter" : "";
    if (state_->nsenter.empty()) return reject("nsenter (util-linux) is needed to share a pod's network namespace");
    try {
      pod_network = state_->pod_networks.acquire(request.pod_network, "rampart-" + std::to_string(::getpid()) + "-pod");
    } catch (const std::exception& e) {
      return reject(e.what());
    }
    auto& argv = launch.plan->argv;
    argv.erase(std::remove(argv.begin(), argv.end(), std::string("--unshare-net")), argv.end());
    argv.insert(argv.begin(), {state_->nsenter, "--net=" + pod_network->path(), "--"});
    launch.plan->executable = state_->nsenter;
  }

  LimitPlan limits = plan_limits(request.limits, *state_->cgroups);
  LaunchJob job;
  if (limits.needs_cgroup()) {
    try {
      job.cgroup = std::make_unique<StepCgroup>(state_->cgroups, state_->cgroups->next_step_name(), limits.cgroup);
    } catch (const std::exception& e) {
      // Running without the limits the step asked for would be a silent downgrade.
      return reject(std::string("cannot enforce the step's resource limits: ") + e.what());
    }
  }
  job.id = request.id;
  job.plan = std::move(*launch.plan);
  job.rlimits = std::move(limits.rlimits);
  job.stdout_path =
      request.stdout_path.empty() ? (fs::path(request.step_dir) / "stdout").string() : request.stdout_path;
  job.log_path = request.log_path.empty() ? (fs::path(request.step_dir) / "log").string() : request.log_path;
  job.max_log_bytes = request.max_log_bytes;
  job.masker = request.masker;
  if (pod_network) {
    job.done = [pod_network, done = std::move(done)](StepResult result) mutable {
      pod_network.reset();  // the pod's last step unpins the namespace
      done(std::move(result));
    };
  } else {
    job.done = std::move(done);
  }
  state_->supervisor.launch(std::move(job));
}

void ProcessExecutor::kill(const std::string& id, const std::string& reason) { state_->supervisor.kill(id, reason); }

void ProcessExecutor::shutdown() { state_->supervisor.shutdown(); }

std::vector<Executor::StepDirLink> ProcessExecutor::links_in_step_dirs() const {
  std::vector<StepDirLink> links;
  if (state_->options.sandbox != SandboxMode::Bubblewrap) return links;
  // build_bubblewrap_launch binds <step_dir>/rootfs as the root, where bwrap makes these.
  for (const auto& [target, path] : state_->host.symlinks) links.push_back({"rootfs" + path, target});
  return links;
}

std::string ProcessExecutor::host_path_for(const StepRequest& request, const std::string& container_path) const {
  return exec::host_path_for(request, container_path, state_->options.sandbox);
}

std::string ProcessExecutor::enforcement_summary() const { return describe_enforcement(*state_->cgroups); }

const ImageCatalog& ProcessExecutor::catalog() const { return *state_->catalog; }

SandboxMode ProcessExecutor::sandbox() const { return state_->options.sandbox; }

std::unique_ptr<Executor> make_process_executor(ProcessExecutorOptions options) {
  return std::make_unique<ProcessExecutor>(std::move(options));
}

}  // namespace rampart::exec
