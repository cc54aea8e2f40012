#include "cli/file_batch.h"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <memory>
#include <mutex>
#include <optional>

#include "cli/progress.h"
#include "core/file.h"
#include "core/parallel.h"

namespace vigil::cli {
namespace {

Result<detect::MediaHashes> HashOneFile(detect::MediaHasher& hasher, const std::string& path,
                                        uint64_t max_bytes) {
  ASSIGN_OR_RETURN(auto bytes, ReadFileBytes(path, std::min(max_bytes, hasher.max_input_bytes())));
  auto hashes = hasher.HashBytes(bytes);
  if (!hashes.ok()) return hashes.status().WithContext(path);
  return hashes;
}

}  // namespace

void PrintError(const Status& status) {
  std::fprintf(stderr, "vigil: %s\n", status.message().c_str());
}

FileBatchSummary HashFilesInOrder(
    const std::vector<std::string>& files, const FileBatchOptions& options,
    const std::function<Status(const std::string&, const detect::MediaHashes&)>& emit) {
  const size_t n = files.size();
  FileBatchSummary summary;
  summary.threads = options.threads > 0 ? options.threads : HardwareThreads();
  std::vector<std::unique_ptr<detect::MediaHasher>> hashers;
  for (int t = 0; t < summary.threads; ++t) {
    hashers.push_back(std::make_unique<detect::MediaHasher>(options.hasher));
  }
  std::vector<std::optional<Result<detect::MediaHashes>>> results(n);
  std::mutex mu;  // guards results, next, summary
  size_t next = 0;
  ProgressBar progress(options.label, n, options.progress);
  const auto start = std::chrono::steady_clock::now();

  ParallelFor(n, summary.threads, [&](size_t i, int worker) {
    auto result = HashOneFile(*hashers[worker], files[i], options.max_file_bytes);
    std::lock_guard<std::mutex> lock(mu);
    results[i] = std::move(result);
    // Hand on every result whose predecessors are all done, so output keeps input order.
    for (; next < n && results[next].has_value(); ++next) {
      auto& r = *results[next];
      Status s = r.ok() ? emit(files[next], *r).WithContext(files[next]) : r.status();
      if (s.ok()) {
        ++summary.succeeded;
      } else {
        ++summary.failed;
        if (summary.first_error.ok()) summary.first_error = s;
        PrintError(s);
      }
      results[next].reset();
    }
    progress.Tick();
  });
  progress.Finish();
  summary.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return summary;
}

int BatchExitCode(size_t inputs_given, size_t failed, const Status& first_error) {
  if (failed == 0) return 0;
  if (inputs_given == 1) return ExitCodeFor(first_error.code());
  return 1;
}

}  // namespace vigil::cli
