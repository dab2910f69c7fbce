// DAG templates: task names, where tasks point, `dependencies` / `depends` (parsed, every task
// known, no cycles), and `target`.
#include <map>
#include <set>

#include "expr/expr.h"
#include "spec/validate_internal.h"

namespace rampart::spec::validation {

std::vector<std::string> task_dependencies(const DagTask& task) {
  std::vector<std::string> names = task.dependencies;
  if (!task.depends.empty()) {
    try {
      const expr::DependsExpr parsed = expr::parse_depends(task.depends);
      for (const auto& name : parsed.tasks()) names.push_back(name);
    } catch (const expr::ExprError&) {
      // Reported by check_depends; the names that did parse are of no use for cycles.
    }
  }
  return names;
}

namespace {

bool is_name_char(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '_';
}

// Byte offset of `name` as a whole word in `text` (depends may also say "A.Succeeded").
size_t find_word(std::string_view text, std::string_view name) {
  for (size_t at = text.find(name); at != std::string_view::npos; at = text.find(name, at + 1)) {
    const bool starts = at == 0 || !is_name_char(text[at - 1]);
    const size_t after = at + name.size();
    const bool ends = after == text.size() || !is_name_char(text[after]);
    if (starts && ends) return at;
  }
  return 0;
}

void check_depends(const Checker& checker, const DagTask& task, const std::set<std::string, std::less<>>& names,
                   const std::string& path) {
  if (!task.depends.empty() && !task.dependencies.empty()) {
    checker.report(path + ".depends", "use either dependencies or depends, not both");
  }
  for (size_t i = 0; i < task.dependencies.size(); ++i) {
    if (!names.count(task.dependencies[i])) {
      checker.report(path + ".dependencies[" + std::to_string(i) + "]", "unknown task " + quote(task.dependencies[i]));
    }
  }
  if (task.depends.empty()) return;
  try {
    const auto parsed = expr::parse_depends(task.depends);
    for (const auto& name : parsed.tasks()) {
      if (!names.count(name)) {
        checker.report_at(path + ".depends", find_word(task.depends, name), "unknown task " + quote(name));
      }
    }
  } catch (const expr::ExprError& error) {
    const size_t offset = error.column() > 0 ? error.column() - 1 : 0;
    checker.report_at(path + ".depends", offset, std::string("invalid depends: ") + error.what());
  }
}

// Reports the first dependency cycle, following tasks in their written order.
void check_cycles(const Checker& checker, const std::vector<DagTask>& tasks, const std::string& path) {
  std::map<std::string, size_t, std::less<>> index;
  for (size_t i = 0; i < tasks.size(); ++i) index.emplace(tasks[i].name, i);
  std::vector<std::vector<size_t>> edges(tasks.size());
  for (size_t i = 0; i < tasks.size(); ++i) {
    for (const auto& dependency : task_dependencies(tasks[i])) {
      auto found = index.find(dependency);
      if (found != index.end()) edges[i].push_back(found->second);
    }
  }
  enum class Mark { New, OnPath, Done };
  std::vector<Mark> marks(tasks.size(), Mark::New);
  std::vector<size_t> trail;
  bool reported = false;

  auto visit = [&](auto&& self, size_t node) -> void {
    marks[node] = Mark::OnPath;
    trail.push_back(node);
    for (size_t next : edges[node]) {
      if (reported) break;
      if (marks[next] == Mark::OnPath) {
        std::string cycle;
        size_t start = 0;
        while (trail[start] != next) ++start;
        for (size_t k = start; k < trail.size(); ++k) cycle += tasks[trail[k]].name + " -> ";
        cycle += tasks[next].name;
        const std::string task_path = path + "[" + std::to_string(next) + "]";
        checker.report(task_path + (tasks[next].depends.empty() ? ".dependencies" : ".depends"),
                       "dependency cycle: " + cycle);
        reported = true;
      } else if (marks[next] == Mark::New) {
        self(self, next);
      }
    }
    trail.pop_back();
    marks[node] = Mark::Done;
  };
  for (size_t i = 0; i < tasks.size() && !reported; ++i) {
    if (marks[i] == Mark::New) visit(visit, i);
  }
}

}  // namespace

void check_dag(const Checker& checker, const Template& tmpl, const std::string& path) {
  const auto& dag = *tmpl.dag;
  const std::string tasks_path = path + ".dag.tasks";
  std::set<std::string, std::less<>> names;
  for (size_t i = 0; i < dag.tasks.size(); ++i) {
    const DagTask& task = dag.tasks[i];
    const std::string task_path = tasks_path + "[" + std::to_string(i) + "]";
    if (task.name.empty()) {
      checker.report(task_path + ".name", "task name is required");
    } else if (!is_valid_field_name(task.name)) {
      checker.report(task_path + ".name", "task name " + quote(task.name) +
                                              " is invalid: use letters, digits and '-', "
                                              "starting with a letter or digit");
    } else if (!names.insert(task.name).second) {
      checker.report(task_path + ".name", "duplicate task name " + quote(task.name));
    }
  }

  for (size_t i = 0; i < dag.tasks.size(); ++i) {
    const DagTask& task = dag.tasks[i];
    const std::string task_path = tasks_path + "[" + std::to_string(i) + "]";
    check_invocation(checker, invocation_of(task, task_path));
    check_loop(checker, task.with_items.has_value(), task.with_param, task.with_sequence, task_path);
    check_depends(checker, task, names, task_path);
    if (!task.on_exit.empty() && !find_local_template(checker.doc, task.on_exit)) {
      checker.report(task_path + ".onExit", "template " + quote(task.on_exit) + " not found");
    }
    check_hooks(checker, task.hooks, task_path + ".hooks");
  }
  check_cycles(checker, dag.tasks, tasks_path);

  if (!dag.target.empty() && !is_templated(dag.target)) {
    size_t pos = 0;
    while (pos < dag.target.size()) {
      const size_t end = std::min(dag.target.find(' ', pos), dag.target.size());
      const std::string name = dag.target.substr(pos, end - pos);
      if (!name.empty() && !names.count(name)) {
        checker.report_at(path + ".dag.target", pos, "unknown task " + quote(name));
      }
      pos = end + 1;
    }
  }
}

}  // namespace rampart::spec::validation
