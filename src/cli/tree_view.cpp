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

const TreeNode* find_node(const TreeNodes& nodes, const std::string& id) {
  auto it = nodes.find(id);
  return it == nodes.end() ? nullptr : &it->second;
}

class TreeBuilder {
 public:
  TreeBuilder(const TreeNodes& nodes, int64_t now, bool all) : nodes_(nodes), now_(now), all_(all) {
    for (const auto& [id, n] : nodes) {
      if (!n.boundary.empty()) by_boundary_[n.boundary].push_back(id);
    }
    for (auto& [b, ids] : by_boundary_) {
      std::sort(ids.begin(), ids.end(), [&](const std::string& a, const std::string& c) {
        const TreeNode& na = nodes_.at(a);
        const TreeNode& nc = nodes_.at(c);
        if (na.started_ms != nc.started_ms) return na.started_ms < nc.started_ms;
        if (na.display_name != nc.display_name) return natural_less(na.display_name, nc.display_name);
        return a < c;
      });
      find_nested(ids);
    }
  }

  void add(const std::string& id, const std::string& prefix, bool last, bool root, std::vector<Row>& rows) {
    // Each node is shown once, so the tree has at most as many rows as the workflow has nodes
    // (a node reachable along several paths would otherwise multiply them).
    const TreeNode* n = find_node(nodes_, id);
    if (!n || !shown_.insert(id).second) return;
    std::vector<std::string> kids = display_children(*n);
    if (n->type == "StepGroup" || n->type == "TaskGroup") {
      // Groups are structure, not work: show their children in their place.
      add_children(kids, prefix, last, rows);
      return;
    }
    std::string branch = root ? " " : prefix + (last ? "└─" : "├─");
    Row r;
    r.step = branch + symbol(n->phase) + " " + (root ? n->name : n->display_name);
    r.tmpl = n->template_name;
    r.pod = n->type == "Pod" ? n->pod_name : "";
    if (n->started_ms && (n->type == "Pod" || n->type == "Container" || n->type == "Suspend"))
      r.duration = format_duration((n->finished_ms ? n->finished_ms : now_) - n->started_ms);
    r.message = n->message;
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
      const TreeNode* k = find_node(nodes_, kid);
      const std::string phase = k ? k->phase : "";
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

  std::string type_of(const std::string& id) const {
    const TreeNode* n = find_node(nodes_, id);
    return n ? n->type : "";
  }

  std::vector<std::string> display_children(const TreeNode& n) const {
    std::vector<std::string> out;
    if (n.type == "Steps") {
      // Follow the chain of step groups: group -> its steps -> next group.
      std::string group = n.children.empty() ? "" : n.children.front();
      std::set<std::string> seen;
      while (!group.empty() && find_node(nodes_, group) && seen.insert(group).second) {
        out.push_back(group);
        std::string next;
        for (const auto& step : find_node(nodes_, group)->children) {
          const TreeNode* s = find_node(nodes_, step);
          if (!s) continue;
          for (const auto& c : s->children) {
            if (type_of(c) == "StepGroup") next = c;
          }
        }
        group = next;
      }
      return out;
    }
    if (n.type == "DAG") {
      auto it = by_boundary_.find(n.id);
      if (it == by_boundary_.end()) return out;
      for (const auto& c : it->second) {
        if (!nested_.count(c)) out.push_back(c);
      }
      return out;
    }
    for (const auto& cid : n.children) {
      const TreeNode* c = find_node(nodes_, cid);
      if (!c) continue;
      if (c->type == "StepGroup") continue;  // the next group of a steps template
      const bool exit_handler = c->name.ends_with(".onExit");
      if (n.type == "Retry" && !c->name.starts_with(n.name + "(") && !exit_handler) {
        continue;  // a DAG dependent, shown under the DAG itself
      }
      if (n.type != "Retry" && n.type != "TaskGroup" && n.type != "Pod" && n.type != "StepGroup" &&
          c->boundary != n.boundary && !exit_handler) {
        continue;
      }
      if (is_dag_dependent(n, *c)) continue;  // shown under the DAG itself, in start order
      out.push_back(cid);
    }
    return out;
  }

  // A task of the same DAG listed among a task's children: Argo lists a task's dependents there.
  bool is_dag_dependent(const TreeNode& n, const TreeNode& child) const {
    if (n.boundary.empty() || nested_.count(child.id) || type_of(n.boundary) != "DAG") return false;
    return child.boundary == n.boundary;
  }

  // Nodes of a DAG's boundary shown under another node of it rather than under the DAG: loop
  // items and attempts under their TaskGroup / Retry, exit handlers under their step. One pass
  // over the children of the boundary's nodes, so a DAG of n tasks renders in O(n log n).
  void find_nested(const std::vector<std::string>& boundary_ids) {
    for (const auto& other : boundary_ids) {
      const TreeNode& on = nodes_.at(other);
      const std::string own_prefix = on.name + "(";
      for (const auto& cid : on.children) {
        if (cid == other) continue;
        const TreeNode* c = find_node(nodes_, cid);
        if (!c || c->boundary != on.boundary) continue;  // shown in its own DAG
        bool own = (on.type == "TaskGroup" || on.type == "Retry") && c->name.starts_with(own_prefix);
        if (own || c->name.ends_with(".onExit")) nested_.insert(cid);
      }
    }
  }

  const TreeNodes& nodes_;
  int64_t now_;
  bool all_;
  std::set<std::string> shown_;
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

TreeNode tree_node(const std::string& id, const Json& n) {
  TreeNode t;
  t.id = id;
  t.name = n.value("name", "");
  t.display_name = n.value("displayName", "");
  t.type = n.value("type", "");
  t.phase = n.value("phase", "");
  t.boundary = n.value("boundaryID", "");
  t.template_name = n.value("templateName", "");
  t.pod_name = n.value("podName", "");
  t.message = n.value("message", "");
  // Milliseconds when the engine kept them, else Argo's seconds.
  const auto ms = [&](const char* exact, const char* argo) {
    auto it = n.find(exact);
    return it != n.end() && it->is_number_integer() ? it->get<int64_t>() : parse_time(n.value(argo, ""));
  };
  t.started_ms = ms("startedAtMs", "startedAt");
  t.finished_ms = ms("finishedAtMs", "finishedAt");
  if (auto it = n.find("children"); it != n.end() && it->is_array()) {
    for (const auto& c : *it) {
      if (c.is_string()) t.children.push_back(c.get<std::string>());
    }
  }
  return t;
}

TreeNodes tree_nodes(const Json& nodes) {
  TreeNodes out;
  if (!nodes.is_object()) return out;
  for (auto it = nodes.begin(); it != nodes.end(); ++it) out.emplace(it.key(), tree_node(it.key(), it.value()));
  return out;
}

std::string render_workflow(const Json& wf, int64_t now_ms, size_t width, bool all) {
  return render_workflow(wf, tree_nodes(wf.value("status", Json::object()).value("nodes", Json::object())), now_ms,
                         width, all);
}

std::string render_workflow(const Json& wf, const TreeNodes& nodes, int64_t now_ms, size_t width, bool all) {
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
  if (nodes.empty()) return out.str();
  std::vector<Row> rows;
  TreeBuilder tree(nodes, now_ms, all);
  tree.add(name, "", true, true, rows);
  std::string onexit = name + ".onExit";
  for (const auto& [id, n] : nodes) {
    if (n.name == onexit) tree.add(id, "", true, true, rows);
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
