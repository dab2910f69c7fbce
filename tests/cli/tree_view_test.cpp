// The text tree of `rampart run` / `rampart get`: every node once, whatever the shape of the DAG.
#include "cli/tree_view.h"

#include <gtest/gtest.h>

#include <map>
#include <sstream>
#include <string>

namespace rampart::cli {
namespace {

using Json = nlohmann::json;

size_t count_of(const std::string& text, const std::string& needle) {
  size_t n = 0;
  for (size_t at = text.find(needle); at != std::string::npos; at = text.find(needle, at + 1)) ++n;
  return n;
}

Json pod(const std::string& name, const std::string& display, const std::string& boundary) {
  return Json{{"name", name},
              {"displayName", display},
              {"type", "Pod"},
              {"phase", "Succeeded"},
              {"boundaryID", boundary},
              {"templateName", "t"},
              {"startedAt", "2026-12-07T10:00:00Z"},
              {"finishedAt", "2026-12-07T10:00:01Z"},
              {"children", Json::array()}};
}

// A lattice of `layers` x `width` tasks (each depends on two of the layer before, as Argo lists
// dependents among a task's children), a loop of three items and a retried task.
Json lattice_workflow(int layers, int width) {
  Json nodes = Json::object();
  Json root = {
      {"name", "wf"}, {"displayName", "wf"}, {"type", "DAG"}, {"phase", "Succeeded"}, {"children", Json::array()}};
  auto id = [](int l, int k) { return "t-" + std::to_string(l) + "-" + std::to_string(k); };
  for (int l = 0; l < layers; ++l) {
    for (int k = 0; k < width; ++k) {
      std::string name = "x" + std::to_string(l) + "y" + std::to_string(k) + "z";
      Json n = pod("wf." + name, name, "wf");
      if (l + 1 < layers) n["children"] = {id(l + 1, k), id(l + 1, (k + width - 1) % width)};
      nodes[id(l, k)] = n;
      if (l == 0) root["children"].push_back(id(l, k));
    }
  }
  Json group = {{"name", "wf.loop"},    {"displayName", "loop"}, {"type", "TaskGroup"},
                {"phase", "Succeeded"}, {"boundaryID", "wf"},    {"children", Json::array()}};
  for (const char* item : {"0:a", "1:b", "2:c"}) {
    std::string item_id = std::string("loop-") + item[0];
    nodes[item_id] = pod(std::string("wf.loop(") + item + ")", std::string("loop(") + item + ")", "wf");
    group["children"].push_back(item_id);
  }
  nodes["loop"] = group;
  nodes["retry"] = {{"name", "wf.flaky"},   {"displayName", "flaky"}, {"type", "Retry"},
                    {"phase", "Succeeded"}, {"boundaryID", "wf"},     {"children", {"attempt-0", "attempt-1"}}};
  nodes["attempt-0"] = pod("wf.flaky(0)", "flaky(0)", "wf");
  nodes["attempt-0"]["phase"] = "Failed";
  nodes["attempt-1"] = pod("wf.flaky(1)", "flaky(1)", "wf");
  root["children"].push_back("loop");
  root["children"].push_back("retry");
  nodes["wf"] = root;
  return Json{{"metadata", {{"name", "wf"}}}, {"status", {{"phase", "Succeeded"}, {"nodes", nodes}}}};
}

TEST(TreeView, EveryNodeOfALatticeDagIsShownOnce) {
  std::string text = render_workflow(lattice_workflow(40, 50), 0, 0, /*all=*/true);
  std::map<std::string, int> shown;  // task name -> rows that show it
  std::istringstream lines(text);
  for (std::string line; std::getline(lines, line);) {
    size_t x = line.find(" x");
    if (x != std::string::npos) ++shown[line.substr(x + 1, line.find(' ', x + 1) - x - 1)];
  }
  EXPECT_EQ(shown.size(), 2000u);
  for (const auto& [name, rows] : shown) ASSERT_EQ(rows, 1) << name;
}

TEST(TreeView, LoopItemsAndAttemptsAppearOnceUnderTheirGroup) {
  std::string text = render_workflow(lattice_workflow(2, 3), 0, 0, /*all=*/true);
  for (const char* item : {"loop(0:a)", "loop(1:b)", "loop(2:c)", "flaky(0)", "flaky(1)"}) {
    EXPECT_EQ(count_of(text, item), 1u) << item << "\n" << text;
  }
  // The attempts hang under their Retry node, one level deeper than the DAG's tasks.
  EXPECT_NE(text.find("│ ├─✖ flaky(0)"), std::string::npos) << text;
}

TEST(TreeView, DagTasksHangUnderTheDagNeverUnderTheirDependencies) {
  std::string text = render_workflow(lattice_workflow(3, 4), 0, 0, /*all=*/true);
  // Every task is one level below the DAG: "├─" right after the root's one-space indent.
  for (const char* task : {"x0y0z", "x1y3z", "x2y2z"}) {
    EXPECT_NE(text.find(std::string(" ├─✔ ") + task), std::string::npos) << task << "\n" << text;
  }
  EXPECT_EQ(text.find("│ ├─✔ x"), std::string::npos) << text;
}

TEST(TreeView, AWideDagIsCollapsedToItsFirstTasksAndACountUnlessAll) {
  Json wf = lattice_workflow(20, 50);
  Json& nodes = wf["status"]["nodes"];
  nodes["t-7-7"]["phase"] = "Failed";
  std::string text = render_workflow(wf, 0, 0);
  EXPECT_LT(count_of(text, "\n"), 40u) << text;
  EXPECT_NE(text.find("x7y7z"), std::string::npos) << "a task that did not succeed is always shown\n" << text;
  EXPECT_NE(text.find("more"), std::string::npos) << text;
  EXPECT_NE(text.find("Succeeded (--all shows them)"), std::string::npos) << text;
  // Shown in the order people count when they started in the same second.
  EXPECT_LT(text.find("x0y2z"), text.find("x0y10z")) << text;
  EXPECT_GT(count_of(render_workflow(wf, 0, 0, /*all=*/true), "\n"), 1000u);
}

TEST(TreeView, ASmallGroupIsNeverCollapsed) {
  std::string text = render_workflow(lattice_workflow(2, 5), 0, 0);
  EXPECT_EQ(text.find("more"), std::string::npos) << text;
  EXPECT_EQ(count_of(text, "✔ x"), 10u) << text;
}

}  // namespace
}  // namespace rampart::cli
