// The commands that read or steer stored workflows: get, list, logs, resume, stop, terminate,
// delete. They work whether or not an engine is running the workflow right now.
#include <algorithm>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <unistd.h>

#include <iostream>
#include <thread>

#include <CLI/CLI.hpp>

#include "cli/app.h"
#include "cli/commands.h"
#include "cli/context.h"
#include "cli/engine_bounds.h"
#include "cli/policy_flags.h"
#include "cli/json_output.h"
#include "cli/stored_tree.h"
#include "cli/output_format.h"
#include "cli/secret_files.h"
#include "cli/tree_view.h"
#include "engine/engine.h"
#include "engine/node.h"

namespace rampart::cli {

namespace {

namespace fs = std::filesystem;
using Json = nlohmann::json;

bool is_finished(const std::string& phase) { return phase == "Succeeded" || phase == "Failed" || phase == "Error"; }

int not_found(const std::string& name, const std::string& ns) {
  std::cerr << "workflow \"" << name << "\" not found in namespace \"" << ns << "\"\n";
  return kFailed;
}

struct NameOptions {
  StateOptions state;
  std::string name;
  std::string output = "text";
  bool all = false;
};

CommandAction add_get(CLI::App& app) {
  auto o = std::make_shared<NameOptions>();
  CLI::App* cmd = app.add_subcommand("get", "Show a workflow: status, parameters and the node tree");
  cmd->add_option("name", o->name, "Workflow name")->required();
  add_state_options(*cmd, o->state);
  add_output_option(*cmd, o->output, "text,wide,json,yaml,name", "text");
  cmd->add_flag("--all", o->all, "Show every node (large loops and DAGs are summed up otherwise)");
  return [o]() -> int {
    auto store = open_store_to_read(o->state);
    if (!store) return kFailed;
    if (o->output == "text" || o->output == "wide") {
      // Node by node: a workflow of 100,000 nodes is shown without holding their JSON.
      auto text = render_stored_workflow(*store, o->state.namespace_, o->name, terminal_columns(STDOUT_FILENO),
                                         o->all || o->output == "wide", nullptr);
      if (!text) return not_found(o->name, o->state.namespace_);
      std::cout << *text;
      auto record = store->get_workflow(o->state.namespace_, o->name);
      if (record && engine_gone(resolve_state_dir(o->state), *record)) {
        std::cout << "\nStatus is " << record->phase << ", but " << interrupted_note(o->name) << "\n";
      }
      return kOk;
    }
    Json wf = engine::Engine::workflow_object(*store, o->state.namespace_, o->name);
    if (wf.is_null()) return not_found(o->name, o->state.namespace_);
    if (o->output == "name")
      std::cout << o->name << "\n";
    else
      print_object(wf, o->output);
    return kOk;
  };
}

struct ListOptions {
  StateOptions state;
  std::string output = "text";
  std::vector<std::string> phases;
  bool all_namespaces = false;
  int64_t limit = 0;
};

CommandAction add_list(CLI::App& app) {
  auto o = std::make_shared<ListOptions>();
  CLI::App* cmd = app.add_subcommand("list", "List workflows");
  add_state_options(*cmd, o->state);
  cmd->add_option("--status", o->phases, "Only these phases (Pending, Running, Succeeded, Failed, Error)");
  cmd->add_flag("-A,--all-namespaces", o->all_namespaces, "All namespaces");
  cmd->add_option("--limit", o->limit, "At most this many");
  add_output_option(*cmd, o->output, "text,json,name", "text");
  return [o]() -> int {
    auto store = open_store_to_read(o->state);
    if (!store) return kFailed;
    const std::string state_dir = resolve_state_dir(o->state);
    store::ListFilter filter;
    filter.namespace_ = o->all_namespaces ? "" : o->state.namespace_;
    filter.phases = o->phases;
    filter.limit = o->limit;
    auto workflows = store->list_workflows(filter);
    std::sort(workflows.begin(), workflows.end(),
              [](const auto& a, const auto& b) { return a.created_at > b.created_at; });
    int64_t now = rampart::now_ms();
    if (o->output == "json") {
      Json out = Json::array();
      for (const auto& w : workflows) {
        out.push_back({{"namespace", w.namespace_},
                       {"name", w.name},
                       {"phase", w.phase},
                       {"createdAt", engine::format_time(w.created_at)},
                       {"startedAt", engine::format_time(w.started_at)},
                       {"finishedAt", engine::format_time(w.finished_at)},
                       {"message", w.message},
                       {"progress", w.status.value("progress", "")}});
      }
      std::cout << out.dump(2) << "\n";
      return kOk;
    }
    if (o->output == "name") {
      for (const auto& w : workflows) std::cout << w.name << "\n";
      return kOk;
    }
    if (workflows.empty()) {
      std::cerr << "no workflows\n";
      return kOk;
    }
    size_t width = 4;
    for (const auto& w : workflows) width = std::max(width, w.name.size());
    auto col = [](std::string s, size_t n) { return s.size() >= n ? s + " " : s + std::string(n - s.size() + 1, ' '); };
    std::cout << (o->all_namespaces ? col("NAMESPACE", 10) : "") << col("NAME", width) << col("STATUS", 9)
              << col("AGE", 7) << col("DURATION", 8) << col("PROGRESS", 8) << "MESSAGE\n";
    for (const auto& w : workflows) {
      int64_t end = w.finished_at ? w.finished_at : now;
      std::string duration = w.started_at ? format_duration(end - w.started_at) : "";
      const bool gone = engine_gone(state_dir, w);
      std::cout << (o->all_namespaces ? col(w.namespace_, 10) : "") << col(w.name, width)
                << col(gone ? "Interrupted" : w.phase, 9) << col(format_duration(now - w.created_at), 7)
                << col(duration, 8) << col(w.status.value("progress", ""), 8)
                << (gone ? "continue it with: rampart resume " + w.name : w.message) << "\n";
    }
    return kOk;
  };
}

struct LogsOptions {
  StateOptions state;
  std::string name;
  std::string step;
  bool follow = false;
};

CommandAction add_logs(CLI::App& app) {
  auto o = std::make_shared<LogsOptions>();
  CLI::App* cmd = app.add_subcommand("logs", "Print the logs of a workflow's steps");
  cmd->add_option("name", o->name, "Workflow name")->required();
  cmd->add_option("step", o->step, "Only this step (display name, node name, node id or pod name)");
  cmd->add_flag("-f,--follow", o->follow, "Keep printing until the workflow finishes");
  add_state_options(*cmd, o->state);
  return [o]() -> int {
    std::string state_dir = resolve_state_dir(o->state);
    auto store = open_store_to_read(o->state);
    if (!store) return kFailed;
    std::map<std::string, std::streamoff> offsets;
    bool matched_any = false;
    while (true) {
      auto record = store->get_workflow(o->state.namespace_, o->name);
      if (!record) return not_found(o->name, o->state.namespace_);
      auto nodes = store->get_nodes(o->state.namespace_, o->name);
      std::vector<engine::Node> pods;
      for (const auto& n : nodes) {
        engine::Node node = engine::Node::from_json(n.status);
        if (node.type != engine::NodeType::Pod && node.type != engine::NodeType::Container) continue;
        if (!o->step.empty() && node.display_name != o->step && node.name != o->step && node.id != o->step &&
            node.pod_name != o->step) {
          continue;
        }
        pods.push_back(node);
      }
      std::sort(pods.begin(), pods.end(), [](const auto& a, const auto& b) { return a.started_at < b.started_at; });
      for (const auto& p : pods) {
        matched_any = true;
        fs::path file = fs::path(workflow_log_dir(state_dir, o->state.namespace_, o->name)) / (p.id + ".log");
        std::ifstream in(file, std::ios::binary);
        if (!in) continue;
        in.seekg(offsets[p.id]);
        std::string line;
        std::string prefix = p.pod_name.empty() ? p.display_name : p.pod_name;
        while (std::getline(in, line)) {
          if (in.eof()) {
            // A partial last line: print it once it is complete.
            break;
          }
          std::cout << prefix << ": " << line << "\n";
          offsets[p.id] = in.tellg();
        }
      }
      std::cout << std::flush;
      if (!o->follow || is_finished(record->phase)) break;
      std::this_thread::sleep_for(std::chrono::milliseconds(250));
    }
    if (!matched_any && !o->step.empty()) {
      std::cerr << "no step \"" << o->step << "\" in workflow \"" << o->name << "\"\n";
      return kFailed;
    }
    return kOk;
  };
}

struct ResumeOptions {
  StateOptions state;
  std::string name;
  RunSettings settings;
  PolicyFlags policy;
};

CommandAction add_resume(CLI::App& app) {
  auto o = std::make_shared<ResumeOptions>();
  CLI::App* cmd =
      app.add_subcommand("resume", "Resume a workflow: continue one whose engine stopped, and resume suspended steps");
  cmd->add_option("name", o->name, "Workflow name")->required();
  cmd->add_flag("--watch", o->settings.watch, "Draw the live node tree");
  add_executor_options(*cmd, o->settings.executor, true);
  add_engine_bound_flags(*cmd, o->settings.bounds);
  cmd->add_option("--secret", o->settings.secret_files, "Secret YAML file (repeatable), as given to run");
  add_max_secret_bytes_option(*cmd, o->settings.max_secret_bytes);
  add_policy_flags(*cmd, o->policy);
  add_state_options(*cmd, o->state);
  add_output_option(*cmd, o->settings.output, "text,wide,name,json,yaml", "text");
  cmd->add_flag("--all", o->settings.all,
                "Show every node in the final tree (large loops and DAGs are summed up otherwise)");
  cmd->add_flag("--log", o->settings.log, "Print each step's log as it ends, each line prefixed with its pod's name")
      ->excludes("--watch");
  return [o]() -> int {
    // Steps not yet run are checked just before they start, as `run` and the server check them.
    auto policy = resolve_policy(o->policy);
    if (!policy) return kUsage;
    o->settings.policy = *policy;
    std::string state_dir = resolve_state_dir(o->state);
    auto store = open_store(state_dir);
    auto record = store->get_workflow(o->state.namespace_, o->name);
    if (!record) return not_found(o->name, o->state.namespace_);
    if (is_finished(record->phase)) {
      std::cerr << "workflow \"" << o->name << "\" has already " << record->phase << "\n";
      return record->phase == "Succeeded" ? kOk : kFailed;
    }
    engine::Engine::request_shutdown(*store, o->state.namespace_, o->name, "Resume");
    {
      RunLock probe(state_dir, o->state.namespace_, o->name);
      if (!probe.try_lock()) {
        std::cerr << "workflow \"" << o->name << "\" is running in another rampart process; suspended steps resumed\n";
        return kOk;
      }
    }
    store.reset();
    return run_stored_workflow(o->state, o->name, o->settings);
  };
}

CommandAction add_shutdown(CLI::App& app, const std::string& verb, const std::string& mode, const std::string& help) {
  auto o = std::make_shared<NameOptions>();
  CLI::App* cmd = app.add_subcommand(verb, help);
  cmd->add_option("name", o->name, "Workflow name")->required();
  add_state_options(*cmd, o->state);
  return [o, mode, verb]() -> int {
    std::string state_dir = resolve_state_dir(o->state);
    auto store = open_store(state_dir);
    auto record = store->get_workflow(o->state.namespace_, o->name);
    if (!record) return not_found(o->name, o->state.namespace_);
    if (is_finished(record->phase)) {
      std::cerr << "workflow \"" << o->name << "\" has already " << record->phase << "\n";
      return kOk;
    }
    RunLock probe(state_dir, o->state.namespace_, o->name);
    if (probe.try_lock()) {
      // No engine runs it: settle it here.
      record->phase = "Failed";
      record->message = "Stopped with strategy '" + mode + "'";
      record->finished_at = rampart::now_ms();
      store->put_workflow(*record);
    } else {
      engine::Engine::request_shutdown(*store, o->state.namespace_, o->name, mode);
    }
    std::cout << "workflow " << o->name << " " << (verb == "stop" ? "stopped" : "terminated") << "\n";
    return kOk;
  };
}

CommandAction add_delete(CLI::App& app) {
  auto o = std::make_shared<NameOptions>();
  CLI::App* cmd = app.add_subcommand("delete", "Delete a workflow, its nodes, events and logs");
  cmd->add_option("name", o->name, "Workflow name")->required();
  add_state_options(*cmd, o->state);
  return [o]() -> int {
    std::string state_dir = resolve_state_dir(o->state);
    auto store = open_store(state_dir);
    RunLock probe(state_dir, o->state.namespace_, o->name);
    if (!probe.try_lock()) {
      std::cerr << "workflow \"" << o->name << "\" is running; terminate it first\n";
      return kFailed;
    }
    if (!store->delete_workflow(o->state.namespace_, o->name)) return not_found(o->name, o->state.namespace_);
    std::error_code ec;
    fs::remove_all(workflow_log_dir(state_dir, o->state.namespace_, o->name), ec);
    fs::remove_all(fs::path(state_dir) / "run" / o->state.namespace_ / o->name, ec);
    std::cout << "workflow " << o->name << " deleted\n";
    return kOk;
  };
}

}  // namespace

CommandAction add_get_command(CLI::App& app) { return add_get(app); }
CommandAction add_list_command(CLI::App& app) { return add_list(app); }
CommandAction add_logs_command(CLI::App& app) { return add_logs(app); }
CommandAction add_resume_command(CLI::App& app) { return add_resume(app); }
CommandAction add_stop_command(CLI::App& app) {
  return add_shutdown(app, "stop", "Stop", "Stop a workflow; its exit handlers still run");
}
CommandAction add_terminate_command(CLI::App& app) {
  return add_shutdown(app, "terminate", "Terminate", "Terminate a workflow at once, without exit handlers");
}
CommandAction add_delete_command(CLI::App& app) { return add_delete(app); }

}  // namespace rampart::cli
