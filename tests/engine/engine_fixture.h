// Harness for engine integration tests: a temporary state dir with its SQLite store, a real
// process executor (bubblewrap sandbox, the source tree's image catalog), an Engine, and helpers
// to run inline YAML to completion and look at the resulting Argo Workflow object.
#pragma once

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <stdlib.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <memory>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "engine/engine.h"
#include "exec/process_executor.h"
#include "spec/loader.h"
#include "store/store.h"

namespace rampart::engine::testing {

using Json = nlohmann::json;
using Params = std::vector<std::pair<std::string, std::string>>;
namespace fs = std::filesystem;

inline std::string source_catalog() { return std::string(RAMPART_SOURCE_DIR) + "/share/rampart/images.yaml"; }

inline std::string read_text(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

inline std::vector<std::string> read_lines(const fs::path& path) {
  std::ifstream in(path);
  std::vector<std::string> out;
  for (std::string line; std::getline(in, line);) {
    if (!line.empty()) out.push_back(line);
  }
  return out;
}

// A fresh directory under the system temp dir, removed with everything in it.
class TempDir {
 public:
  TempDir() {
    std::string pattern = (fs::temp_directory_path() / "rampart-engine-XXXXXX").string();
    if (!::mkdtemp(pattern.data())) throw std::runtime_error("mkdtemp failed");
    path_ = pattern;
  }
  ~TempDir() {
    std::error_code ec;
    // Step dirs may contain read-only files (secrets); make everything writable first.
    for (auto it = fs::recursive_directory_iterator(path_, ec); !ec && it != fs::recursive_directory_iterator();
         it.increment(ec)) {
      fs::permissions(it->path(), fs::perms::owner_all, fs::perm_options::add, ec);
    }
    fs::remove_all(path_, ec);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

// Loads every document of `yaml`; a load error fails the calling test.
inline std::vector<spec::Document> load_documents(const std::string& yaml, const std::string& file = "test.yaml") {
  spec::LoadResult loaded = spec::load_string(yaml, file);
  for (const auto& e : loaded.errors) ADD_FAILURE() << "load error: " << e.to_string();
  return loaded.documents;
}

// --- looking into a Workflow object

inline const Json& nodes_of(const Json& wf) {
  static const Json kEmpty = Json::object();
  if (!wf.contains("status") || !wf["status"].contains("nodes")) return kEmpty;
  return wf["status"]["nodes"];
}

// Every node whose displayName is `display` (loops and retries make several similar names).
inline std::vector<Json> nodes_with_display_name(const Json& wf, const std::string& display) {
  std::vector<Json> out;
  for (const auto& [id, n] : nodes_of(wf).items()) {
    if (n.value("displayName", "") == display) out.push_back(n);
  }
  return out;
}

// The single node with that displayName; null (and a test failure) when none or several.
inline Json node_by_display(const Json& wf, const std::string& display) {
  auto found = nodes_with_display_name(wf, display);
  if (found.size() != 1) {
    ADD_FAILURE() << "expected one node with displayName \"" << display << "\", found " << found.size();
    return nullptr;
  }
  return found.front();
}

inline bool has_display(const Json& wf, const std::string& display) {
  return !nodes_with_display_name(wf, display).empty();
}

// The node with that full name (e.g. "wf[0].a"); null and a test failure when absent.
inline Json node_by_name(const Json& wf, const std::string& name) {
  for (const auto& [id, n] : nodes_of(wf).items()) {
    if (n.value("name", "") == name) return n;
  }
  ADD_FAILURE() << "no node named \"" << name << "\"";
  return nullptr;
}

inline Json node_by_id(const Json& wf, const std::string& id) {
  const Json& nodes = nodes_of(wf);
  return nodes.contains(id) ? nodes[id] : Json();
}

// displayNames of a node's children, in the order the node lists them.
inline std::vector<std::string> child_display_names(const Json& wf, const Json& node) {
  std::vector<std::string> out;
  if (!node.is_object()) return out;
  for (const auto& c : node.value("children", Json::array())) {
    Json child = node_by_id(wf, c.get<std::string>());
    out.push_back(child.is_object() ? child.value("displayName", "?") : "<missing " + c.get<std::string>() + ">");
  }
  return out;
}

inline std::string phase_of(const Json& node) { return node.is_object() ? node.value("phase", "") : "<no node>"; }
inline std::string message_of(const Json& node) { return node.is_object() ? node.value("message", "") : ""; }
inline std::string workflow_phase(const Json& wf) { return wf.value("status", Json::object()).value("phase", ""); }
inline std::string workflow_message(const Json& wf) { return wf.value("status", Json::object()).value("message", ""); }

inline std::string result_of(const Json& node) {
  if (!node.is_object() || !node.contains("outputs")) return "<no outputs>";
  return node["outputs"].value("result", "<no result>");
}

inline std::string output_parameter(const Json& node, const std::string& name) {
  if (!node.is_object() || !node.contains("outputs")) return "<no outputs>";
  for (const auto& p : node["outputs"].value("parameters", Json::array())) {
    if (p.value("name", "") == name) return p.value("value", "");
  }
  return "<no parameter " + name + ">";
}

inline std::string global_output(const Json& wf, const std::string& name) {
  const Json& status = wf.value("status", Json::object());
  for (const auto& p : status.value("outputs", Json::object()).value("parameters", Json::array())) {
    if (p.value("name", "") == name) return p.value("value", "");
  }
  return "<no global output " + name + ">";
}

inline int count_nodes(const Json& wf, const std::string& type, const std::string& phase = "") {
  int count = 0;
  for (const auto& [id, n] : nodes_of(wf).items()) {
    if (n.value("type", "") == type && (phase.empty() || n.value("phase", "") == phase)) ++count;
  }
  return count;
}

// Max value among lines of integers (as written by the concurrency probes below).
inline int max_int_line(const std::vector<std::string>& lines) {
  int best = 0;
  for (const auto& l : lines) {
    try {
      best = std::max(best, std::stoi(l));
    } catch (...) {
      ADD_FAILURE() << "not a number: " << l;
    }
  }
  return best;
}

// Shell snippet for a step that measures how many steps run at once: it registers in
// <dir>/running, counts the registered steps into <dir>/counts, sleeps, deregisters.
// The count can only over-estimate true concurrency, never miss it (each step counts after
// registering and deregisters only after its sleep), so "max count <= N" is a safe check.
inline std::string concurrency_probe(const std::string& dir, const std::string& id, const std::string& sleep_s = "1") {
  return "mkdir -p " + dir + "/running && touch " + dir + "/running/" + id + " && ls " + dir + "/running | wc -l >> " +
         dir + "/counts && sleep " + sleep_s + " && rm " + dir + "/running/" + id;
}

class EngineTest : public ::testing::Test {
 protected:
  void SetUp() override {
    state_ = std::make_unique<TempDir>();
    store_ = store::open_sqlite(state_->path() + "/rampart.db");
    exec::ProcessExecutorOptions eo;
    eo.image_catalog = source_catalog();
    eo.sandbox = exec::SandboxMode::Bubblewrap;
    executor_ = std::make_unique<exec::ProcessExecutor>(eo);
    EngineOptions options;
    options.state_dir = state_->path();
    // A safety net only: every test ends long before; none relies on it.
    options.default_deadline_seconds = 600;
    options.control_poll_ms = 100;
    engine_ = std::make_unique<Engine>(*store_, *executor_, options);
  }

  void TearDown() override {
    engine_.reset();
    if (executor_) executor_->shutdown();
    executor_.reset();
    store_.reset();
    state_.reset();
  }

  const std::string& state_dir() const { return state_->path(); }
  // Host directory behind `persistentVolumeClaim: {claimName: claim}` in namespace argo.
  fs::path claim_dir(const std::string& claim) const { return fs::path(state_dir()) / "volumes" / "argo" / claim; }

  // The first Workflow of `yaml`; the other documents become references (WorkflowTemplates,
  // ConfigMaps), together with `extra`.
  std::string submit_yaml(const std::string& yaml, const Params& params = {},
                          const std::vector<spec::Document>& extra = {}, SubmitOptions options = {}) {
    auto docs = load_documents(yaml);
    References refs;
    const spec::Document* workflow = nullptr;
    for (const auto& d : docs) {
      if (!workflow && d.kind == spec::Kind::Workflow)
        workflow = &d;
      else
        refs.documents.push_back(d);
    }
    for (const auto& d : extra) refs.documents.push_back(d);
    if (!workflow) throw std::runtime_error("no Workflow document in the test YAML");
    options.parameters = params;
    return engine_->submit(*workflow, refs, options);
  }

  Json run_name(const std::string& name) {
    store::WorkflowRecord record = engine_->run("argo", name);
    Json wf = Engine::workflow_object(*store_, "argo", name);
    // What run() returns is what the store keeps.
    EXPECT_EQ(record.phase, workflow_phase(wf)) << "run() and the store disagree on the phase of " << name;
    return wf;
  }

  Json run_yaml(const std::string& yaml, const Params& params = {}, const std::vector<spec::Document>& extra = {}) {
    return run_name(submit_yaml(yaml, params, extra));
  }

  std::unique_ptr<TempDir> state_;
  std::unique_ptr<store::Store> store_;
  std::unique_ptr<exec::ProcessExecutor> executor_;
  std::unique_ptr<Engine> engine_;
};

// The node tree, for failure messages.
inline std::string describe(const Json& wf) {
  std::ostringstream out;
  out << "workflow phase=" << workflow_phase(wf) << " message=" << workflow_message(wf) << "\n";
  for (const auto& [id, n] : nodes_of(wf).items()) {
    out << "  " << n.value("name", "") << " [" << n.value("type", "") << "] " << n.value("phase", "");
    if (!n.value("message", "").empty()) out << " msg=" << n.value("message", "");
    if (n.contains("outputs")) out << " outputs=" << n["outputs"].dump();
    out << "\n";
  }
  return out.str();
}

}  // namespace rampart::engine::testing
