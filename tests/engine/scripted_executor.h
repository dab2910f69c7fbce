// ScriptedExecutor: an exec::Executor that runs nothing and ends each step at once, from its own
// thread (as a real executor reports from its supervisor thread), in the order steps started.
// How a step ends is written in its arguments, so a workflow under test says what each step does:
//   args [exit, N]          exits with code N
//   args [fail-first, N]    fails (exit 1) the first N times a step of that template starts,
//                           then succeeds (a flaky step, for retries)
//   anything else           succeeds
// Every start is recorded (node name, template, arguments after substitution).
#pragma once

#include <condition_variable>
#include <deque>
#include <functional>
#include <map>
#include <mutex>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "exec/executor.h"

namespace rampart::engine::testing {

struct ScriptedStart {
  std::string node_name;
  std::string template_name;
  std::vector<std::string> args;
};

class ScriptedExecutor : public exec::Executor {
 public:
  ScriptedExecutor() : worker_([this] { work(); }) {}
  ~ScriptedExecutor() override { shutdown(); }

  void start(exec::StepRequest request, std::function<void(exec::StepResult)> done) override {
    std::lock_guard lock(mutex_);
    starts_.push_back({request.node_name, request.template_name, request.args});
    int attempt = ++attempts_[request.template_name];
    exec::StepResult result;
    const auto& a = request.args;
    if (a.size() == 2 && a[0] == "exit") result.exit_code = std::stoi(a[1]);
    if (a.size() == 2 && a[0] == "fail-first" && attempt <= std::stoi(a[1])) result.exit_code = 1;
    queue_.emplace_back(std::move(done), result);
    wake_.notify_all();
  }
  void kill(const std::string&, const std::string&) override {}  // every step ends at once anyway
  void shutdown() override {
    {
      std::lock_guard lock(mutex_);
      if (stopping_) return;
      stopping_ = true;
      wake_.notify_all();
    }
    worker_.join();
  }

  std::vector<ScriptedStart> starts() const {
    std::lock_guard lock(mutex_);
    return starts_;
  }
  // Display names ("b", "c(0:x)") are the node name's last part: what tests compare.
  std::vector<std::string> started_templates() const {
    std::vector<std::string> out;
    for (const auto& s : starts()) out.push_back(s.template_name);
    return out;
  }

 private:
  void work() {
    std::unique_lock lock(mutex_);
    for (;;) {
      wake_.wait(lock, [this] { return stopping_ || !queue_.empty(); });
      if (queue_.empty()) return;
      auto [done, result] = std::move(queue_.front());
      queue_.pop_front();
      lock.unlock();
      done(result);
      lock.lock();
    }
  }

  mutable std::mutex mutex_;
  std::condition_variable wake_;
  std::deque<std::pair<std::function<void(exec::StepResult)>, exec::StepResult>> queue_;
  std::vector<ScriptedStart> starts_;
  std::map<std::string, int> attempts_;
  bool stopping_ = false;
  std::thread worker_;
};

}  // namespace rampart::engine::testing
