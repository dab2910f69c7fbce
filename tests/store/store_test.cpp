// Behaviour of every Store method, on SQLite and on PostgreSQL: the same tests, run against both.
#include <gtest/gtest.h>

#include <algorithm>
#include <set>
#include <stdexcept>
#include <string>
#include <vector>

#include "store/store.h"
#include "test_database.h"

namespace rampart::store {
namespace {

using testing::Backend;
using testing::TestDatabase;

WorkflowRecord make_workflow(const std::string& ns, const std::string& name, const std::string& phase = "Running") {
  WorkflowRecord wf;
  wf.namespace_ = ns;
  wf.name = name;
  wf.uid = "uid-" + ns + "-" + name;
  wf.phase = phase;
  wf.message = "msg " + name;
  wf.created_at = 1'700'000'000'000;
  wf.started_at = 1'700'000'000'100;
  wf.finished_at = 0;
  wf.labels_json = R"({"team":"a"})";
  wf.manifest = {{"apiVersion", "argoproj.io/v1alpha1"}, {"kind", "Workflow"}, {"metadata", {{"name", name}}}};
  wf.status = {{"progress", "0/1"}};
  wf.owner = "engine-1";
  return wf;
}

std::vector<std::string> names_of(const std::vector<WorkflowRecord>& list) {
  std::vector<std::string> names;
  for (const auto& wf : list) names.push_back(wf.namespace_ + "/" + wf.name);
  return names;
}

class StoreTest : public ::testing::TestWithParam<Backend> {
 protected:
  void SetUp() override {
    if (GetParam() == Backend::Postgres) RAMPART_REQUIRE_POSTGRES();
    db = std::make_unique<TestDatabase>(GetParam());
    store = db->open();
  }
  void TearDown() override {
    store.reset();
    db.reset();
  }
  // Another connection to the same database (another process, as far as the store can tell).
  std::unique_ptr<Store> open_other() const { return db->open(); }

  std::unique_ptr<TestDatabase> db;
  std::unique_ptr<Store> store;
};

TEST_P(StoreTest, WorkflowRoundTripsEveryField) {
  WorkflowRecord wf = make_workflow("argo", "hello");
  wf.finished_at = 42;
  wf.status["outputs"] = {{"parameters", Json::array({{{"name", "x"}, {"value", "ünïcode \"quoted\"\n"}}})}};
  store->put_workflow(wf);

  auto got = store->get_workflow("argo", "hello");
  ASSERT_TRUE(got);
  EXPECT_EQ(got->namespace_, wf.namespace_);
  EXPECT_EQ(got->name, wf.name);
  EXPECT_EQ(got->uid, wf.uid);
  EXPECT_EQ(got->phase, wf.phase);
  EXPECT_EQ(got->message, wf.message);
  EXPECT_EQ(got->created_at, wf.created_at);
  EXPECT_EQ(got->started_at, wf.started_at);
  EXPECT_EQ(got->finished_at, wf.finished_at);
  EXPECT_EQ(got->labels_json, wf.labels_json);
  EXPECT_EQ(got->manifest, wf.manifest);
  EXPECT_EQ(got->status, wf.status);
  EXPECT_EQ(got->owner, wf.owner);
}

TEST_P(StoreTest, DefaultRecordRoundTrips) {
  WorkflowRecord wf;
  wf.name = "empty";
  store->put_workflow(wf);
  auto got = store->get_workflow("argo", "empty");
  ASSERT_TRUE(got);
  EXPECT_TRUE(got->manifest.is_null());
  EXPECT_TRUE(got->status.is_null());
  EXPECT_EQ(got->labels_json, "{}");
  EXPECT_EQ(got->phase, "");
}

TEST_P(StoreTest, MissingWorkflowIsNullopt) {
  EXPECT_FALSE(store->get_workflow("argo", "nope"));
  store->put_workflow(make_workflow("argo", "hello"));
  EXPECT_FALSE(store->get_workflow("other", "hello"));
}

TEST_P(StoreTest, PutWorkflowReplacesAndKeepsNodes) {
  store->put_workflow(make_workflow("argo", "hello", "Running"));
  store->put_nodes("argo", "hello", {{"hello", {{"phase", "Running"}}}});

  WorkflowRecord updated = make_workflow("argo", "hello", "Succeeded");
  updated.message = "";
  updated.finished_at = 99;
  updated.owner = "";
  store->put_workflow(updated);

  auto got = store->get_workflow("argo", "hello");
  ASSERT_TRUE(got);
  EXPECT_EQ(got->phase, "Succeeded");
  EXPECT_EQ(got->message, "");
  EXPECT_EQ(got->finished_at, 99);
  EXPECT_EQ(got->owner, "");
  EXPECT_EQ(store->list_workflows({}).size(), 1u);
  EXPECT_EQ(store->get_nodes("argo", "hello").size(), 1u);
}

TEST_P(StoreTest, PutWorkflowStatusUpdatesWhatRunsAndKeepsTheManifest) {
  WorkflowRecord stored = make_workflow("argo", "hello", "Running");
  store->put_workflow(stored);

  WorkflowRecord update = stored;
  update.phase = "Succeeded";
  update.message = "done";
  update.started_at = 5;
  update.finished_at = 99;
  update.labels_json = R"({"team":"b"})";
  update.status = {{"progress", "1/1"}};
  update.owner = "";
  update.manifest = {{"kind", "NotWritten"}};  // must not replace what is stored
  update.uid = "other-uid";
  update.created_at = 1;
  store->put_workflow_status(update);

  auto got = store->get_workflow("argo", "hello");
  ASSERT_TRUE(got);
  EXPECT_EQ(got->phase, "Succeeded");
  EXPECT_EQ(got->message, "done");
  EXPECT_EQ(got->started_at, 5);
  EXPECT_EQ(got->finished_at, 99);
  EXPECT_EQ(got->labels_json, R"({"team":"b"})");
  EXPECT_EQ(got->status, update.status);
  EXPECT_EQ(got->owner, "");
  EXPECT_EQ(got->manifest, stored.manifest);
  EXPECT_EQ(got->uid, stored.uid);
  EXPECT_EQ(got->created_at, stored.created_at);

  WorkflowRecord absent = make_workflow("argo", "never-stored");
  store->put_workflow_status(absent);
  EXPECT_FALSE(store->get_workflow("argo", "never-stored"));
}

TEST_P(StoreTest, InvalidUtf8IsReplacedNotFatal) {
  WorkflowRecord wf = make_workflow("argo", "bytes");
  wf.status = {{"output", std::string("ok\xff\xfe")}};
  store->put_workflow(wf);
  auto got = store->get_workflow("argo", "bytes");
  ASSERT_TRUE(got);
  EXPECT_EQ(got->status["output"], "ok\xEF\xBF\xBD\xEF\xBF\xBD");  // two U+FFFD
}

TEST_P(StoreTest, NodesRoundTripAndUpsert) {
  store->put_nodes("argo", "wf", {{"wf-1", {{"phase", "Pending"}}}, {"wf-2", {{"phase", "Pending"}}}});
  store->put_nodes("argo", "wf", {{"wf-2", {{"phase", "Succeeded"}, {"children", {"wf-3"}}}}, {"wf-3", {}}});
  store->put_nodes("argo", "other", {{"wf-1", {{"phase", "Failed"}}}});

  auto nodes = store->get_nodes("argo", "wf");
  ASSERT_EQ(nodes.size(), 3u);  // ordered by id
  EXPECT_EQ(nodes[0].id, "wf-1");
  EXPECT_EQ(nodes[0].status, Json({{"phase", "Pending"}}));
  EXPECT_EQ(nodes[1].id, "wf-2");
  EXPECT_EQ(nodes[1].status, Json({{"phase", "Succeeded"}, {"children", {"wf-3"}}}));
  EXPECT_EQ(nodes[2].id, "wf-3");
  EXPECT_TRUE(nodes[2].status.is_null());

  EXPECT_EQ(store->get_nodes("argo", "other").size(), 1u);
  EXPECT_TRUE(store->get_nodes("argo", "missing").empty());
  EXPECT_TRUE(store->get_nodes("elsewhere", "wf").empty());
}

TEST_P(StoreTest, ForEachNodeVisitsTheWorkflowsNodesInIdOrder) {
  store->put_nodes("argo", "wf", {{"wf-2", {{"phase", "Running"}}}, {"wf-1", {{"phase", "Succeeded"}}}});
  store->put_nodes("argo", "other", {{"wf-0", {{"phase", "Failed"}}}});
  std::vector<NodeRecord> seen;
  store->for_each_node("argo", "wf", [&](NodeRecord&& node) { seen.push_back(std::move(node)); });
  ASSERT_EQ(seen.size(), 2u);
  EXPECT_EQ(seen[0].id, "wf-1");
  EXPECT_EQ(seen[0].status, Json({{"phase", "Succeeded"}}));
  EXPECT_EQ(seen[1].id, "wf-2");
  size_t none = 0;
  store->for_each_node("argo", "missing", [&](NodeRecord&&) { ++none; });
  EXPECT_EQ(none, 0u);
}

TEST_P(StoreTest, PutNodesWithNothingIsANoOp) {
  store->put_nodes("argo", "wf", {});
  EXPECT_TRUE(store->get_nodes("argo", "wf").empty());
}

TEST_P(StoreTest, ManyNodesInOneTransaction) {
  std::vector<NodeRecord> nodes;
  for (int i = 0; i < 10'000; ++i) nodes.push_back({"node-" + std::to_string(i), {{"phase", "Running"}, {"i", i}}});
  store->begin();
  store->put_nodes("argo", "big", nodes);
  store->commit();
  const auto got = store->get_nodes("argo", "big");
  ASSERT_EQ(got.size(), 10'000u);
  std::set<std::string> ids;
  for (const auto& node : got) ids.insert(node.id);
  EXPECT_EQ(ids.size(), 10'000u);
}

TEST_P(StoreTest, EventsHaveIncreasingSeqAndFilterAfterSeq) {
  std::vector<int64_t> seqs;
  for (int i = 0; i < 5; ++i) {
    EventRecord event;
    event.time_ms = 1000 + i;
    event.node_id = i == 0 ? "" : "wf-" + std::to_string(i);
    event.type = i == 4 ? "Warning" : "Normal";
    event.reason = "Reason" + std::to_string(i);
    event.message = "message " + std::to_string(i);
    event.seq = 12345;  // ignored: the store assigns it
    seqs.push_back(store->append_event("argo", "wf", event));
    store->append_event("argo", "other", event);  // interleaved events of another workflow
  }
  EXPECT_TRUE(std::is_sorted(seqs.begin(), seqs.end()));
  EXPECT_EQ(std::adjacent_find(seqs.begin(), seqs.end()), seqs.end());

  auto all = store->events("argo", "wf", 0);
  ASSERT_EQ(all.size(), 5u);
  for (size_t i = 0; i < all.size(); ++i) {
    EXPECT_EQ(all[i].seq, seqs[i]);
    EXPECT_EQ(all[i].time_ms, 1000 + static_cast<int64_t>(i));
    EXPECT_EQ(all[i].reason, "Reason" + std::to_string(i));
    EXPECT_EQ(all[i].message, "message " + std::to_string(i));
  }
  EXPECT_EQ(all[0].node_id, "");
  EXPECT_EQ(all[1].node_id, "wf-1");
  EXPECT_EQ(all[4].type, "Warning");

  auto later = store->events("argo", "wf", seqs[2]);
  ASSERT_EQ(later.size(), 2u);
  EXPECT_EQ(later[0].seq, seqs[3]);
  EXPECT_EQ(later[1].seq, seqs[4]);
  EXPECT_TRUE(store->events("argo", "wf", seqs[4]).empty());
  EXPECT_TRUE(store->events("argo", "nope", 0).empty());
}

TEST_P(StoreTest, EventSeqIsNotReusedAfterDelete) {
  const int64_t first = store->append_event("argo", "wf", {});
  store->delete_workflow("argo", "wf");
  const int64_t second = store->append_event("argo", "wf", {});
  EXPECT_GT(second, first);
}

TEST_P(StoreTest, MemoPutGetOverwrite) {
  EXPECT_FALSE(store->get_memo("cache", "key"));
  store->put_memo("cache", "key", {{"parameters", {{{"name", "out"}, {"value", "1"}}}}}, 100);
  store->put_memo("other-cache", "key", {{"value", "other"}}, 50);

  auto got = store->get_memo("cache", "key");
  ASSERT_TRUE(got);
  EXPECT_EQ(got->first, Json({{"parameters", {{{"name", "out"}, {"value", "1"}}}}}));
  EXPECT_EQ(got->second, 100);

  store->put_memo("cache", "key", {{"value", "2"}}, 200);
  got = store->get_memo("cache", "key");
  ASSERT_TRUE(got);
  EXPECT_EQ(got->first, Json({{"value", "2"}}));
  EXPECT_EQ(got->second, 200);
  EXPECT_EQ(store->get_memo("other-cache", "key")->first, Json({{"value", "other"}}));
  EXPECT_FALSE(store->get_memo("cache", "other-key"));
}

TEST_P(StoreTest, DeleteCascadesToNodesAndEventsOnly) {
  store->put_workflow(make_workflow("argo", "doomed"));
  store->put_nodes("argo", "doomed", {{"doomed", {}}, {"doomed-1", {}}});
  store->append_event("argo", "doomed", {});
  store->put_workflow(make_workflow("argo", "kept"));
  store->put_nodes("argo", "kept", {{"kept", {}}});
  store->append_event("argo", "kept", {});
  store->put_workflow(make_workflow("other", "doomed"));
  store->put_nodes("other", "doomed", {{"doomed", {}}});
  store->put_memo("cache", "key", {}, 1);

  EXPECT_TRUE(store->delete_workflow("argo", "doomed"));
  EXPECT_FALSE(store->get_workflow("argo", "doomed"));
  EXPECT_TRUE(store->get_nodes("argo", "doomed").empty());
  EXPECT_TRUE(store->events("argo", "doomed", 0).empty());

  EXPECT_TRUE(store->get_workflow("argo", "kept"));
  EXPECT_EQ(store->get_nodes("argo", "kept").size(), 1u);
  EXPECT_EQ(store->events("argo", "kept", 0).size(), 1u);
  EXPECT_TRUE(store->get_workflow("other", "doomed"));
  EXPECT_EQ(store->get_nodes("other", "doomed").size(), 1u);
  EXPECT_TRUE(store->get_memo("cache", "key"));

  EXPECT_FALSE(store->delete_workflow("argo", "doomed"));
}

TEST_P(StoreTest, DeleteInsideTransactionIsUndoneByRollback) {
  store->put_workflow(make_workflow("argo", "wf"));
  store->put_nodes("argo", "wf", {{"wf", {}}});
  store->begin();
  EXPECT_TRUE(store->delete_workflow("argo", "wf"));
  EXPECT_FALSE(store->get_workflow("argo", "wf"));  // visible inside the transaction
  store->rollback();
  EXPECT_TRUE(store->get_workflow("argo", "wf"));
  EXPECT_EQ(store->get_nodes("argo", "wf").size(), 1u);
}

class ListTest : public StoreTest {
 protected:
  void SetUp() override {
    StoreTest::SetUp();
    if (!store) return;
    store->put_workflow(make_workflow("argo", "b-two", "Succeeded"));
    store->put_workflow(make_workflow("argo", "a-one", "Running"));
    store->put_workflow(make_workflow("argo", "b-three", "Failed"));
    store->put_workflow(make_workflow("dev", "a-one", "Running"));
    store->put_workflow(make_workflow("dev", "c-four", "Pending"));
    store->put_workflow(make_workflow("prod", "b-five", "Error"));
  }
};

TEST_P(ListTest, AllOrderedByNamespaceThenName) {
  EXPECT_EQ(names_of(store->list_workflows({})), (std::vector<std::string>{"argo/a-one", "argo/b-three", "argo/b-two",
                                                                           "dev/a-one", "dev/c-four", "prod/b-five"}));
}

TEST_P(ListTest, ByNamespace) {
  ListFilter filter;
  filter.namespace_ = "dev";
  EXPECT_EQ(names_of(store->list_workflows(filter)), (std::vector<std::string>{"dev/a-one", "dev/c-four"}));
  filter.namespace_ = "nobody";
  EXPECT_TRUE(store->list_workflows(filter).empty());
}

TEST_P(ListTest, ByPhases) {
  ListFilter filter;
  filter.phases = {"Running"};
  EXPECT_EQ(names_of(store->list_workflows(filter)), (std::vector<std::string>{"argo/a-one", "dev/a-one"}));
  filter.phases = {"Failed", "Error", "Succeeded"};
  EXPECT_EQ(names_of(store->list_workflows(filter)),
            (std::vector<std::string>{"argo/b-three", "argo/b-two", "prod/b-five"}));
  filter.namespace_ = "argo";
  EXPECT_EQ(names_of(store->list_workflows(filter)), (std::vector<std::string>{"argo/b-three", "argo/b-two"}));
}

TEST_P(ListTest, ByNamePrefix) {
  ListFilter filter;
  filter.name_prefix = "b-";
  EXPECT_EQ(names_of(store->list_workflows(filter)),
            (std::vector<std::string>{"argo/b-three", "argo/b-two", "prod/b-five"}));
  filter.name_prefix = "b-t";
  filter.namespace_ = "argo";
  EXPECT_EQ(names_of(store->list_workflows(filter)), (std::vector<std::string>{"argo/b-three", "argo/b-two"}));
  filter.name_prefix = "b-two-and-more";
  EXPECT_TRUE(store->list_workflows(filter).empty());
}

TEST_P(ListTest, PrefixIsLiteralNotAPattern) {
  store->put_workflow(make_workflow("argo", "x%_y"));
  store->put_workflow(make_workflow("argo", "xay"));
  ListFilter filter;
  filter.name_prefix = "x%_";
  EXPECT_EQ(names_of(store->list_workflows(filter)), (std::vector<std::string>{"argo/x%_y"}));
  filter.name_prefix = "X";  // case-sensitive
  EXPECT_TRUE(store->list_workflows(filter).empty());
}

TEST_P(ListTest, Limit) {
  ListFilter filter;
  filter.limit = 2;
  EXPECT_EQ(names_of(store->list_workflows(filter)), (std::vector<std::string>{"argo/a-one", "argo/b-three"}));
}

TEST_P(ListTest, PagesAcrossNamespacesHaveNoGapsOrDuplicates) {
  const auto everything = names_of(store->list_workflows({}));
  for (int64_t page_size = 1; page_size <= 7; ++page_size) {
    ListFilter filter;
    filter.limit = page_size;
    std::vector<std::string> seen;
    for (int pages = 0; pages < 20; ++pages) {
      const auto page = store->list_workflows(filter);
      ASSERT_LE(static_cast<int64_t>(page.size()), page_size);
      for (const auto& name : names_of(page)) seen.push_back(name);
      if (static_cast<int64_t>(page.size()) < page_size) break;
      filter.continue_after = continue_token(page.back());
    }
    EXPECT_EQ(seen, everything) << "page size " << page_size;
  }
}

TEST_P(ListTest, PagesWithinANamespaceAcceptABareName) {
  ListFilter filter;
  filter.namespace_ = "argo";
  filter.limit = 2;
  auto first = store->list_workflows(filter);
  EXPECT_EQ(names_of(first), (std::vector<std::string>{"argo/a-one", "argo/b-three"}));
  filter.continue_after = first.back().name;
  EXPECT_EQ(names_of(store->list_workflows(filter)), (std::vector<std::string>{"argo/b-two"}));
  filter.continue_after = continue_token(first.back());
  EXPECT_EQ(names_of(store->list_workflows(filter)), (std::vector<std::string>{"argo/b-two"}));
}

TEST_P(ListTest, PagesWithFiltersAndRecordsAddedBetweenPages) {
  ListFilter filter;
  filter.phases = {"Running", "Succeeded"};
  filter.limit = 1;
  auto page = store->list_workflows(filter);
  ASSERT_EQ(names_of(page), (std::vector<std::string>{"argo/a-one"}));
  filter.continue_after = continue_token(page.back());
  store->put_workflow(make_workflow("argo", "0-before-cursor", "Running"));  // sorts before: not seen again
  store->put_workflow(make_workflow("cat", "new", "Running"));               // sorts after: seen
  std::vector<std::string> rest;
  while (!(page = store->list_workflows(filter)).empty()) {
    rest.push_back(names_of(page)[0]);
    filter.continue_after = continue_token(page.back());
  }
  EXPECT_EQ(rest, (std::vector<std::string>{"argo/b-two", "cat/new", "dev/a-one"}));
}

TEST_P(ListTest, BareContinueNameAcrossNamespacesIsRejected) {
  ListFilter filter;
  filter.continue_after = "a-one";
  EXPECT_THROW(store->list_workflows(filter), std::invalid_argument);
}

TEST_P(StoreTest, RollbackDiscardsEverything) {
  store->put_workflow(make_workflow("argo", "before"));
  store->begin();
  store->put_workflow(make_workflow("argo", "inside"));
  store->put_nodes("argo", "inside", {{"inside", {}}});
  store->append_event("argo", "inside", {});
  store->put_memo("cache", "key", {}, 1);
  store->rollback();

  EXPECT_TRUE(store->get_workflow("argo", "before"));
  EXPECT_FALSE(store->get_workflow("argo", "inside"));
  EXPECT_TRUE(store->get_nodes("argo", "inside").empty());
  EXPECT_TRUE(store->events("argo", "inside", 0).empty());
  EXPECT_FALSE(store->get_memo("cache", "key"));
}

TEST_P(StoreTest, CommitIsVisibleToASecondStoreOnTheSameFile) {
  auto other = open_other();
  store->begin();
  store->put_workflow(make_workflow("argo", "grouped"));
  store->put_nodes("argo", "grouped", {{"grouped", {{"phase", "Running"}}}});
  store->append_event("argo", "grouped", {});
  EXPECT_FALSE(other->get_workflow("argo", "grouped"));  // not yet committed
  store->commit();

  EXPECT_TRUE(other->get_workflow("argo", "grouped"));
  EXPECT_EQ(other->get_nodes("argo", "grouped").size(), 1u);
  EXPECT_EQ(other->events("argo", "grouped", 0).size(), 1u);

  store.reset();
  EXPECT_TRUE(open_other()->get_workflow("argo", "grouped"));
}

TEST_P(StoreTest, UncommittedTransactionIsDiscardedWhenTheStoreCloses) {
  store->begin();
  store->put_workflow(make_workflow("argo", "abandoned"));
  store.reset();
  EXPECT_FALSE(open_other()->get_workflow("argo", "abandoned"));
}

TEST_P(StoreTest, TransactionMisuseIsReported) {
  EXPECT_THROW(store->commit(), std::logic_error);
  EXPECT_NO_THROW(store->rollback());  // harmless outside a transaction
  store->begin();
  EXPECT_THROW(store->begin(), std::logic_error);
  store->put_workflow(make_workflow("argo", "still-open"));
  store->commit();
  EXPECT_TRUE(store->get_workflow("argo", "still-open"));
}

TEST_P(StoreTest, StoreIsUsableAfterATransaction) {
  store->begin();
  store->put_workflow(make_workflow("argo", "one"));
  store->commit();
  store->put_workflow(make_workflow("argo", "two"));  // autocommit again
  auto other = open_other();
  EXPECT_TRUE(other->get_workflow("argo", "two"));
}

TEST(ContinueToken, IsNamespaceSlashName) {
  WorkflowRecord wf;
  wf.namespace_ = "dev";
  wf.name = "hello";
  EXPECT_EQ(continue_token(wf), "dev/hello");
}

INSTANTIATE_TEST_SUITE_P(Backends, StoreTest, ::testing::Values(Backend::Sqlite, Backend::Postgres),
                         testing::backend_name);
INSTANTIATE_TEST_SUITE_P(Backends, ListTest, ::testing::Values(Backend::Sqlite, Backend::Postgres),
                         testing::backend_name);

}  // namespace
}  // namespace rampart::store
