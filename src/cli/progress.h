// A one-line progress bar on stderr for long CLI runs; silent when not on a terminal.
#ifndef VIGIL_CLI_PROGRESS_H_
#define VIGIL_CLI_PROGRESS_H_

#include <atomic>
#include <chrono>
#include <cstddef>
#include <mutex>
#include <string>

namespace vigil::cli {

class ProgressBar {
 public:
  // Enabled only when `enabled` and both stdout and stderr are terminals, so piped output
  // and logs stay clean.
  ProgressBar(std::string label, size_t total, bool enabled);
  ~ProgressBar();

  // Counts one finished item; redraws at most ten times a second. Thread-safe.
  void Tick();
  // Clears the line.
  void Finish();

 private:
  void Draw(size_t done);

  const std::string label_;
  const size_t total_;
  const bool active_;
  std::atomic<size_t> done_{0};
  std::mutex mu_;  // guards last_draw_ and drawing
  std::chrono::steady_clock::time_point start_;
  std::chrono::steady_clock::time_point last_draw_;
  bool finished_ = false;
};

}  // namespace vigil::cli

#endif  // VIGIL_CLI_PROGRESS_H_
