#include "exec/kubernetes/kubernetes_executor.h"

#include <unistd.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <deque>
#include <fstream>
#include <map>
#include <mutex>
#include <random>
#include <stdexcept>
#include <thread>

#include "common/secret_masker.h"
#include "exec/kubernetes/kube_client.h"
#include "exec/kubernetes/kube_names.h"
#include "exec/kubernetes/output_framing.h"
#include "exec/kubernetes/pod_inputs.h"
#include "exec/kubernetes/pod_progress.h"
#include "exec/kubernetes/watch_events.h"

namespace rampart::exec::kube {

using Json = nlohmann::json;

namespace {

constexpr int kWorkers = 2;             // API calls that block (create, logs, delete) run here
constexpr int64_t kWatchSeconds = 300;  // the server ends each watch; it is resumed at once
constexpr int64_t kWatchIdleMs = (kWatchSeconds + 30) * 1000;
constexpr size_t kCollectorLogLimit = 64u << 20;

std::string random_instance() {
  std::random_device rd;
  char buf[17];
  std::snprintf(buf, sizeof buf, "%08x%08x", rd(), rd());
  return buf;
}

struct Step {
  StepRequest request;
  std::function<void(StepResult)> done;
  std::string pod_name;
  std::vector<std::string> secret_names;
  std::vector<std::string> output_host_paths;
  bool created = false;
  bool finishing = false;  // a worker is reading its logs; later events are ignored
  std::string kill_reason;
};

class KubernetesExecutor : public Executor {
 public:
  explicit KubernetesExecutor(KubernetesExecutorOptions options)
      : options_(std::move(options)), client_(options_.credentials) {
    if (options_.policy.executor_instance.empty()) options_.policy.executor_instance = random_instance();
    if (options_.policy.namespace_name.empty()) options_.policy.namespace_name = options_.credentials.namespace_name;
    if (options_.policy.namespace_name.empty()) options_.policy.namespace_name = "default";
    // It becomes part of every URL: only a valid namespace name may.
    if (dns_subdomain(options_.policy.namespace_name, 63) != options_.policy.namespace_name) {
      throw std::runtime_error("\"" + options_.policy.namespace_name + "\" is not a valid Kubernetes namespace name");
    }
    base_ = "/api/v1/namespaces/" + options_.policy.namespace_name;
    for (int i = 0; i < kWorkers; ++i) workers_.emplace_back([this] { work(); });
    watcher_ = std::thread([this] { watch(); });
  }
  ~KubernetesExecutor() override { shutdown(); }

  void start(StepRequest request, std::function<void(StepResult)> done) override {
    std::string id = request.id;
    {
      std::lock_guard<std::mutex> lock(mutex_);
      if (stopping_) {
        post([done] { done({StepOutcome::StartError, 0, "the executor is shutting down", false}); });
        return;
      }
      auto& step = steps_[id];
      step.request = std::move(request);
      step.done = std::move(done);
    }
    post([this, id] { create(id); });
  }

  void kill(const std::string& id, const std::string& reason) override {
    {
      std::lock_guard<std::mutex> lock(mutex_);
      auto it = steps_.find(id);
      if (it == steps_.end() || !it->second.kill_reason.empty()) return;
      it->second.kill_reason = reason.empty() ? "killed" : reason;
    }
    post([this, id] { stop_step(id); });
  }

  void shutdown() override {
    std::vector<std::string> running;
    {
      std::lock_guard<std::mutex> lock(mutex_);
      if (stopping_) return;
      stopping_ = true;
      for (auto& [id, step] : steps_) running.push_back(id);
    }
    for (const auto& id : running) kill(id, "the executor shut down");
    {
      std::unique_lock<std::mutex> lock(mutex_);
      idle_.wait(lock, [this] { return steps_.empty(); });
    }
    {
      std::lock_guard<std::mutex> lock(queue_mutex_);
      shut_down_ = true;
      queue_cv_.notify_all();
    }
    for (auto& w : workers_) w.join();
    if (watcher_.joinable()) watcher_.join();
  }

 private:
  void post(std::function<void()> task) {
    std::lock_guard<std::mutex> lock(queue_mutex_);
    queue_.push_back(std::move(task));
    queue_cv_.notify_one();
  }

  void work() {
    for (;;) {
      std::function<void()> task;
      {
        std::unique_lock<std::mutex> lock(queue_mutex_);
        queue_cv_.wait(lock, [this] { return !queue_.empty() || shut_down_; });
        if (queue_.empty()) return;
        task = std::move(queue_.front());
        queue_.pop_front();
      }
      // Tasks handle what they expect; anything else (a malformed API object) must not take the
      // engine down with it.
      try {
        task();
      } catch (const std::exception&) {}
    }
  }

  // Ends a step exactly once: its Secrets always go (they may hold secret values), its Pod as
  // podGC says (kept by default, as Argo does, marked completed).
  void finish(const std::string& id, StepResult result, bool delete_pod) {
    Step step;
    {
      std::lock_guard<std::mutex> lock(mutex_);
      auto it = steps_.find(id);
      if (it == steps_.end()) return;
      step = std::move(it->second);
      steps_.erase(it);
      if (!step.pod_name.empty()) by_pod_.erase(step.pod_name);
    }
    for (const auto& s : step.secret_names) client_.request("DELETE", base_ + "/secrets/" + s);
    if (step.created) {
      if (delete_pod) {
        client_.request("DELETE", base_ + "/pods/" + step.pod_name + "?gracePeriodSeconds=0");
      } else {
        client_.request("PATCH", base_ + "/pods/" + step.pod_name,
                        R"({"metadata":{"labels":{"workflows.argoproj.io/completed":"true"}}})");
      }
    }
    step.done(std::move(result));
    std::lock_guard<std::mutex> lock(mutex_);
    idle_.notify_all();
  }

  void create(const std::string& id) {
    StepRequest request;
    {
      std::lock_guard<std::mutex> lock(mutex_);
      auto it = steps_.find(id);
      if (it == steps_.end()) return;
      request = it->second.request;
    }
    auto start_error = [&](const std::string& why) { finish(id, {StepOutcome::StartError, 0, why, false}, false); };
    PodInputs inputs = collect_pod_inputs(request, options_.max_input_bytes);
    if (!inputs.error.empty()) return start_error(inputs.error);
    PodPlan plan = make_pod_plan(request, inputs.files, options_.policy);
    if (!plan.error.empty()) return start_error(plan.error);
    std::string pod_name = plan.pod["metadata"]["name"];
    std::vector<std::string> secrets = {plan.secret["metadata"]["name"].get<std::string>()};
    if (!plan.pull_secret.is_null()) secrets.push_back(plan.pull_secret["metadata"]["name"]);
    {
      std::lock_guard<std::mutex> lock(mutex_);
      auto& step = steps_[id];
      step.pod_name = pod_name;
      step.secret_names = secrets;
      step.output_host_paths = plan.output_host_paths;
      by_pod_[pod_name] = id;
    }
    // Objects of the same name left by an earlier run of the same step (a resumed workflow) are
    // replaced: they belong to an attempt that no longer exists.
    auto create_object = [&](const std::string& kind, const Json& object) -> KubeResponse {
      std::string path = base_ + "/" + kind;
      KubeResponse r = client_.request("POST", path, object.dump());
      if (r.status == 409) {
        client_.request("DELETE", path + "/" + object["metadata"]["name"].get<std::string>() + "?gracePeriodSeconds=0");
        for (int i = 0; i < 30 && r.status == 409; ++i) {
          std::this_thread::sleep_for(std::chrono::seconds(1));
          r = client_.request("POST", path, object.dump());
        }
      }
      return r;
    };
    for (const Json* secret : {&plan.secret, &plan.pull_secret}) {
      if (secret->is_null()) continue;
      KubeResponse r = create_object("secrets", *secret);
      if (!r.ok()) return start_error("cannot create the step's Secret: " + r.describe());
    }
    if (killed(id)) return finish(id, {StepOutcome::Killed, 137, kill_reason(id), false}, false);
    KubeResponse r = create_object("pods", plan.pod);
    if (!r.ok()) return start_error("cannot create the Pod: " + r.describe());
    {
      std::lock_guard<std::mutex> lock(mutex_);
      auto it = steps_.find(id);
      if (it != steps_.end()) it->second.created = true;
    }
    if (killed(id)) stop_step(id);
  }

  bool killed(const std::string& id) { return !kill_reason(id).empty(); }
  std::string kill_reason(const std::string& id) {
    std::lock_guard<std::mutex> lock(mutex_);
    auto it = steps_.find(id);
    return it == steps_.end() ? "" : it->second.kill_reason;
  }

  // kill(): the Pod is deleted at once (no grace), what the step printed so far is kept.
  void stop_step(const std::string& id) {
    std::string pod;
    StepRequest request;
    {
      std::lock_guard<std::mutex> lock(mutex_);
      auto it = steps_.find(id);
      if (it == steps_.end() || it->second.finishing) return;
      if (!it->second.created) return;  // create() sees kill_reason and finishes the step itself
      it->second.finishing = true;
      pod = it->second.pod_name;
      request = it->second.request;
    }
    save_main_log(pod, request);
    finish(id, {StepOutcome::Killed, 137, kill_reason(id), false}, true);
  }

  void save_main_log(const std::string& pod, const StepRequest& request) {
    KubeResponse log = client_.request(
        "GET", base_ + "/pods/" + pod + "/log?container=main&limitBytes=" + std::to_string(request.max_log_bytes), "",
        60000, request.max_log_bytes + 1);
    if (!log.ok()) return;
    // Secret values are masked before the text reaches a file.
    std::string text = request.masker ? request.masker->mask(log.body) : std::move(log.body);
    // The log API merges stdout and stderr: both files get the same text (docs/kubernetes.md).
    if (!request.stdout_path.empty()) std::ofstream(request.stdout_path, std::ios::binary | std::ios::trunc) << text;
    if (!request.log_path.empty()) std::ofstream(request.log_path, std::ios::binary | std::ios::trunc) << text;
  }

  static std::string pod_name_of(const Json& pod) {
    if (!pod.is_object() || !pod.contains("metadata") || !pod["metadata"].is_object()) return "";
    const Json& meta = pod["metadata"];
    return meta.contains("name") && meta["name"].is_string() ? meta["name"].get<std::string>() : "";
  }

  void on_pod(const Json& pod) {
    std::string name = pod_name_of(pod);
    PodProgress progress = read_pod_progress(pod);
    if (progress.state == PodState::Running) return;
    std::string id;
    {
      std::lock_guard<std::mutex> lock(mutex_);
      auto it = by_pod_.find(name);
      if (it == by_pod_.end()) return;
      auto st = steps_.find(it->second);
      if (st == steps_.end() || st->second.finishing || !st->second.created) return;
      st->second.finishing = true;
      id = it->second;
    }
    post([this, id, name, progress] { collect(id, name, progress); });
  }

  void on_pod_deleted(const Json& pod) {
    std::string name = pod_name_of(pod);
    std::string id;
    {
      std::lock_guard<std::mutex> lock(mutex_);
      auto it = by_pod_.find(name);
      if (it == by_pod_.end()) return;
      auto st = steps_.find(it->second);
      if (st == steps_.end() || st->second.finishing || !st->second.created) return;
      st->second.finishing = true;
      id = it->second;
    }
    post([this, id] {
      finish(id, {StepOutcome::StartError, 0, "the Pod was deleted by someone else before it ended", false}, false);
    });
  }

  void collect(const std::string& id, const std::string& pod, const PodProgress& progress) {
    StepRequest request;
    std::vector<std::string> host_paths;
    {
      std::lock_guard<std::mutex> lock(mutex_);
      auto it = steps_.find(id);
      if (it == steps_.end()) return;
      request = it->second.request;
      host_paths = it->second.output_host_paths;
    }
    const std::string& gc = request.pod_gc_strategy;
    if (progress.state == PodState::CannotStart || !progress.main_terminated) {
      return finish(id, {StepOutcome::StartError, 0, progress.message, false}, true);
    }
    save_main_log(pod, request);
    StepResult result{StepOutcome::Exited, progress.main_exit_code,
                      progress.main_reason == "OOMKilled" ? "OOMKilled" : "", false};
    if (progress.main_exit_code == 0 && !host_paths.empty()) {
      if (!progress.collector_succeeded) {
        result = {StepOutcome::StartError, 0, "the output collector container did not finish; outputs are lost", false};
      } else {
        KubeResponse log = client_.request("GET", base_ + "/pods/" + pod + "/log?container=rampart-outputs", "", 120000,
                                           kCollectorLogLimit);
        std::string error;
        if (!log.ok()) error = "cannot read the output collector's log: " + log.describe();
        DecodedOutputs decoded;
        if (error.empty()) decoded = decode_output_frames(log.body);
        if (error.empty()) error = decoded.error;
        if (error.empty()) error = write_collected_files(decoded, host_paths);
        if (!error.empty()) result = {StepOutcome::StartError, 0, error, false};
      }
    }
    bool succeeded = result.outcome == StepOutcome::Exited && result.exit_code == 0;
    bool delete_pod = gc == "OnPodCompletion" || (gc == "OnPodSuccess" && succeeded);
    finish(id, std::move(result), delete_pod);
  }

  bool watcher_should_stop() { return shut_down_; }

  // List, then watch from the list's resourceVersion; on 410 Gone list again, on any other end
  // resume from the last version seen (bookmarks keep it fresh while nothing changes).
  void watch() {
    const std::string selector = "labelSelector=rampart.io%2Fexecutor%3D" + options_.policy.executor_instance;
    std::string version;
    int failures = 0;
    while (!watcher_should_stop()) {
      if (version.empty()) {
        KubeResponse list = client_.request("GET", base_ + "/pods?" + selector);
        Json parsed = list.ok() ? Json::parse(list.body, nullptr, false) : Json();
        Json meta = parsed.is_object() && parsed.contains("metadata") ? parsed["metadata"] : Json();
        if (!meta.is_object() || !meta.contains("resourceVersion") || !meta["resourceVersion"].is_string()) {
          backoff(++failures);
          continue;
        }
        version = meta["resourceVersion"];
        if (parsed.contains("items") && parsed["items"].is_array()) {
          for (const auto& pod : parsed["items"]) on_pod(pod);
        }
      }
      WatchEventParser parser;
      bool expired = false;
      auto handle = [&](const std::vector<WatchEvent>& events) {
        for (const auto& e : events) {
          if (!e.resource_version.empty()) version = e.resource_version;
          if (e.type == "ERROR" && e.expired)
            expired = true;
          else if (e.type == "DELETED")
            on_pod_deleted(e.object);
          else if (e.type == "ADDED" || e.type == "MODIFIED")
            on_pod(e.object);
        }
      };
      KubeResponse r = client_.stream(
          base_ + "/pods?" + selector + "&watch=1&allowWatchBookmarks=true&timeoutSeconds=" +
              std::to_string(kWatchSeconds) + "&resourceVersion=" + version,
          [&](const char* data, size_t size) { handle(parser.feed(data, size)); },
          [this] { return watcher_should_stop(); }, kWatchIdleMs);
      handle(parser.finish());
      if (expired || r.status == 410) version.clear();
      if (!r.ok())
        backoff(++failures);
      else
        failures = 0;
    }
  }

  void backoff(int failures) {
    auto wait = std::chrono::milliseconds(std::min(10000, 250 * (1 << std::min(failures, 6))));
    auto until = std::chrono::steady_clock::now() + wait;
    while (std::chrono::steady_clock::now() < until && !watcher_should_stop()) {
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
  }

  KubernetesExecutorOptions options_;
  KubeClient client_;
  std::string base_;
  std::mutex mutex_;
  std::condition_variable idle_;
  std::map<std::string, Step> steps_;
  std::map<std::string, std::string> by_pod_;
  bool stopping_ = false;
  std::atomic<bool> shut_down_{false};
  std::mutex queue_mutex_;
  std::condition_variable queue_cv_;
  std::deque<std::function<void()>> queue_;
  std::vector<std::thread> workers_;
  std::thread watcher_;
};

}  // namespace

std::unique_ptr<Executor> make_kubernetes_executor(KubernetesExecutorOptions options) {
  return std::make_unique<KubernetesExecutor>(std::move(options));
}

}  // namespace rampart::exec::kube
