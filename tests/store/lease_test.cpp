// Leases, fencing and archive retention, on SQLite and PostgreSQL: what lets several servers
// share one database without two engines driving one workflow.
#include <gtest/gtest.h>

#include <chrono>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "store/store.h"
#include "test_database.h"

namespace rampart::store {
namespace {

using testing::Backend;
using testing::TestDatabase;

WorkflowRecord workflow(const std::string& name, const std::string& phase, int64_t created = 1) {
  WorkflowRecord wf;
  wf.name = name;
  wf.phase = phase;
  wf.created_at = created;
  return wf;
}

class LeaseTest : public ::testing::TestWithParam<Backend> {
 protected:
  void SetUp() override {
    if (GetParam() == Backend::Postgres) RAMPART_REQUIRE_POSTGRES();
    db = std::make_unique<TestDatabase>(GetParam());
    a = db->open();
    b = db->open();
  }
  std::unique_ptr<TestDatabase> db;
  std::unique_ptr<Store> a, b;  // two servers' connections
};

TEST_P(LeaseTest, OnlyOneHolderAtATime) {
  auto first = a->acquire_lease("argo", "wf", "server-a", 60'000);
  ASSERT_TRUE(first);
  EXPECT_FALSE(b->acquire_lease("argo", "wf", "server-b", 60'000));
  EXPECT_EQ(b->lease_holder("argo", "wf"), "server-a");
  EXPECT_FALSE(b->lease_holder("argo", "other"));
  // The holder may take it again (a restart of the same instance): same epoch.
  EXPECT_EQ(a->acquire_lease("argo", "wf", "server-a", 60'000), first);
  // Another workflow is free.
  EXPECT_TRUE(b->acquire_lease("argo", "other", "server-b", 60'000));
}

TEST_P(LeaseTest, ExpiredLeaseIsTakenOverWithAHigherEpoch) {
  auto first = a->acquire_lease("argo", "wf", "server-a", 150);
  ASSERT_TRUE(first);
  EXPECT_FALSE(b->acquire_lease("argo", "wf", "server-b", 60'000));
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  auto second = b->acquire_lease("argo", "wf", "server-b", 60'000);
  ASSERT_TRUE(second);
  EXPECT_GT(*second, *first);
  // The old holder cannot renew or re-take what is no longer its.
  EXPECT_EQ(a->renew_leases("server-a", 60'000), 0);
  EXPECT_FALSE(a->acquire_lease("argo", "wf", "server-a", 60'000));
}

TEST_P(LeaseTest, RenewalKeepsALeaseAlive) {
  ASSERT_TRUE(a->acquire_lease("argo", "one", "server-a", 400));
  ASSERT_TRUE(a->acquire_lease("argo", "two", "server-a", 400));
  for (int i = 0; i < 4; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(150));
    EXPECT_EQ(a->renew_leases("server-a", 400), 2);
  }
  EXPECT_FALSE(b->acquire_lease("argo", "one", "server-b", 400));
}

TEST_P(LeaseTest, ReleasedLeaseIsFreeAtOnce) {
  ASSERT_TRUE(a->acquire_lease("argo", "wf", "server-a", 60'000));
  b->release_lease("argo", "wf", "server-b");  // not b's: nothing happens
  EXPECT_FALSE(b->acquire_lease("argo", "wf", "server-b", 60'000));
  a->release_lease("argo", "wf", "server-a");
  EXPECT_TRUE(b->acquire_lease("argo", "wf", "server-b", 60'000));
}

TEST_P(LeaseTest, UnleasedUnfinishedListsWhatNeedsAnOwner) {
  a->put_workflow(workflow("running-owned", "Running", 1));
  a->put_workflow(workflow("running-orphan", "Running", 2));
  a->put_workflow(workflow("pending", "Pending", 3));
  a->put_workflow(workflow("new", "", 4));
  a->put_workflow(workflow("done", "Succeeded", 5));
  a->put_workflow(workflow("expired", "Running", 6));
  ASSERT_TRUE(a->acquire_lease("argo", "running-owned", "server-a", 60'000));
  ASSERT_TRUE(a->acquire_lease("argo", "expired", "server-a", 1));
  std::this_thread::sleep_for(std::chrono::milliseconds(50));
  std::vector<std::pair<std::string, std::string>> expected = {
      {"argo", "running-orphan"}, {"argo", "pending"}, {"argo", "new"}, {"argo", "expired"}};
  EXPECT_EQ(b->unleased_unfinished(100, 1000), expected);
  EXPECT_EQ(b->unleased_unfinished(2, 1000).size(), 2u);
  // Never leased and created at or after the cut-off: its accepting server is about to lease it.
  std::vector<std::pair<std::string, std::string>> only_old = {{"argo", "running-orphan"}, {"argo", "expired"}};
  EXPECT_EQ(b->unleased_unfinished(100, 3), only_old);
}

TEST_P(LeaseTest, FencedWritesFailOnceTheLeaseIsTakenOver) {
  auto epoch = a->acquire_lease("argo", "wf", "server-a", 200);
  ASSERT_TRUE(epoch);
  a->fence("argo", "wf", "server-a", *epoch);
  a->put_workflow(workflow("wf", "Running"));  // held: allowed
  a->begin();
  a->put_nodes("argo", "wf", {{"n1", {{"phase", "Running"}}}});
  a->commit();

  std::this_thread::sleep_for(std::chrono::milliseconds(350));
  ASSERT_TRUE(b->acquire_lease("argo", "wf", "server-b", 60'000));
  EXPECT_THROW(a->put_workflow(workflow("wf", "Failed")), LeaseLost);
  EXPECT_THROW(a->put_nodes("argo", "wf", {{"n1", {{"phase", "Failed"}}}}), LeaseLost);
  EXPECT_THROW(a->append_event("argo", "wf", {}), LeaseLost);
  a->begin();
  a->put_workflow(workflow("wf", "Failed"));
  EXPECT_THROW(a->commit(), LeaseLost);
  a->rollback();

  // Nothing of the old holder's landed after the takeover.
  EXPECT_EQ(b->get_workflow("argo", "wf")->phase, "Running");
  EXPECT_EQ(b->get_nodes("argo", "wf").at(0).status["phase"], "Running");
  // Reads still work for the fenced store.
  EXPECT_TRUE(a->get_workflow("argo", "wf"));
}

TEST_P(LeaseTest, LeaseBookkeepingIsNotFencedSoAStoreCanMoveOnToTheNextWorkflow) {
  // A server reuses a connection for its next workflow: the fence of the last one, whose lease
  // it has released, must not stop it from leasing the next.
  auto epoch = a->acquire_lease("argo", "first", "server-a", 60'000);
  ASSERT_TRUE(epoch);
  a->fence("argo", "first", "server-a", *epoch);
  a->release_lease("argo", "first", "server-a");
  ASSERT_TRUE(b->acquire_lease("argo", "first", "server-b", 60'000));
  auto next = a->acquire_lease("argo", "second", "server-a", 60'000);
  ASSERT_TRUE(next);
  EXPECT_NO_THROW(a->renew_leases("server-a", 60'000));
  a->fence("argo", "second", "server-a", *next);
  EXPECT_NO_THROW(a->put_workflow(workflow("second", "Running")));
}

TEST_P(LeaseTest, UnfencedStoresWriteFreely) {
  ASSERT_TRUE(a->acquire_lease("argo", "wf", "server-a", 60'000));
  // The API's connections (stop requests, deletes) are not fenced.
  EXPECT_NO_THROW(b->append_event("argo", "wf", {0, 1, "", "Normal", "ShutdownRequested", "Stop"}));
}

TEST_P(LeaseTest, ArchiveRetentionDeletesOnlyOldFinishedWorkflows) {
  auto finished = [](const std::string& name, int64_t at) {
    WorkflowRecord wf = workflow(name, "Succeeded");
    wf.finished_at = at;
    return wf;
  };
  a->put_workflow(finished("old", 1'000));
  a->put_nodes("argo", "old", {{"old", {{"phase", "Succeeded"}}}});
  a->append_event("argo", "old", {});
  a->put_workflow(finished("recent", 5'000));
  a->put_workflow(workflow("running", "Running"));
  EXPECT_EQ(a->delete_finished_before(2'000), 1);
  EXPECT_FALSE(a->get_workflow("argo", "old"));
  EXPECT_TRUE(a->get_nodes("argo", "old").empty());
  EXPECT_TRUE(a->events("argo", "old", 0).empty());
  EXPECT_TRUE(a->get_workflow("argo", "recent"));
  EXPECT_TRUE(a->get_workflow("argo", "running"));
  EXPECT_EQ(a->delete_finished_before(2'000), 0);
}

TEST_P(LeaseTest, ListFiltersByStartTime) {
  for (int i = 1; i <= 5; ++i) {
    WorkflowRecord wf = workflow("wf-" + std::to_string(i), "Succeeded");
    wf.started_at = i * 1000;
    a->put_workflow(wf);
  }
  ListFilter filter;
  filter.started_after_ms = 2000;
  filter.started_before_ms = 4000;
  auto list = a->list_workflows(filter);
  ASSERT_EQ(list.size(), 2u);
  EXPECT_EQ(list[0].name, "wf-2");
  EXPECT_EQ(list[1].name, "wf-3");
}

TEST_P(LeaseTest, DataVersionMovesOnlyForOtherConnectionsWrites) {
  int64_t before = a->data_version();
  a->put_workflow(workflow("mine", "Running"));
  EXPECT_EQ(a->data_version(), before);
  b->put_workflow(workflow("theirs", "Running"));
  EXPECT_NE(a->data_version(), before);
}

TEST_P(LeaseTest, TextWithNulAndInvalidUtf8IsStored) {
  WorkflowRecord wf = workflow("odd", "Failed");
  wf.message = std::string("a\0b\xff", 4);
  a->put_workflow(wf);
  auto back = b->get_workflow("argo", "odd");
  ASSERT_TRUE(back);
  if (GetParam() == Backend::Sqlite) {
    EXPECT_EQ(back->message, wf.message);  // SQLite keeps bytes as they are
    return;
  }
  // PostgreSQL text holds neither: both become U+FFFD instead of failing the write.
  EXPECT_EQ(back->message,
            "a\xEF\xBF\xBD"
            "b\xEF\xBF\xBD");
}

INSTANTIATE_TEST_SUITE_P(Backends, LeaseTest, ::testing::Values(Backend::Sqlite, Backend::Postgres),
                         testing::backend_name);

}  // namespace
}  // namespace rampart::store
