// The SQLite store shared between processes: durability when the writer is SIGKILLed, and readers
// in another process while the engine writes.
//
// Every test forks before any Store is open in the parent: SQLite keeps per-process lock state,
// and a child that inherited it would believe it holds locks it does not.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <functional>
#include <string>

#include "store/store.h"
#include "temp_dir.h"

namespace rampart::store {
namespace {

using testing::TempDir;

// One direction of communication between parent and child.
class Pipe {
 public:
  Pipe() {
    if (::pipe(fds_) != 0) throw std::runtime_error("pipe failed");
  }
  ~Pipe() {
    close_read();
    close_write();
  }
  Pipe(const Pipe&) = delete;
  Pipe& operator=(const Pipe&) = delete;

  void close_read() { close_fd(fds_[0]); }
  void close_write() { close_fd(fds_[1]); }

  void send(char marker) const {
    while (::write(fds_[1], &marker, 1) != 1) {}
  }
  // The next byte, or '\0' when the other end closed (for example because it died).
  char receive() const {
    char marker = 0;
    ssize_t got = 0;
    do {
      got = ::read(fds_[0], &marker, 1);
    } while (got < 0 && errno == EINTR);
    return got == 1 ? marker : '\0';
  }

 private:
  static void close_fd(int& fd) {
    if (fd >= 0) ::close(fd);
    fd = -1;
  }
  int fds_[2] = {-1, -1};
};

// Runs `body` in a child process, whose exit status is body's result (1 when it throws). The child
// leaves with _exit so it runs none of the parent's destructors or test bookkeeping.
pid_t spawn(const std::function<int()>& body) {
  const pid_t pid = ::fork();
  if (pid < 0) throw std::runtime_error("fork failed");
  if (pid == 0) {
    int code = 1;
    try {
      code = body();
    } catch (...) {}
    ::_exit(code);
  }
  return pid;
}

int wait_for(pid_t pid) {
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {}
  return status;
}

WorkflowRecord workflow(const std::string& name, const std::string& phase, size_t padding = 0) {
  WorkflowRecord wf;
  wf.name = name;
  wf.phase = phase;
  wf.manifest = {{"metadata", {{"name", name}}}, {"padding", std::string(padding, 'p')}};
  return wf;
}

TEST(SqliteProcesses, CommittedSurvivesSigkillAndUncommittedDoesNot) {
  TempDir dir;
  const std::string path = dir.file("rampart.db");
  Pipe progress;

  const pid_t writer = spawn([&] {
    progress.close_read();
    auto store = open_sqlite(path);
    store->begin();
    for (int i = 0; i < 50; ++i) {
      const std::string name = "committed-" + std::to_string(i);
      store->put_workflow(workflow(name, "Running"));
      store->put_nodes("argo", name, {{name, {{"phase", "Running"}}}, {name + "-1", {{"phase", "Pending"}}}});
      store->append_event("argo", name, {0, 1, "", "Normal", "WorkflowRunning", ""});
    }
    store->commit();
    store->put_memo("cache", "committed", {{"value", "1"}}, 1);  // autocommit
    progress.send('C');

    // A later round that never commits. It writes far more than the page cache holds, so SQLite
    // spills uncommitted pages into the WAL file before the kill.
    store->begin();
    store->put_nodes("argo", "committed-0", {{"committed-0", {{"phase", "Succeeded"}}}});
    store->delete_workflow("argo", "committed-1");
    store->put_memo("cache", "committed", {{"value", "overwritten"}}, 2);
    for (int i = 0; i < 3000; ++i) store->put_workflow(workflow("uncommitted-" + std::to_string(i), "Pending", 1000));
    progress.send('U');
    // Killed while still writing inside the open transaction.
    for (int i = 0;; ++i) store->put_workflow(workflow("uncommitted-more-" + std::to_string(i), "Pending", 1000));
    return 0;
  });
  progress.close_write();

  ASSERT_EQ(progress.receive(), 'C') << "writer failed before committing";
  ASSERT_EQ(progress.receive(), 'U') << "writer failed inside the uncommitted transaction";
  ::kill(writer, SIGKILL);
  const int status = wait_for(writer);
  ASSERT_TRUE(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL);

  auto store = open_sqlite(path);
  ListFilter filter;
  filter.name_prefix = "committed-";
  EXPECT_EQ(store->list_workflows(filter).size(), 50u);
  filter.name_prefix = "uncommitted-";
  EXPECT_TRUE(store->list_workflows(filter).empty());

  const auto nodes = store->get_nodes("argo", "committed-0");
  ASSERT_EQ(nodes.size(), 2u);
  EXPECT_EQ(nodes[0].status["phase"], "Running");
  EXPECT_EQ(store->get_nodes("argo", "committed-1").size(), 2u);
  EXPECT_EQ(store->events("argo", "committed-1", 0).size(), 1u);
  EXPECT_EQ(store->get_memo("cache", "committed")->first, Json({{"value", "1"}}));

  // The dead writer left no lock behind.
  store->begin();
  store->put_workflow(workflow("after-crash", "Running"));
  store->commit();
  EXPECT_TRUE(store->get_workflow("argo", "after-crash"));
}

TEST(SqliteProcesses, ReaderProcessIsNotBlockedByAnOpenWriteTransaction) {
  TempDir dir;
  const std::string path = dir.file("rampart.db");
  Pipe to_reader;
  Pipe to_writer;

  const pid_t reader = spawn([&] {
    to_reader.close_write();
    to_writer.close_read();
    if (to_reader.receive() != 'W') return 2;  // the writer holds an open write transaction now
    // Opening and reading while the writer holds the write lock: sees the last committed state.
    auto store = open_sqlite(path);
    const bool before_ok = store->get_workflow("argo", "committed") &&
                           store->get_nodes("argo", "committed").size() == 3 &&
                           !store->get_workflow("argo", "pending") && store->list_workflows({}).size() == 1;
    to_writer.send(before_ok ? 'R' : 'F');
    if (to_reader.receive() != 'C') return 3;
    const bool after_ok = store->get_workflow("argo", "pending") && store->get_nodes("argo", "pending").size() == 1 &&
                          store->list_workflows({}).size() == 2;
    to_writer.send(after_ok ? 'S' : 'F');
    return 0;
  });
  to_reader.close_read();
  to_writer.close_write();

  {
    auto store = open_sqlite(path);
    store->put_workflow(workflow("committed", "Running"));
    store->put_nodes("argo", "committed", {{"a", {}}, {"b", {}}, {"c", {}}});
    store->begin();
    store->put_workflow(workflow("pending", "Pending"));
    store->put_nodes("argo", "pending", {{"p", {}}});
    to_reader.send('W');
    EXPECT_EQ(to_writer.receive(), 'R');
    store->commit();
    to_reader.send('C');
    EXPECT_EQ(to_writer.receive(), 'S');
  }
  const int status = wait_for(reader);
  EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << "reader exit status " << status;
}

TEST(SqliteProcesses, ReaderProcessSeesWholeRoundsWhileTheWriterCommits) {
  TempDir dir;
  const std::string path = dir.file("rampart.db");
  constexpr int kRounds = 100;
  constexpr size_t kNodesPerRound = 5;

  const pid_t reader = spawn([&] {
    // Both processes may create the file and migrate at once; the migration handles that.
    auto store = open_sqlite(path);
    for (int attempt = 0; attempt < 1'000'000; ++attempt) {
      const auto list = store->list_workflows({});
      for (const auto& wf : list) {
        // A round commits a workflow with all its nodes: never a workflow with only some.
        if (store->get_nodes(wf.namespace_, wf.name).size() != kNodesPerRound) return 4;
      }
      if (list.size() == kRounds) return 0;
    }
    return 5;
  });

  {
    auto store = open_sqlite(path);
    for (int round = 0; round < kRounds; ++round) {
      const std::string name = "wf-" + std::to_string(round);
      store->begin();
      store->put_workflow(workflow(name, "Running"));
      std::vector<NodeRecord> nodes;
      for (size_t i = 0; i < kNodesPerRound; ++i) nodes.push_back({name + "-" + std::to_string(i), {}});
      store->put_nodes("argo", name, nodes);
      store->append_event("argo", name, {});
      store->commit();
    }
  }
  const int status = wait_for(reader);
  EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << "reader exit status " << status;
}

}  // namespace
}  // namespace rampart::store
