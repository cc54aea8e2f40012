// PeriodicTask: the background loops (the server's bank poll, exchange sync and retry of kept
// items, the scheduled purge) share one way to run a task every interval and to stop it promptly:
// Stop wakes the thread from its wait, and a long task can end early by asking stopping() or by
// waiting in SleepFor.
//
// Thread safety: Start and Stop from one controlling thread; stopping() and SleepFor from the
// task.
#ifndef VIGIL_CORE_PERIODIC_TASK_H_
#define VIGIL_CORE_PERIODIC_TASK_H_

#include <chrono>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <thread>

namespace vigil {

class PeriodicTask {
 public:
  enum class FirstRun { kAtOnce, kAfterInterval };

  PeriodicTask() = default;
  ~PeriodicTask() { Stop(); }
  PeriodicTask(const PeriodicTask&) = delete;
  PeriodicTask& operator=(const PeriodicTask&) = delete;

  // Runs `task` every `interval` on a new thread; nothing when the interval is not positive or
  // the thread already runs. After Stop, Start runs it again.
  void Start(std::chrono::milliseconds interval, FirstRun first, std::function<void()> task) {
    if (interval.count() <= 0 || thread_.joinable()) return;
    {
      std::lock_guard lock(mu_);
      stop_ = false;
    }
    thread_ = std::thread([this, interval, first, task = std::move(task)] {
      if (first == FirstRun::kAfterInterval && SleepFor(interval)) return;
      do {
        task();
      } while (!SleepFor(interval));
    });
  }

  // Wakes the thread and joins it; a task in progress finishes first.
  void Stop() {
    {
      std::lock_guard lock(mu_);
      stop_ = true;
    }
    wake_.notify_all();
    if (thread_.joinable()) thread_.join();
  }

  bool stopping() {
    std::lock_guard lock(mu_);
    return stop_;
  }

  // Waits `d`, or less when stopped; true when stopped.
  bool SleepFor(std::chrono::milliseconds d) {
    std::unique_lock lock(mu_);
    return wake_.wait_for(lock, d, [this] { return stop_; });
  }

 private:
  std::mutex mu_;
  std::condition_variable wake_;
  bool stop_ = false;  // guarded by mu_
  std::thread thread_;
};

}  // namespace vigil

#endif  // VIGIL_CORE_PERIODIC_TASK_H_
