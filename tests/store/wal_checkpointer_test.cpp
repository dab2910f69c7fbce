// The WAL of the SQLite store is checkpointed on a thread of its own (store/wal_checkpointer).
#include "store/wal_checkpointer.h"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <string>
#include <vector>

#include "store/store.h"
#include "temp_dir.h"

namespace rampart::store {
namespace {

using testing::TempDir;

int64_t file_size(const std::string& path) {
  struct stat info {};
  return ::stat(path.c_str(), &info) == 0 ? static_cast<int64_t>(info.st_size) : -1;
}

// One transaction of `nodes` rows of about 4 KB each: about that many pages of log.
void write_pages(Store& store, int round, int nodes) {
  std::vector<NodeRecord> batch;
  for (int i = 0; i < nodes; ++i) {
    batch.push_back({"n" + std::to_string(round) + "-" + std::to_string(i), {{"pad", std::string(4000, 'x')}}});
  }
  store.put_nodes("argo", "wal", batch);
}

TEST(WalCheckpointer, TheLogIsCheckpointedBesideTheWriterAndStartsOver) {
  TempDir dir;
  const std::string path = dir.file("rampart.db");
  auto store = open_sqlite(path);
  auto checkpointer = WalCheckpointer::shared(path);
  const int64_t before = checkpointer->completed();

  // Past the request threshold (the log's header is 32 bytes, each frame 24 + a 4 KB page), the
  // commit asks, and a checkpoint completes on its own thread.
  int round = 0;
  const auto frames = [&] { return (file_size(path + "-wal") - 32) / (24 + 4096); };
  while (frames() < WalCheckpointer::kRequestPages) write_pages(*store, round++, 10);
  ASSERT_GE(checkpointer->wait_for_completed(before + 1, 60'000), before + 1);

  // The next writes start the log over instead of growing it.
  const int64_t high_water = file_size(path + "-wal");
  for (int i = 0; i < 20; ++i) write_pages(*store, round++, 10);
  EXPECT_EQ(file_size(path + "-wal"), high_water);

  // Every row is there for a reader.
  EXPECT_EQ(store->get_nodes("argo", "wal").size(), static_cast<size_t>(round * 10));
}

TEST(WalCheckpointer, ConnectionsToOneFileShareOneAndItEndsWithThem) {
  TempDir dir;
  const std::string path = dir.file("rampart.db");
  std::weak_ptr<WalCheckpointer> seen;
  {
    auto first = open_sqlite(path);
    auto second = open_sqlite(path);
    seen = WalCheckpointer::shared(path);
    EXPECT_EQ(WalCheckpointer::shared(path), seen.lock());
    EXPECT_NE(WalCheckpointer::shared(dir.file("other.db")), seen.lock());
  }
  EXPECT_TRUE(seen.expired());
}

}  // namespace
}  // namespace rampart::store
