// The engine's small building blocks: Argo's naming, local locks, the event loop.
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "engine/event_loop.h"
#include "engine/locks.h"
#include "engine/naming.h"

namespace rampart::engine {
namespace {

namespace fs = std::filesystem;

TEST(Naming, Fnv32aMatchesTheReferenceValues) {
  EXPECT_EQ(fnv32a(""), 2166136261u);
  EXPECT_EQ(fnv32a("a"), 0xe40c292cu);
  EXPECT_EQ(fnv32a("foobar"), 0xbf9cf968u);
}

TEST(Naming, RootNodeIdIsTheWorkflowName) {
  EXPECT_EQ(node_id("wf-abc", "wf-abc"), "wf-abc");
  EXPECT_EQ(node_id("wf-abc", "wf-abc[0].step"), "wf-abc-" + std::to_string(fnv32a("wf-abc[0].step")));
}

TEST(Naming, PodNamesKeepTheHashAndFitAHostname) {
  EXPECT_EQ(pod_name("wf", "wf", "main"), "wf");
  std::string name = pod_name("wf", "wf.a", "echo");
  EXPECT_EQ(name, "wf-echo-" + std::to_string(fnv32a("wf.a")));
  std::string long_name = pod_name(std::string(80, 'w'), "node", std::string(40, 't'));
  EXPECT_LE(long_name.size(), 63u);
  EXPECT_TRUE(long_name.ends_with("-" + std::to_string(fnv32a("node"))));
}

TEST(Naming, LoopSuffixesAsArgoPrintsThem) {
  EXPECT_EQ(item_suffix(0, "hello"), "(0:hello)");
  EXPECT_EQ(item_suffix(2, 7), "(2:7)");
  EXPECT_EQ(item_suffix(1, nlohmann::json{{"os", "debian"}, {"tag", "9.1"}}), "(1:os:debian,tag:9.1)");
}

TEST(Locks, MutexGrantsInOrderAsHoldersRelease) {
  LockManager locks;
  std::vector<std::string> granted;
  EXPECT_TRUE(locks.acquire("m", 1, "a", [&] { granted.push_back("a"); }));
  EXPECT_FALSE(locks.acquire("m", 1, "b", [&] { granted.push_back("b"); }));
  EXPECT_FALSE(locks.acquire("m", 1, "c", [&] { granted.push_back("c"); }));
  EXPECT_EQ(locks.waiting("m"), 2u);
  locks.release("m", "a");
  EXPECT_EQ(granted, (std::vector<std::string>{"a", "b"}));
  locks.release("m", "b");
  EXPECT_EQ(granted, (std::vector<std::string>{"a", "b", "c"}));
  EXPECT_EQ(locks.waiting("m"), 0u);
}

TEST(Locks, SemaphoreAdmitsUpToItsLimit) {
  LockManager locks;
  int running = 0;
  for (const char* holder : {"a", "b", "c"}) locks.acquire("s", 2, holder, [&] { ++running; });
  EXPECT_EQ(running, 2);
  locks.release("s", "a");
  EXPECT_EQ(running, 3);
}

TEST(EventLoop, RunsPostedTasksAndDueTimersInOrder) {
  EventLoop loop;
  std::vector<int> order;
  loop.schedule(std::chrono::milliseconds(0), [&] { order.push_back(2); });
  auto cancelled = loop.schedule(std::chrono::milliseconds(0), [&] { order.push_back(99); });
  loop.cancel(cancelled);
  loop.post([&] { order.push_back(1); });
  while (order.size() < 2) loop.run_once(std::chrono::milliseconds(50));
  EXPECT_EQ(order, (std::vector<int>{1, 2}));
  EXPECT_FALSE(loop.has_timers());
}

}  // namespace
}  // namespace rampart::engine
