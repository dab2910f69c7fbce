#include "exec/container/container_executor.h"

#include <fcntl.h>
#include <sys/mount.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cctype>
#include <cstring>
#include <condition_variable>
#include <cstdlib>
#include <deque>
#include <filesystem>
#include <fstream>
#include <map>
#include <mutex>
#include <sstream>
#include <thread>

#include "exec/cgroups.h"
#include "exec/command_resolution.h"
#include "exec/helper_command.h"
#include "exec/network_namespace.h"
#include "exec/process_supervisor.h"
#include "exec/resource_limits.h"
#include "exec/sandbox_command.h"
#include "exec/script_staging.h"

namespace rampart::exec {

namespace fs = std::filesystem;
using Json = nlohmann::json;

namespace {

// A container that sets no memory limit still gets one: a runaway step must not take the host.
constexpr uint64_t kDefaultMemoryBytes = 2ull << 30;
constexpr int kPreparers = 2;  // pulls and overlay set-up run here, off the engine's thread
constexpr auto kControlTimeout = std::chrono::seconds(20);

StepResult start_error(std::string message) {
  return StepResult{StepOutcome::StartError, 0, std::move(message), false};
}

std::string find_program(const std::string& name) {
  std::string path = std::getenv("PATH") ? std::getenv("PATH") : "";
  path += ":/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";
  std::stringstream dirs(path);
  for (std::string dir; std::getline(dirs, dir, ':');) {
    if (dir.empty() || dir[0] != '/') continue;
    std::string candidate = dir + "/" + name;
    if (::access(candidate.c_str(), X_OK) == 0) return candidate;
  }
  return "";
}

std::string read_text(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

// Container ids are "rampart-<pid>-<n>": the pid tells a sweep whether the owner still runs.
bool owner_is_gone(const std::string& id) {
  if (id.rfind("rampart-", 0) != 0) return false;
  std::string pid = id.substr(8, id.find('-', 8) - 8);
  if (pid.empty() || pid.find_first_not_of("0123456789") != std::string::npos) return false;
  return ::access(("/proc/" + pid).c_str(), F_OK) != 0;
}

// mkdir -p of an absolute path inside `root`, never following a symlink: the image (from a
// registry) decides what is in its root, and a link there must not point the engine at the host.
std::string make_dir_in_root(const std::string& root, const std::string& path) {
  int dir = ::open(root.c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC);
  if (dir < 0) return "cannot open the container root";
  std::stringstream parts(path);
  for (std::string part; std::getline(parts, part, '/');) {
    if (part.empty() || part == ".") continue;
    if (part == "..") {
      ::close(dir);
      return "workingDir \"" + path + "\" must not contain \"..\"";
    }
    if (::mkdirat(dir, part.c_str(), 0755) != 0 && errno != EEXIST) {
      ::close(dir);
      return "cannot create workingDir \"" + path + "\"";
    }
    int next = ::openat(dir, part.c_str(), O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    ::close(dir);
    if (next < 0) return "workingDir \"" + path + "\" passes through a symlink or a file in the image";
    dir = next;
  }
  ::close(dir);
  return "";
}

// crun --log-format=json writes one {"msg", "level"} object per line; the last error is why it
// failed. Empty when crun itself reported nothing (the container ran and exited on its own).
std::string crun_error(const fs::path& log) {
  std::stringstream lines(read_text(log));
  std::string message;
  for (std::string line; std::getline(lines, line);) {
    Json entry = Json::parse(line, nullptr, false);
    if (entry.is_object() && entry.value("level", "") == "error") message = entry.value("msg", "");
  }
  return message;
}

std::string explain_crun_error(const std::string& message) {
  if (message.find("hybrid mode") != std::string::npos) {
    return "crun cannot start containers on this host: " + message + ". " + container_host_problem();
  }
  return "the container runtime failed: " + message;
}

void remove_container(const std::string& crun, const std::string& root, const std::string& id) {
  if (!fs::exists(fs::path(root) / id)) return;  // `crun run` deletes what ended normally
  run_helper({.argv = {crun, "--root", root, "delete", "--force", id},
              .timeout = kControlTimeout,
              .environment = path_only_environment()});
}

void unmount(const std::string& path) {
  if (::umount2(path.c_str(), MNT_DETACH) != 0 && errno != EINVAL && errno != ENOENT) {
    // Nothing more can be done here; the next sweep tries again.
  }
}

std::string mountinfo_unescape(const std::string& s) {
  std::string out;
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '\\' && i + 3 < s.size() && std::isdigit(static_cast<unsigned char>(s[i + 1]))) {
      out += static_cast<char>(std::stoi(s.substr(i + 1, 3), nullptr, 8));
      i += 3;
    } else {
      out += s[i];
    }
  }
  return out;
}

}  // namespace

std::string container_host_problem() {
  std::ifstream mounts("/proc/self/mountinfo");
  bool v1 = false;
  std::vector<std::string> v2_mounts;
  for (std::string line; std::getline(mounts, line);) {
    std::stringstream fields(line);
    std::string f, mountpoint;
    std::vector<std::string> all;
    while (fields >> f) all.push_back(f);
    auto dash = std::find(all.begin(), all.end(), "-");
    if (dash == all.end() || dash + 1 == all.end() || all.size() < 5) continue;
    if (*(dash + 1) == "cgroup") v1 = true;
    if (*(dash + 1) == "cgroup2") v2_mounts.push_back(mountinfo_unescape(all[4]));
  }
  if (!v1) return "";
  for (const auto& dir : v2_mounts) {
    std::string controllers = read_text(fs::path(dir) / "cgroup.controllers");
    while (!controllers.empty() && controllers.back() == '\n') controllers.pop_back();
    if (!controllers.empty()) {
      return "this host mixes cgroup v1 and v2 and the v2 hierarchy at " + dir + " holds the controllers \"" +
             controllers +
             "\"; crun needs every controller on v1. As root, mount each of them as v1, for example: "
             "mkdir -p /sys/fs/cgroup/hugetlb && mount -t cgroup -o hugetlb cgroup /sys/fs/cgroup/hugetlb "
             "(scripts/setup does this)";
    }
  }
  return "";
}

size_t sweep_leftover_containers(const std::string& state_dir) {
  size_t removed = 0;
  const std::string crun = find_program("crun");
  const fs::path root = fs::path(state_dir) / "containers" / "crun";
  std::error_code ec;
  if (!crun.empty()) {
    for (const auto& entry : fs::directory_iterator(root, ec)) {
      std::string id = entry.path().filename().string();
      if (!owner_is_gone(id)) continue;
      run_helper({.argv = {crun, "--root", root.string(), "delete", "--force", id},
                  .timeout = kControlTimeout,
                  .environment = path_only_environment()});
      if (fs::exists(entry.path())) fs::remove_all(entry.path(), ec);  // crun could not even read its state
      ++removed;
    }
  }
  // Overlays of containers whose engine died: <step_dir>/bundle/rootfs, with the owner beside it.
  const std::string run_dir = (fs::path(state_dir) / "run").string() + "/";
  std::ifstream mounts("/proc/self/mountinfo");
  std::vector<std::string> stale;
  for (std::string line; std::getline(mounts, line);) {
    std::stringstream fields(line);
    std::vector<std::string> all;
    for (std::string f; fields >> f;) all.push_back(f);
    if (all.size() < 5) continue;
    std::string mountpoint = mountinfo_unescape(all[4]);
    if (mountpoint.rfind(run_dir, 0) != 0) continue;
    std::string owner = read_text(fs::path(mountpoint).parent_path() / "owner");
    if (owner.empty()) owner = read_text(mountpoint + ".owner");  // a pod's pinned network namespace
    if (owner_is_gone(owner)) stale.push_back(mountpoint);
  }
  for (auto it = stale.rbegin(); it != stale.rend(); ++it) unmount(*it);
  return removed;
}

struct ContainerExecutor::State : std::enable_shared_from_this<State> {
  ContainerExecutorOptions options;
  std::string crun;
  std::string crun_root;
  ImageStore images;
  std::shared_ptr<CgroupHost> cgroups;
  PodNetworks pod_networks;
  uint64_t max_open_files = 1024;
  std::atomic<uint64_t> next_id{0};

  std::mutex mutex;
  std::condition_variable work_ready;
  std::deque<std::pair<StepRequest, std::function<void(StepResult)>>> queue;
  std::map<std::string, std::string> preparing;  // step id -> kill reason (empty: not killed)
  bool stopping = false;
  std::vector<std::thread> preparers;
  ProcessSupervisor supervisor;  // last: its thread stops before the rest is destroyed

  explicit State(ContainerExecutorOptions opts)
      : options(std::move(opts)),
        crun(find_program("crun")),
        crun_root((fs::path(options.state_dir) / "containers" / "crun").string()),
        images(options.image_cache.empty() ? (fs::path(options.state_dir) / "images").string() : options.image_cache,
               options.registry) {}

  void prepare(StepRequest request, std::function<void(StepResult)> done);
  void loop();
};

void ContainerExecutor::State::loop() {
  while (true) {
    std::pair<StepRequest, std::function<void(StepResult)>> work;
    {
      std::unique_lock lock(mutex);
      work_ready.wait(lock, [&] { return stopping || !queue.empty(); });
      if (queue.empty()) return;
      work = std::move(queue.front());
      queue.pop_front();
    }
    if (stopping) {
      {
        std::lock_guard lock(mutex);
        preparing.erase(work.first.id);
      }
      supervisor.reject(std::move(work.second), start_error("the executor is shut down"));
      continue;
    }
    prepare(std::move(work.first), std::move(work.second));
  }
}

void ContainerExecutor::State::prepare(StepRequest request, std::function<void(StepResult)> done) {
  const std::string step_id = request.id;
  auto reject = [&](const std::string& message) {
    {
      std::lock_guard lock(mutex);
      preparing.erase(step_id);
    }
    supervisor.reject(std::move(done), start_error(message));
  };
  if (request.step_dir.empty()) return reject("the step has no step directory");

  PulledImage image;
  try {
    image = images.pull(request.image, request.image_pull_policy, request.registry_auth);
  } catch (const ImageError& e) {
    return reject(std::string("ErrImagePull: ") + e.what());
  }

  const std::string id = "rampart-" + std::to_string(::getpid()) + "-" + std::to_string(next_id++);
  const fs::path step_dir = request.step_dir;
  const fs::path bundle = step_dir / "bundle";
  const fs::path merged = bundle / "rootfs";
  const fs::path upper = step_dir / "rootfs";  // the engine reads outputs from here
  const fs::path work = step_dir / "overlay-work";
  std::optional<std::string> script_host;
  try {
    for (const auto& dir : {step_dir / "tmp", merged, upper, work}) fs::create_directories(dir);
    std::ofstream(bundle / "owner") << id;
    std::ofstream(bundle / "hosts") << "127.0.0.1\tlocalhost\n::1\tlocalhost\n127.0.1.1\t"
                                    << sandbox_hostname(request.id) << "\n";
    if (request.script_source) script_host = stage_script(request.step_dir, *request.script_source);
  } catch (const std::exception& e) {
    return reject("cannot prepare the step directory " + request.step_dir + ": " + e.what());
  }
  for (const auto& path : {image.rootfs, upper.string(), work.string()}) {
    if (path.find_first_of(",:") != std::string::npos) {
      return reject("the path " + path + " contains ',' or ':', which an overlay mount cannot name");
    }
  }
  std::string overlay = "lowerdir=" + image.rootfs + ",upperdir=" + upper.string() + ",workdir=" + work.string();
  if (::mount("overlay", merged.c_str(), "overlay", MS_NODEV, overlay.c_str()) != 0) {
    return reject("cannot mount the container's root filesystem (overlay): " + std::string(std::strerror(errno)));
  }
  auto reject_mounted = [&](const std::string& message) {
    unmount(merged.string());
    reject(message);
  };

  std::optional<std::pair<uint32_t, uint32_t>> user;
  if (!image.config.user.empty()) {
    std::string error;
    user = resolve_user(merged.string(), image.config.user, &error);
    if (!user) return reject_mounted("image \"" + request.image + "\": " + error);
  }
  std::string cwd = !request.working_dir.empty() ? request.working_dir : image.config.working_dir;
  if (!cwd.empty() && cwd[0] == '/') {
    if (std::string error = make_dir_in_root(merged.string(), cwd); !error.empty()) return reject_mounted(error);
  }
  std::shared_ptr<NetworkNamespace> pod_network;
  if (!request.pod_network.empty() && !request.network && !request.security.host_network) {
    try {
      pod_network = pod_networks.acquire(request.pod_network, id);
    } catch (const std::exception& e) {
      return reject_mounted(e.what());
    }
  }
  std::optional<std::string> script_arg;
  if (script_host) script_arg = kScriptContainerPath;
  RuntimeConfigInputs inputs{
      request,
      image.config,
      resolve_command(image.config.entrypoint, image.config.cmd, request.command, request.args, script_arg),
      merged.string(),
      (step_dir / "tmp").string(),
      script_host,
      (bundle / "hosts").string(),
      user,
      max_open_files,
      pod_network ? pod_network->path() : std::string()};
  RuntimeConfigBuild config = make_runtime_config(inputs, options.policy);
  if (config.config.is_null()) return reject_mounted(config.error);
  {
    std::ofstream out(bundle / "config.json", std::ios::trunc);
    out << config.config.dump();
    if (!out) return reject_mounted("cannot write " + (bundle / "config.json").string());
  }

  ResourceLimits limits = request.limits;
  if (!limits.memory_bytes) limits.memory_bytes = kDefaultMemoryBytes;
  LimitPlan plan = plan_limits(limits, *cgroups);
  LaunchJob job;
  try {
    job.cgroup = std::make_unique<StepCgroup>(cgroups, id, plan.cgroup);
  } catch (const std::exception& e) {
    return reject_mounted(std::string("cannot enforce the step's resource limits: ") + e.what());
  }
  const fs::path log = bundle / "crun.log";
  job.id = request.id;
  job.plan.executable = crun;
  // crun does not manage cgroups: it starts inside the step's group, which the container's
  // processes inherit, so the limits hold and an OOM kill is counted where we can read it.
  job.plan.argv = {crun,       "--root",        crun_root,           "--cgroup-manager=disabled",
                   "--log",    log.string(),    "--log-format=json", "run",
                   "--bundle", bundle.string(), "--no-new-keyring",  id};
  job.plan.envp = {"PATH=/usr/sbin:/usr/bin:/sbin:/bin"};
  job.plan.host_cwd = bundle.string();
  job.rlimits = std::move(plan.rlimits);
  job.stdout_path = request.stdout_path.empty() ? (step_dir / "stdout").string() : request.stdout_path;
  job.log_path = request.log_path.empty() ? (step_dir / "log").string() : request.log_path;
  job.max_log_bytes = request.max_log_bytes;
  job.masker = request.masker;
  job.done = [crun = crun, root = crun_root, id, merged, log, pod_network,
              done = std::move(done)](StepResult result) mutable {
    remove_container(crun, root, id);
    unmount(merged.string());
    pod_network.reset();  // the last container of the pod unpins its namespace
    if (result.outcome == StepOutcome::Exited && result.exit_code != 0) {
      if (std::string error = crun_error(log); !error.empty()) result = start_error(explain_crun_error(error));
    }
    done(std::move(result));
  };

  std::lock_guard lock(mutex);
  auto it = preparing.find(step_id);
  std::string killed = it == preparing.end() ? "" : it->second;
  if (it != preparing.end()) preparing.erase(it);
  if (!killed.empty()) {
    unmount(merged.string());
    supervisor.reject(std::move(job.done), StepResult{StepOutcome::Killed, 137, killed, false});
    return;
  }
  supervisor.launch(std::move(job));
}

ContainerExecutor::ContainerExecutor(ContainerExecutorOptions options) {
  if (options.state_dir.empty()) throw std::runtime_error("the container executor needs a state directory");
  std::vector<std::string> missing;
  for (const char* tool : {"crun", "skopeo", "umoci"}) {
    if (find_program(tool).empty()) missing.push_back(tool);
  }
  if (!missing.empty()) {
    std::string list;
    for (const auto& m : missing) list += (list.empty() ? "" : ", ") + m;
    throw std::runtime_error("the container executor needs " + list +
                             " (Debian packages crun, skopeo and umoci; scripts/setup installs them)");
  }
  if (std::string problem = container_host_problem(); !problem.empty()) throw std::runtime_error(problem);
  // Leftovers of a killed engine go first: their processes would keep stale cgroups alive.
  sweep_leftover_containers(options.state_dir);
  state_ = std::make_shared<State>(std::move(options));
  state_->cgroups = CgroupHost::probe();
  if (!state_->cgroups->has(CgroupController::Memory) || !state_->cgroups->has(CgroupController::Pids)) {
    throw std::runtime_error(
        "the container executor needs the memory and pids cgroup controllers (run as root on a host "
        "with cgroups mounted): " +
        state_->cgroups->describe(CgroupController::Memory) + "; " + state_->cgroups->describe(CgroupController::Pids));
  }
  std::error_code ec;
  fs::create_directories(state_->crun_root, ec);
  if (ec) throw std::runtime_error("cannot create " + state_->crun_root + ": " + ec.message());
  rlimit files{};
  if (::getrlimit(RLIMIT_NOFILE, &files) == 0) {
    state_->max_open_files = std::min<uint64_t>(files.rlim_max, 65536);
  }
  for (int i = 0; i < kPreparers; ++i) state_->preparers.emplace_back([s = state_.get()] { s->loop(); });
}

ContainerExecutor::~ContainerExecutor() { shutdown(); }

void ContainerExecutor::start(StepRequest request, std::function<void(StepResult)> done) {
  std::lock_guard lock(state_->mutex);
  if (state_->stopping) {
    state_->supervisor.reject(std::move(done), start_error("the executor is shut down"));
    return;
  }
  state_->preparing[request.id] = "";
  state_->queue.emplace_back(std::move(request), std::move(done));
  state_->work_ready.notify_one();
}

void ContainerExecutor::kill(const std::string& id, const std::string& reason) {
  std::lock_guard lock(state_->mutex);
  if (auto it = state_->preparing.find(id); it != state_->preparing.end()) {
    it->second = reason.empty() ? "killed" : reason;
    return;
  }
  state_->supervisor.kill(id, reason);
}

void ContainerExecutor::shutdown() {
  {
    std::lock_guard lock(state_->mutex);
    if (state_->stopping && state_->preparers.empty()) return;
    state_->stopping = true;
  }
  state_->work_ready.notify_all();
  for (auto& t : state_->preparers) {
    if (t.joinable()) t.join();
  }
  state_->preparers.clear();
  state_->supervisor.shutdown();
}

std::unique_ptr<Executor> make_container_executor(ContainerExecutorOptions options) {
  return std::make_unique<ContainerExecutor>(std::move(options));
}

}  // namespace rampart::exec
