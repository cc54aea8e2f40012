// ParallelFor: runs fn(i, worker) for i in [0, count) on `threads` worker threads.
//
// Items are handed out one at a time from a shared counter, so slow items (a large image) do
// not hold up a fixed share of the work. `worker` is 0..threads-1 and lets callers keep
// per-thread state (scratch buffers) without locking. Returns when every item is done.
// fn must not throw.
#ifndef VIGIL_CORE_PARALLEL_H_
#define VIGIL_CORE_PARALLEL_H_

#include <algorithm>
#include <atomic>
#include <cstddef>
#include <thread>
#include <vector>

namespace vigil {

// Number of hardware threads, at least 1.
inline int HardwareThreads() { return std::max(1u, std::thread::hardware_concurrency()); }

template <typename Fn>
void ParallelFor(size_t count, int threads, Fn&& fn) {
  threads = std::max(1, std::min<int>(threads, static_cast<int>(std::max<size_t>(count, 1))));
  std::atomic<size_t> next{0};
  auto run = [&](int worker) {
    for (size_t i = next.fetch_add(1); i < count; i = next.fetch_add(1)) fn(i, worker);
  };
  if (threads == 1) {
    run(0);
    return;
  }
  std::vector<std::jthread> pool;
  pool.reserve(threads - 1);
  for (int w = 1; w < threads; ++w) pool.emplace_back(run, w);
  run(0);
}

}  // namespace vigil

#endif  // VIGIL_CORE_PARALLEL_H_
