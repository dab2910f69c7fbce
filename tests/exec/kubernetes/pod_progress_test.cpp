// Reading a Pod's status: main's exit, the collector, and the waits that will never end.
#include <gtest/gtest.h>

#include "exec/kubernetes/pod_progress.h"

namespace rampart::exec::kube {
namespace {

using Json = nlohmann::json;

Json pod(const std::string& phase, Json main_state, Json collector_state = Json::object()) {
  Json status = Json::object();
  status["phase"] = phase;
  status["initContainerStatuses"] = Json::array({Json{{"name", "main"}, {"state", main_state}}});
  status["containerStatuses"] = Json::array({Json{{"name", "rampart-outputs"}, {"state", collector_state}}});
  return Json{{"status", status}};
}

TEST(PodProgress, RunningUntilThePodEnds) {
  EXPECT_EQ(read_pod_progress(pod("Pending", {{"running", Json::object()}})).state, PodState::Running);
  EXPECT_EQ(read_pod_progress(Json::object()).state, PodState::Running);
  EXPECT_EQ(read_pod_progress(Json("junk")).state, PodState::Running);
  // Malformed statuses are "nothing known yet", never an exception.
  EXPECT_EQ(read_pod_progress(
                Json{{"status", {{"initContainerStatuses", Json::array({Json{{"name", "main"}, {"state", 5}}})}}}})
                .state,
            PodState::Running);
}

TEST(PodProgress, SucceededWithOutputs) {
  auto p = read_pod_progress(pod("Succeeded", {{"terminated", {{"exitCode", 0}, {"reason", "Completed"}}}},
                                 {{"terminated", {{"exitCode", 0}}}}));
  EXPECT_EQ(p.state, PodState::Ended);
  EXPECT_TRUE(p.main_terminated);
  EXPECT_EQ(p.main_exit_code, 0);
  EXPECT_TRUE(p.collector_succeeded);
}

TEST(PodProgress, MainFailedOrOomKilled) {
  auto p = read_pod_progress(pod("Failed", {{"terminated", {{"exitCode", 137}, {"reason", "OOMKilled"}}}}));
  EXPECT_EQ(p.state, PodState::Ended);
  EXPECT_EQ(p.main_exit_code, 137);
  EXPECT_EQ(p.main_reason, "OOMKilled");
  EXPECT_FALSE(p.collector_succeeded);
}

TEST(PodProgress, ImagePullFailureCannotStart) {
  auto p = read_pod_progress(pod("Pending", {{"waiting", {{"reason", "ErrImagePull"}, {"message", "not found"}}}}));
  EXPECT_EQ(p.state, PodState::CannotStart);
  EXPECT_EQ(p.message, "ErrImagePull: not found");
}

TEST(PodProgress, EvictedBeforeMainRan) {
  Json evicted = {{"status", {{"phase", "Failed"}, {"reason", "Evicted"}, {"message", "low on memory"}}}};
  auto p = read_pod_progress(evicted);
  EXPECT_EQ(p.state, PodState::Ended);
  EXPECT_FALSE(p.main_terminated);
  EXPECT_EQ(p.message, "Evicted: low on memory");
}

}  // namespace
}  // namespace rampart::exec::kube
