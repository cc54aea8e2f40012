// The scheduled purge: a run erases what is due and reports a clean verification; the thread
// runs on its interval and stops promptly; a failing store is reported, not fatal.
#include "privacy/purge_scheduler.h"

#include <gtest/gtest.h>

#include <atomic>
#include <thread>

namespace vigil::privacy {
namespace {

const TimePoint kT0(std::chrono::seconds(1'800'000'000));

TEST(PurgeSchedulerTest, RunOnceErasesWhatIsDueAndVerifies) {
  InMemoryPrivacyStore store;
  store.AddCaseForTest(1, "a", kT0 - std::chrono::seconds(1), 5);
  store.AddCaseForTest(2, "b", kT0 + std::chrono::days(1), 5);
  auto clock = std::make_shared<FakeClock>(kT0);
  std::vector<PurgeRun> runs;
  PurgeScheduler scheduler(store, nullptr, clock, std::chrono::seconds(3600),
                           [&](const PurgeRun& r) { runs.push_back(r); });
  const PurgeRun run = scheduler.RunOnce();
  ASSERT_TRUE(run.summary.ok()) << run.summary.status().ToString();
  EXPECT_EQ(run.summary->cases, 1);
  EXPECT_EQ(run.summary->records, 5);
  EXPECT_TRUE(run.violations.empty());
  ASSERT_EQ(runs.size(), 1u);
  clock->Advance(std::chrono::days(2));
  EXPECT_EQ(scheduler.RunOnce().summary->cases, 1);
}

TEST(PurgeSchedulerTest, RunsOnItsIntervalAndStops) {
  InMemoryPrivacyStore store;
  store.AddCaseForTest(1, "a", kT0, 2);
  std::atomic<int> runs{0};
  PurgeScheduler scheduler(store, nullptr, std::make_shared<FakeClock>(kT0),
                           std::chrono::seconds(1), [&](const PurgeRun&) { ++runs; });
  scheduler.Start();
  for (int i = 0; i < 100 && runs.load() == 0; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  const auto before_stop = std::chrono::steady_clock::now();
  scheduler.Stop();
  EXPECT_LT(std::chrono::steady_clock::now() - before_stop, std::chrono::seconds(2));
  EXPECT_GE(runs.load(), 1);
  EXPECT_TRUE(store.DueCases(kT0, 10)->empty());
}

}  // namespace
}  // namespace vigil::privacy
