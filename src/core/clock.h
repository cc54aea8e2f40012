// Clock: where library code gets the time, so tests can move it (retention, leases, audit).
//
// Thread safety: SystemClock is stateless; FakeClock is safe to read and advance from any
// thread.
#ifndef VIGIL_CORE_CLOCK_H_
#define VIGIL_CORE_CLOCK_H_

#include <atomic>
#include <chrono>
#include <cstdint>
#include <string>

namespace vigil {

using TimePoint = std::chrono::sys_seconds;

class Clock {
 public:
  virtual ~Clock() = default;
  virtual TimePoint Now() const = 0;
};

class SystemClock final : public Clock {
 public:
  TimePoint Now() const override {
    return std::chrono::floor<std::chrono::seconds>(std::chrono::system_clock::now());
  }
};

class FakeClock final : public Clock {
 public:
  explicit FakeClock(TimePoint start) : now_(start.time_since_epoch().count()) {}
  TimePoint Now() const override { return TimePoint(std::chrono::seconds(now_.load())); }
  void Advance(std::chrono::seconds by) { now_ += by.count(); }
  void Set(TimePoint t) { now_ = t.time_since_epoch().count(); }

 private:
  std::atomic<int64_t> now_;
};

// "2026-11-27T06:45:15Z".
std::string FormatUtc(TimePoint t);

}  // namespace vigil

#endif  // VIGIL_CORE_CLOCK_H_
