// PeriodicTask (core/periodic_task.h): when the task runs first, that Stop wakes a thread
// waiting out a long interval (an hour here: a Stop that did not wake it would hang the test
// until ctest's timeout), that a stopped task can be started again, and that SleepFor ends early
// once stopped. No timing is asserted.
#include "core/periodic_task.h"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <thread>

namespace vigil {
namespace {

using namespace std::chrono_literals;

// Polls until `runs` reaches `want` (at most ~10 s); true when it did.
bool AwaitRuns(const std::atomic<int>& runs, int want) {
  for (int i = 0; i < 10000 && runs.load() < want; ++i) std::this_thread::sleep_for(1ms);
  return runs.load() >= want;
}

TEST(PeriodicTaskTest, RunsAtOnceThenStopWakesTheWaitAndStartRunsItAgain) {
  PeriodicTask task;
  std::atomic<int> runs{0};
  task.Start(std::chrono::hours(1), PeriodicTask::FirstRun::kAtOnce, [&] { ++runs; });
  ASSERT_TRUE(AwaitRuns(runs, 1));
  task.Stop();  // the thread is in its hour-long wait
  EXPECT_EQ(runs.load(), 1);
  EXPECT_TRUE(task.stopping());

  task.Start(std::chrono::hours(1), PeriodicTask::FirstRun::kAtOnce, [&] { ++runs; });
  EXPECT_FALSE(task.stopping());
  ASSERT_TRUE(AwaitRuns(runs, 2));
  task.Stop();
  EXPECT_EQ(runs.load(), 2);
}

TEST(PeriodicTaskTest, AfterIntervalWaitsFirstAndRepeats) {
  PeriodicTask task;
  std::atomic<int> runs{0};
  task.Start(std::chrono::hours(1), PeriodicTask::FirstRun::kAfterInterval, [&] { ++runs; });
  task.Stop();  // stopped during the first wait: never ran
  EXPECT_EQ(runs.load(), 0);

  task.Start(1ms, PeriodicTask::FirstRun::kAfterInterval, [&] { ++runs; });
  EXPECT_TRUE(AwaitRuns(runs, 3)) << "a 1 ms task should repeat";
  task.Stop();
}

TEST(PeriodicTaskTest, ANonPositiveIntervalStartsNothingAndSleepForEndsWhenStopped) {
  PeriodicTask task;
  std::atomic<int> runs{0};
  task.Start(0ms, PeriodicTask::FirstRun::kAtOnce, [&] { ++runs; });
  task.Stop();
  EXPECT_EQ(runs.load(), 0);
  // Stopped: a long sleep returns at once, saying so.
  EXPECT_TRUE(task.SleepFor(std::chrono::hours(1)));
}

}  // namespace
}  // namespace vigil
