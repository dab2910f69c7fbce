// Follows a running workflow from inside the engine and shows its progress on stderr:
//   Lines (the default): one line per finished step for the first kStepLines steps (and for
//     steps that did not succeed, up to kProblemLines more), then a status line: rewritten in
//     place when stderr is a terminal, printed every kSummaryEveryMs otherwise. So a run of
//     100,000 steps prints a bounded number of lines, and a small one shows every step.
//   Tree (--watch): the node tree redrawn in place.
// The final tree is not drawn here: run_command prints it on stdout from the store.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <unordered_map>

#include <nlohmann/json.hpp>

#include "cli/tree_view.h"
#include "engine/engine.h"

namespace rampart::cli {

class WatchObserver : public engine::Observer {
 public:
  enum class Mode { Quiet, Lines, Tree };
  static constexpr size_t kStepLines = 50;
  static constexpr size_t kProblemLines = 50;
  static constexpr int64_t kSummaryEveryMs = 10'000;

  WatchObserver(Mode mode, nlohmann::json manifest);

  // --log: each step's log, read from `dir` (<state>/logs/NAMESPACE/WORKFLOW), goes to stdout
  // when the step ends, every line prefixed with the pod's name as `argo submit --log` does.
  // Lines mode only.
  void print_logs_from(std::string dir) { log_dir_ = std::move(dir); }

  void node_changed(const engine::Node& node) override;
  void workflow_changed(const store::WorkflowRecord& workflow) override;
  // Ends the display: the status line is finished with a summary; a live tree is cleared.
  void finish();

 private:
  void step_finished(const engine::Node& node);
  void print_log(const engine::Node& node);
  void show_status();
  std::string status_text() const;
  void redraw();
  nlohmann::json workflow_object() const;

  Mode mode_;
  nlohmann::json manifest_;
  store::WorkflowRecord record_;
  TreeNodes nodes_;  // Tree mode only: what the tree shows of each node, not its JSON
  // Steps (Pod and Suspend nodes) seen, and whether each has been counted as finished: a node
  // is reported again each time it changes, a finished one too.
  std::unordered_map<std::string, bool> steps_;
  std::map<std::string, size_t> finished_;  // phase -> steps
  size_t finished_total_ = 0, step_lines_ = 0, problem_lines_ = 0;
  int64_t started_ms_ = 0;
  int64_t last_draw_ = 0;
  size_t last_lines_ = 0;
  bool status_shown_ = false;  // a status line is on the terminal, to be rewritten
  bool tty_ = false;
  std::string log_dir_;
};

}  // namespace rampart::cli
