// The volume counters contract, run on memory, SQLite and PostgreSQL: increments add up per
// key, listing filters by day, and the counts survive reopening the database.
#include <gtest/gtest.h>

#include <filesystem>
#include <thread>

#include "stats/volume.h"
#include "store/pg_test_database.h"
#include "store/store.h"

namespace vigil::store {
namespace {

using stats::Region;
using stats::VolumeCount;
using stats::VolumeKey;

using testing::Backend;

class VolumeCountersTest : public ::testing::TestWithParam<Backend> {
 protected:
  void SetUp() override {
    storage_.Prepare(GetParam(), "vigil_volume");
    if (IsSkipped() || HasFatalFailure()) return;
    if (GetParam() == Backend::kMemory) {
      memory_ = std::make_unique<stats::InMemoryVolumeCounters>();
      return;
    }
    Reopen();
  }
  void Reopen() {
    db_.reset();
    auto db = OpenDatabase(storage_.url());
    ASSERT_TRUE(db.ok()) << db.status().ToString();
    db_ = std::move(*db);
  }
  stats::VolumeCounterSink& counters() { return memory_ ? *memory_ : db_->volume(); }

  std::unique_ptr<stats::InMemoryVolumeCounters> memory_;
  testing::BackendStorage storage_;  // declared before db_, which must close first
  std::unique_ptr<Database> db_;
};

TEST_P(VolumeCountersTest, IncrementsAddUpPerKeyAndListFiltersByDay) {
  const VolumeKey pdq_eu{20000, "pdq@1", "image", Region::kEu};
  const VolumeKey pdq_non_eu{20000, "pdq@1", "image", Region::kNonEu};
  const VolumeKey next_day{20001, "md5@1", "image", Region::kUnknown};
  ASSERT_TRUE(counters().Add(pdq_eu, {1, 0}).ok());
  ASSERT_TRUE(counters().Add(pdq_eu, {1, 1}).ok());
  ASSERT_TRUE(counters().Add(pdq_non_eu, {3, 2}).ok());
  ASSERT_TRUE(counters().Add(next_day, {5, 0}).ok());

  auto day0 = counters().List(20000, 20000);
  ASSERT_TRUE(day0.ok()) << day0.status().ToString();
  ASSERT_EQ(day0->size(), 2u);
  EXPECT_EQ(day0->at(pdq_eu), (VolumeCount{2, 1}));
  EXPECT_EQ(day0->at(pdq_non_eu), (VolumeCount{3, 2}));
  auto both = counters().List(19999, 20001);
  ASSERT_TRUE(both.ok());
  EXPECT_EQ(both->size(), 3u);
  EXPECT_EQ(both->at(next_day), (VolumeCount{5, 0}));
  EXPECT_TRUE(counters().List(30000, 30001)->empty());
}

TEST_P(VolumeCountersTest, ConcurrentIncrementsAreNotLost) {
  const VolumeKey key{20000, "pdq@1", "image", Region::kEu};
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 25; ++i) EXPECT_TRUE(counters().Add(key, {1, i % 5 == 0 ? 1u : 0u}).ok());
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(counters().List(20000, 20000)->at(key), (VolumeCount{100, 20}));
}

TEST_P(VolumeCountersTest, CountsPersistAcrossReopen) {
  if (GetParam() == Backend::kMemory) GTEST_SKIP() << "the in-memory counters do not persist";
  const VolumeKey key{20000, "vpdq@1", "video", Region::kEu};
  ASSERT_TRUE(counters().Add(key, {7, 3}).ok());
  Reopen();
  EXPECT_EQ(counters().List(20000, 20000)->at(key), (VolumeCount{7, 3}));
}

INSTANTIATE_TEST_SUITE_P(Backends, VolumeCountersTest,
                         ::testing::Values(Backend::kMemory, Backend::kSqlite, Backend::kPostgres),
                         testing::BackendTestName);

}  // namespace
}  // namespace vigil::store
