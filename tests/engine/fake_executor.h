// FakeExecutor: an exec::Executor that runs nothing. Steps it is given stay "running" until the
// test's release rule lets them end (Succeeded, exit code 0), so tests can see exactly how many
// steps an engine keeps running at once, with no processes and no sleeps.
//
// Rule: the oldest running step ends as soon as `hold` steps are running, or once every one of
// the `expected` steps has been started (so the tail of a run drains). Completions are reported
// from the fake's own thread, as a real executor reports from its supervisor thread.
#pragma once

#include <algorithm>
#include <condition_variable>
#include <deque>
#include <functional>
#include <mutex>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "exec/executor.h"

namespace rampart::engine::testing {

class FakeExecutor : public exec::Executor {
 public:
  FakeExecutor(int64_t hold, int64_t expected) : hold_(hold), expected_(expected), worker_([this] { work(); }) {}
  ~FakeExecutor() override { shutdown(); }

  void start(exec::StepRequest request, std::function<void(exec::StepResult)> done) override {
    std::lock_guard lock(mutex_);
    started_ids_.push_back(request.id);
    running_.push_back({request.id, std::move(done)});
    max_running_ = std::max<int64_t>(max_running_, static_cast<int64_t>(running_.size()));
    wake_.notify_all();
  }

  void kill(const std::string& id, const std::string& reason) override {
    std::lock_guard lock(mutex_);
    for (auto& r : running_) {
      if (r.id == id) r.kill_reason = reason.empty() ? "killed" : reason;
    }
    wake_.notify_all();
  }

  void shutdown() override {
    {
      std::lock_guard lock(mutex_);
      if (stopping_) return;
      stopping_ = true;
      wake_.notify_all();
    }
    worker_.join();
  }

  int64_t max_running() const {
    std::lock_guard lock(mutex_);
    return max_running_;
  }
  std::vector<std::string> started_ids() const {
    std::lock_guard lock(mutex_);
    return started_ids_;
  }

 private:
  struct Running {
    std::string id;
    std::function<void(exec::StepResult)> done;
    std::string kill_reason;
  };

  bool may_end_one() const {
    if (running_.empty()) return false;
    if (stopping_) return true;
    bool killed =
        std::any_of(running_.begin(), running_.end(), [](const Running& r) { return !r.kill_reason.empty(); });
    return killed || static_cast<int64_t>(running_.size()) >= hold_ ||
           static_cast<int64_t>(started_ids_.size()) >= expected_;
  }

  void work() {
    std::unique_lock lock(mutex_);
    for (;;) {
      wake_.wait(lock, [this] { return may_end_one() || (stopping_ && running_.empty()); });
      if (running_.empty()) return;  // stopping with nothing left
      auto it = std::find_if(running_.begin(), running_.end(), [](const Running& r) { return !r.kill_reason.empty(); });
      if (it == running_.end()) it = running_.begin();
      Running ended = std::move(*it);
      running_.erase(it);
      lock.unlock();
      exec::StepResult result;
      if (!ended.kill_reason.empty()) result = {exec::StepOutcome::Killed, 137, ended.kill_reason, false};
      ended.done(result);
      lock.lock();
    }
  }

  const int64_t hold_;
  const int64_t expected_;
  mutable std::mutex mutex_;
  std::condition_variable wake_;
  std::deque<Running> running_;
  std::vector<std::string> started_ids_;
  int64_t max_running_ = 0;
  bool stopping_ = false;
  std::thread worker_;
};

}  // namespace rampart::engine::testing
