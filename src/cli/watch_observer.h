// Follows a running workflow from inside the engine: redraws the node tree (--watch) or prints
// a line per finished step (the default), so a long run always shows progress.
#pragma once

#include <cstdint>
#include <map>
#include <string>

#include <nlohmann/json.hpp>

#include "engine/engine.h"

namespace rampart::cli {

class WatchObserver : public engine::Observer {
 public:
  enum class Mode { Quiet, Lines, Tree };
  WatchObserver(Mode mode, nlohmann::json manifest);

  void node_changed(const engine::Node& node) override;
  void workflow_changed(const store::WorkflowRecord& workflow) override;
  void final_render();

 private:
  void redraw(bool force);
  nlohmann::json workflow_object() const;

  Mode mode_;
  nlohmann::json manifest_;
  store::WorkflowRecord record_;
  nlohmann::json nodes_ = nlohmann::json::object();
  int64_t last_draw_ = 0;
  size_t last_lines_ = 0;
  bool tty_ = false;
};

}  // namespace rampart::cli
