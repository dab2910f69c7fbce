// Shared by the steps and DAG runners: turning one step or task into a child invocation
// (template reference, substituted arguments), throttling children by the template's
// `parallelism`, and running a step's own exit handler after it.
#pragma once

#include <deque>
#include <functional>
#include <string>

#include <nlohmann/json.hpp>

#include "expr/expr.h"

namespace rampart::engine {

// Runs at most `limit` children at a time (0 = unlimited), starting the rest in FIFO order.
class ChildThrottle {
 public:
  explicit ChildThrottle(int64_t limit) : limit_(limit) {}
  void submit(std::function<void()> start) {
    if (limit_ <= 0 || running_ < limit_) {
      ++running_;
      start();
    } else {
      waiting_.push_back(std::move(start));
    }
  }
  // A child finished: start the next one waiting, if any.
  void release() {
    --running_;
    if (!waiting_.empty() && (limit_ <= 0 || running_ < limit_)) {
      auto next = std::move(waiting_.front());
      waiting_.pop_front();
      ++running_;
      next();
    }
  }

 private:
  int64_t limit_;
  int64_t running_ = 0;
  std::deque<std::function<void()>> waiting_;
};

// Substitutes the {{...}} in a step's arguments with `scope`; throws expr::ExprError.
nlohmann::json substitute_arguments(const nlohmann::json& arguments, const expr::Scope& scope);

}  // namespace rampart::engine
