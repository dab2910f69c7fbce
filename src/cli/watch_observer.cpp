#include "cli/watch_observer.h"

#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <iostream>

#include "cli/tree_view.h"
#include "engine/node.h"

namespace rampart::cli {
namespace {

// The live view is drawn on stderr; 120 columns when stderr is not a terminal.
size_t terminal_width() {
  const size_t columns = terminal_columns(STDERR_FILENO);
  return columns ? columns : 120;
}

bool is_step(const engine::Node& node) {
  return node.type == engine::NodeType::Pod || node.type == engine::NodeType::Suspend;
}

std::string step_line(const engine::Node& node) {
  std::string line = std::string(engine::to_string(node.phase)) + "  " + node.name;
  if (node.started_at) line += "  (" + format_duration(node.finished_at - node.started_at) + ")";
  if (!node.message.empty()) line += "  " + node.message;
  return line;
}

}  // namespace

WatchObserver::WatchObserver(Mode mode, nlohmann::json manifest)
    : mode_(mode), manifest_(std::move(manifest)), started_ms_(rampart::now_ms()), tty_(isatty(STDERR_FILENO) != 0) {}

nlohmann::json WatchObserver::workflow_object() const {
  nlohmann::json wf = manifest_;
  nlohmann::json status = {{"phase", record_.phase.empty() ? "Pending" : record_.phase}};
  if (record_.started_at) status["startedAt"] = engine::format_time(record_.started_at);
  if (record_.finished_at) status["finishedAt"] = engine::format_time(record_.finished_at);
  if (!record_.message.empty()) status["message"] = record_.message;
  if (record_.status.contains("progress")) status["progress"] = record_.status["progress"];
  if (record_.status.contains("outputs")) status["outputs"] = record_.status["outputs"];
  wf["status"] = status;
  return wf;
}

void WatchObserver::node_changed(const engine::Node& node) {
  if (mode_ == Mode::Quiet) return;
  if (mode_ == Mode::Tree) {
    nodes_[node.id] = tree_node(node.id, node.to_json());
    redraw();
    return;
  }
  if (!is_step(node)) return;
  bool& counted = steps_[node.id];
  if (counted || !engine::is_completed(node.phase)) {
    show_status();
    return;
  }
  counted = true;
  step_finished(node);
  if (!log_dir_.empty()) print_log(node);
}

void WatchObserver::print_log(const engine::Node& node) {
  std::ifstream in(std::filesystem::path(log_dir_) / (node.id + ".log"), std::ios::binary);
  if (!in) return;  // a step that printed nothing has no log
  const std::string prefix = (node.pod_name.empty() ? node.display_name : node.pod_name) + ": ";
  if (status_shown_) std::cerr << "\r\x1b[K" << std::flush;
  status_shown_ = false;
  for (std::string line; std::getline(in, line);) std::cout << prefix << line << "\n";
  std::cout << std::flush;
}

void WatchObserver::step_finished(const engine::Node& node) {
  ++finished_[engine::to_string(node.phase)];
  ++finished_total_;
  const bool problem = node.phase != engine::NodePhase::Succeeded && node.phase != engine::NodePhase::Skipped &&
                       node.phase != engine::NodePhase::Omitted;
  bool print = false, last_step_line = false;
  if (step_lines_ < kStepLines) {
    last_step_line = ++step_lines_ == kStepLines;
    print = true;
  } else if (problem && problem_lines_ < kProblemLines) {
    ++problem_lines_;
    print = true;
  }
  if (print) {
    if (status_shown_) std::cerr << "\r\x1b[K";
    std::cerr << step_line(node) << "\n";
    status_shown_ = false;
    if (last_step_line) {
      std::cerr << "(" << kStepLines << " steps shown: from here on a line only for a step that does not succeed, "
                << "and a count; `rampart get` shows every step)\n";
    }
  }
  show_status();
}

std::string WatchObserver::status_text() const {
  const int64_t elapsed = rampart::now_ms() - started_ms_;
  std::string text = std::to_string(finished_total_) + " steps finished";
  std::string phases;
  for (const auto& [phase, count] : finished_)
    phases += (phases.empty() ? "" : ", ") + std::to_string(count) + " " + phase;
  if (!phases.empty()) text += " (" + phases + ")";
  if (const size_t open = steps_.size() - finished_total_; open > 0)
    text += ", " + std::to_string(open) + " pending or running";
  if (elapsed > 0) text += ", " + std::to_string(finished_total_ * 1000 / static_cast<uint64_t>(elapsed)) + "/s";
  return text + ", " + format_duration(elapsed);
}

void WatchObserver::show_status() {
  // Only once the per-step lines have stopped: a small run shows every step instead.
  if (step_lines_ < kStepLines) return;
  const int64_t now = rampart::now_ms();
  const int64_t every = tty_ ? 200 : kSummaryEveryMs;
  if (now - last_draw_ < every) return;
  last_draw_ = now;
  if (tty_) {
    std::cerr << "\r\x1b[K" << status_text() << std::flush;
    status_shown_ = true;
  } else {
    std::cerr << status_text() << "\n";
  }
}

void WatchObserver::workflow_changed(const store::WorkflowRecord& workflow) {
  record_ = workflow;
  if (mode_ == Mode::Tree) redraw();
}

void WatchObserver::redraw() {
  int64_t now = rampart::now_ms();
  if (now - last_draw_ < 200) return;
  last_draw_ = now;
  if (!tty_) return;  // the final tree is printed on stdout at the end
  std::string text = render_workflow(workflow_object(), nodes_, now, terminal_width(), false);
  // Move up over the previous frame and clear it, then draw the new one.
  if (last_lines_) std::cerr << "\x1b[" << last_lines_ << "F\x1b[J";
  last_lines_ = static_cast<size_t>(std::count(text.begin(), text.end(), '\n'));
  std::cerr << text << std::flush;
}

void WatchObserver::finish() {
  if (mode_ == Mode::Tree) {
    if (tty_ && last_lines_) std::cerr << "\x1b[" << last_lines_ << "F\x1b[J" << std::flush;
    last_lines_ = 0;
  } else if (mode_ == Mode::Lines && step_lines_ >= kStepLines) {
    if (status_shown_) std::cerr << "\r\x1b[K";
    std::cerr << status_text() << "\n";
    status_shown_ = false;
  }
}

}  // namespace rampart::cli
