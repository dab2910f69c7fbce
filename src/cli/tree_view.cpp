#include "cli/tree_view.h"

#include <sys/ioctl.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <string_view>
#include <ctime>
#include <map>
#include <set>
#include <sstream>
#include <vector>

namespace rampart::cli {
namespace {

using Json = nlohmann::json;

int64_t parse_time(const std::string& text) {
  if (text.empty()) return 0;
  std::tm tm{};
  if (!strptime(text.c_str(), "%Y-%m-%dT%H:%M:%SZ", &tm)) return 0;
  return static_cast<int64_t>(timegm(&tm)) * 1000;
}

const char* symbol(const std::string& phase) {
  if (phase == "Succeeded") return "✔";
  if (phase == "Failed") return "✖";
  if (phase == "Error") return "⚠";
  if (phase == "Skipped" || phase == "Omitted") return "○";
  if (phase == "Running") return "●";
  return "◷";
}

// Columns are measured in characters, not bytes: the symbols above are multi-byte.
size_t display_width(const std::string& s) {
  size_t n = 0;
  for (unsigned char c : s) n += (c & 0xC0) != 0x80;
  return n;
}

std::string pad(const std::string& s, size_t width) {
  size_t w = display_width(s);
  return w >= width ? s + " " : s + std::string(width - w + 1, ' ');
}

std::string cut(const std::string& s, size_t width) {
  if (width == 0 || display_width(s) <= width) return s;
  std::string out;
  size_t n = 0;
  for (unsigned char c : s) {
    if ((c & 0xC0) != 0x80) {
      if (n == width - 1) break;
      ++n;
    }
    out += static_cast<char>(c);
  }
  return out + "…";
}

struct Row {
  std::string step, tmpl, pod, duration, message;
};

// Children shown of a collapsed node: the first kHead in order, then those that did not succeed,
// at most kNotSucceeded of them; the rest are counted.
constexpr size_t kHead = 5;
constexpr size_t kNotSucceeded = 20;

bool quietly_done(const std::string& phase) { return phase == "Succeeded" || phase == "Skipped" || phase == "Omitted"; }

// "9,990"
std::string with_commas(size_t n) {
  std::string digits = std::to_string(n), out;
  for (size_t i = 0; i < digits.size(); ++i) {
    if (i && (digits.size() - i) % 3 == 0) out += ',';
    out += digits[i];
  }
  return out;
}

// Names with numbers in them in the order people count: t(2) before t(10).
bool natural_less(const std::string& a, const std::string& b) {
  size_t i = 0, j = 0;
  while (i < a.size() && j < b.size()) {
    if (std::isdigit(static_cast<unsigned char>(a[i])) && std::isdigit(static_cast<unsigned char>(b[j]))) {
      size_t ei = i, ej = j;
      while (ei < a.size() && std::isdigit(static_cast<unsigned char>(a[ei]))) ++ei;
      while (ej < b.size() && std::isdigit(static_cast<unsigned char>(b[ej]))) ++ej;
      std::string_view na(a.data() + i, ei - i), nb(b.data() + j, ej - j);
      while (na.size() > 1 && na.front() == '0') na.remove_prefix(1);
      while (nb.size() > 1 && nb.front() == '0') nb.remove_prefix(1);
      if (na.size() != nb.size()) return na.size() < nb.size();
      if (na != nb) return na < nb;
      i = ei;
      j = ej;
      continue;
    }
    if (a[i] != b[j]) return a[i] < b[j];
    ++i;
    ++j;
  }
  return a.size() - i < b.size() - j;
}

class TreeBuilder {
 public:
  TreeBuilder(const Json& nodes, int64_t now, bool all) : nodes_(nodes), now_(now), all_(all) {
    for (auto it = nodes.begin(); it != nodes.end(); ++it) {
      const Json& n = it.value();
      std::string boundary = n.value("boundaryID", "");
      if (!boundary.empty()) by_boundary_[boundary].push_back(it.key());
    }
    for (auto& [b, ids] : by_boundary_) {
      std::stable_sort(ids.begin(), ids.end(), [&](const std::string& a, const std::string& c) {
        const int64_t sa = started(a), sc = started(c);
        return sa != sc ? sa < sc : natural_less(display_name(a), display_name(c));
      });
      find_nested(ids);
    }
  }

  void add(const std::string& id, const std::string& prefix, bool last, bool root, std::vector<Row>& rows) {
    // Each node is shown once, so the tree has at most as many rows as the workflow has nodes
    // (a node reachable along several paths would otherwise multiply them).
    if (!nodes_.contains(id) || !shown_.insert(id).second) return;
    const Json& n = nodes_[id];
    std::string type = n.value("type", "");
    std::vector<std::string> kids = display_children(id);
    if (type == "StepGroup" || type == "TaskGroup") {
      // Groups are structure, not work: show their children in their place.
      add_children(kids, prefix, last, rows);
      return;
    }
    std::string branch = root ? " " : prefix + (last ? "└─" : "├─");
    Row r;
    r.step = branch + symbol(n.value("phase", "")) + " " + (root ? n.value("name", "") : n.value("displayName", ""));
    r.tmpl = n.value("templateName", "");
    r.pod = type == "Pod" ? n.value("podName", "") : "";
    int64_t s = parse_time(n.value("startedAt", "")), f = parse_time(n.value("finishedAt", ""));
    if (s && (type == "Pod" || type == "Container" || type == "Suspend"))
      r.duration = format_duration((f ? f : now_) - s);
    r.message = n.value("message", "");
    rows.push_back(r);
    add_children(kids, root ? " " : prefix + (last ? "  " : "│ "), true, rows);
  }

 private:
  // `last_in_parent`: whether the last of these rows ends its parent's list (a group's children
  // stand in the group's place).
  void add_children(const std::vector<std::string>& kids, const std::string& prefix, bool last_in_parent,
                    std::vector<Row>& rows) {
    std::vector<std::string> shown;
    std::map<std::string, size_t> hidden;  // phase -> count
    size_t hidden_total = 0, not_succeeded = 0;
    for (const auto& kid : kids) {
      const std::string phase = nodes_.contains(kid) ? nodes_[kid].value("phase", "") : "";
      const bool keep = all_ || kids.size() <= kCollapseAbove || shown.size() < kHead ||
                        (!quietly_done(phase) && not_succeeded < kNotSucceeded);
      if (keep) {
        if (!all_ && shown.size() >= kHead) ++not_succeeded;
        shown.push_back(kid);
      } else {
        ++hidden[phase.empty() ? "Pending" : phase];
        ++hidden_total;
      }
    }
    for (size_t i = 0; i < shown.size(); ++i) {
      add(shown[i], prefix, last_in_parent && hidden_total == 0 && i + 1 == shown.size(), false, rows);
    }
    if (hidden_total == 0) return;
    Row more;
    more.step = prefix + (last_in_parent ? "└─" : "├─") + "… " + with_commas(hidden_total) + " more";
    for (const auto& [phase, count] : hidden) {
      more.message += (more.message.empty() ? "" : ", ") + with_commas(count) + " " + phase;
    }
    more.message += " (--all shows them)";
    rows.push_back(more);
  }

  std::string display_name(const std::string& id) const {
    return nodes_.contains(id) ? nodes_[id].value("displayName", "") : "";
  }

  std::set<std::string> shown_;

  // Milliseconds when the engine kept them (startedAtMs), else Argo's seconds.
  int64_t started(const std::string& id) const {
    if (!nodes_.contains(id)) return 0;
    const Json& n = nodes_[id];
    if (n.contains("startedAtMs") && n["startedAtMs"].is_number_integer()) return n["startedAtMs"].get<int64_t>();
    return parse_time(n.value("startedAt", ""));
  }

  std::vector<std::string> display_children(const std::string& id) const {
    const Json& n = nodes_[id];
    std::string type = n.value("type", "");
    std::vector<std::string> out;
    if (type == "Steps") {
      // Follow the chain of step groups: group -> its steps -> next group.
      std::string group = n.contains("children") && !n["children"].empty() ? n["children"][0].get<std::string>() : "";
      std::vector<std::string> seen;
      while (!group.empty() && nodes_.contains(group) && std::find(seen.begin(), seen.end(), group) == seen.end()) {
        seen.push_back(group);
        out.push_back(group);
        std::string next;
        for (const auto& step : nodes_[group].value("children", Json::array())) {
          for (const auto& c : nodes_.contains(step.get<std::string>())
                                   ? nodes_[step.get<std::string>()].value("children", Json::array())
                                   : Json::array()) {
            if (nodes_.contains(c.get<std::string>()) && nodes_[c.get<std::string>()].value("type", "") == "StepGroup")
              next = c;
          }
        }
        group = next;
      }
      return out;
    }
    if (type == "DAG") {
      auto it = by_boundary_.find(id);
      if (it == by_boundary_.end()) return out;
      for (const auto& c : it->second) {
        if (!nested_.count(c)) out.push_back(c);
      }
      return out;
    }
    for (const auto& c : n.value("children", Json::array())) {
      std::string cid = c.get<std::string>();
      if (!nodes_.contains(cid)) continue;
      std::string ct = nodes_[cid].value("type", "");
      if (ct == "StepGroup") continue;  // the next group of a steps template
      if (type == "Retry" && !nodes_[cid].value("name", "").starts_with(n.value("name", "") + "(") &&
          !nodes_[cid].value("name", "").ends_with(".onExit")) {
        continue;  // a DAG dependent, shown under the DAG itself
      }
      if (type != "Retry" && type != "TaskGroup" && type != "Pod" && type != "StepGroup" &&
          nodes_[cid].value("boundaryID", "") != n.value("boundaryID", "") &&
          !nodes_[cid].value("name", "").ends_with(".onExit")) {
        continue;
      }
      if (is_dag_dependent(n, cid)) continue;  // shown under the DAG itself, in start order
      out.push_back(cid);
    }
    return out;
  }

  // A task of the same DAG listed among a task's children: Argo lists a task's dependents there.
  bool is_dag_dependent(const Json& n, const std::string& child) const {
    const std::string boundary = n.value("boundaryID", "");
    if (boundary.empty() || nested_.count(child) || !nodes_.contains(boundary)) return false;
    if (nodes_[boundary].value("type", "") != "DAG") return false;
    return nodes_[child].value("boundaryID", "") == boundary;
  }

  // Nodes of a DAG's boundary shown under another node of it rather than under the DAG: loop
  // items and attempts under their TaskGroup / Retry, exit handlers under their step. One pass
  // over the children of the boundary's nodes, so a DAG of n tasks renders in O(n log n).
  void find_nested(const std::vector<std::string>& boundary_ids) {
    for (const auto& other : boundary_ids) {
      const Json& on = nodes_[other];
      auto children = on.find("children");
      if (children == on.end() || !children->is_array()) continue;
      const std::string type = on.value("type", "");
      const std::string own_prefix = on.value("name", "") + "(";
      for (const auto& child : *children) {
        if (!child.is_string() || child.get_ref<const std::string&>() == other) continue;
        const std::string& cid = child.get_ref<const std::string&>();
        auto found = nodes_.find(cid);
        if (found == nodes_.end()) continue;
        if (found->value("boundaryID", "") != on.value("boundaryID", "")) continue;  // shown in its own DAG
        const std::string name = found->value("name", "");
        bool own = (type == "TaskGroup" || type == "Retry") && name.starts_with(own_prefix);
        if (own || name.ends_with(".onExit")) nested_.insert(cid);
      }
    }
  }

  const Json& nodes_;
  int64_t now_;
  bool all_;
  std::map<std::string, std::vector<std::string>> by_boundary_;
  std::set<std::string> nested_;
};

}  // namespace

size_t terminal_columns(int fd) {
  winsize ws{};
  if (!isatty(fd) || ioctl(fd, TIOCGWINSZ, &ws) != 0) return 0;
  return ws.ws_col;
}

std::string format_duration(int64_t ms) {
  if (ms < 0) ms = 0;
  int64_t s = ms / 1000;
  if (s < 60) return std::to_string(s) + "s";
  if (s < 3600) return std::to_string(s / 60) + "m" + std::to_string(s % 60) + "s";
  if (s < 86400) return std::to_string(s / 3600) + "h" + std::to_string((s % 3600) / 60) + "m";
  return std::to_string(s / 86400) + "d" + std::to_string((s % 86400) / 3600) + "h";
}

std::string render_workflow(const Json& wf, int64_t now_ms, size_t width, bool all) {
  const Json& meta = wf.value("metadata", Json::object());
  const Json& status = wf.value("status", Json::object());
  std::ostringstream out;
  std::string name = meta.value("name", "");
  auto field = [&](const std::string& label, const std::string& value) {
    if (!value.empty()) out << cut(pad(label + ":", 20) + value, width) << "\n";
  };
  field("Name", name);
  field("Namespace", meta.value("namespace", ""));
  field("Status", status.value("phase", "Pending"));
  field("Message", status.value("message", ""));
  int64_t started = parse_time(status.value("startedAt", ""));
  int64_t finished = parse_time(status.value("finishedAt", ""));
  field("Created", meta.value("creationTimestamp", ""));
  field("Started", status.value("startedAt", ""));
  field("Finished", status.value("finishedAt", ""));
  if (started) field("Duration", format_duration((finished ? finished : now_ms) - started));
  field("Progress", status.value("progress", ""));
  const Json& params =
      wf.value("spec", Json::object()).value("arguments", Json::object()).value("parameters", Json::array());
  if (!params.empty()) {
    out << "Parameters:\n";
    for (const auto& p : params) out << cut("  " + p.value("name", "") + ": " + p.value("value", ""), width) << "\n";
  }
  const Json& outputs = status.value("outputs", Json::object()).value("parameters", Json::array());
  if (!outputs.empty()) {
    out << "Outputs:\n";
    for (const auto& p : outputs) out << cut("  " + p.value("name", "") + ": " + p.value("value", ""), width) << "\n";
  }
  const Json& nodes = status.value("nodes", Json::object());
  if (nodes.empty()) return out.str();
  std::vector<Row> rows;
  TreeBuilder tree(nodes, now_ms, all);
  tree.add(name, "", true, true, rows);
  std::string onexit = name + ".onExit";
  for (auto it = nodes.begin(); it != nodes.end(); ++it) {
    if (it.value().value("name", "") == onexit) tree.add(it.key(), "", true, true, rows);
  }
  size_t w_step = 4, w_tmpl = 8, w_pod = 7, w_dur = 8;
  for (const auto& r : rows) {
    w_step = std::max(w_step, display_width(r.step));
    w_tmpl = std::max(w_tmpl, display_width(r.tmpl));
    w_pod = std::max(w_pod, display_width(r.pod));
    w_dur = std::max(w_dur, display_width(r.duration));
  }
  out << "\n"
      << cut(pad("STEP", w_step) + pad("TEMPLATE", w_tmpl) + pad("PODNAME", w_pod) + pad("DURATION", w_dur) + "MESSAGE",
             width)
      << "\n";
  for (const auto& r : rows) {
    out << cut(pad(r.step, w_step) + pad(r.tmpl, w_tmpl) + pad(r.pod, w_pod) + pad(r.duration, w_dur) + r.message,
               width)
        << "\n";
  }
  return out.str();
}

}  // namespace rampart::cli
