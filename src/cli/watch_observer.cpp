#include "cli/watch_observer.h"

#include <sys/ioctl.h>
#include <unistd.h>

#include <iostream>

#include "cli/tree_view.h"
#include "engine/node.h"

namespace rampart::cli {
namespace {

size_t terminal_width() {
  winsize ws{};
  if (ioctl(STDERR_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_col > 0) return ws.ws_col;
  return 120;
}

}  // namespace

WatchObserver::WatchObserver(Mode mode, nlohmann::json manifest)
    : mode_(mode), manifest_(std::move(manifest)), tty_(isatty(STDERR_FILENO) != 0) {}

nlohmann::json WatchObserver::workflow_object() const {
  nlohmann::json wf = manifest_;
  nlohmann::json status = {{"phase", record_.phase.empty() ? "Pending" : record_.phase}};
  if (record_.started_at) status["startedAt"] = engine::format_time(record_.started_at);
  if (record_.finished_at) status["finishedAt"] = engine::format_time(record_.finished_at);
  if (!record_.message.empty()) status["message"] = record_.message;
  if (record_.status.contains("progress")) status["progress"] = record_.status["progress"];
  if (record_.status.contains("outputs")) status["outputs"] = record_.status["outputs"];
  status["nodes"] = nodes_;
  wf["status"] = status;
  return wf;
}

void WatchObserver::node_changed(const engine::Node& node) {
  if (mode_ == Mode::Quiet) return;
  nodes_[node.id] = node.to_json();
  if (node.finished_at) nodes_[node.id]["finishedAt"] = engine::format_time(node.finished_at);
  if (mode_ == Mode::Lines && engine::is_completed(node.phase) &&
      (node.type == engine::NodeType::Pod || node.type == engine::NodeType::Suspend)) {
    std::string line = std::string(engine::to_string(node.phase)) + "  " + node.name;
    if (node.started_at) line += "  (" + format_duration(node.finished_at - node.started_at) + ")";
    if (!node.message.empty()) line += "  " + node.message;
    std::cerr << line << "\n";
  }
  if (mode_ == Mode::Tree) redraw(false);
}

void WatchObserver::workflow_changed(const store::WorkflowRecord& workflow) {
  record_ = workflow;
  if (mode_ == Mode::Tree) redraw(false);
}

void WatchObserver::redraw(bool force) {
  int64_t now = rampart::now_ms();
  if (!force && now - last_draw_ < 200) return;
  last_draw_ = now;
  std::string text = render_workflow(workflow_object(), now, terminal_width());
  if (tty_) {
    // Move up over the previous frame and clear it, then draw the new one.
    if (last_lines_) std::cerr << "\x1b[" << last_lines_ << "F\x1b[J";
    last_lines_ = static_cast<size_t>(std::count(text.begin(), text.end(), '\n'));
    std::cerr << text << std::flush;
  } else if (force) {
    std::cerr << text;
  }
}

void WatchObserver::final_render() {
  if (mode_ == Mode::Tree) {
    redraw(true);
  } else if (mode_ == Mode::Lines) {
    std::cerr << render_workflow(workflow_object(), rampart::now_ms(), terminal_width());
  }
}

}  // namespace rampart::cli
