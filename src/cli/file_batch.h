// Hashing many files on worker threads while handing results on in input order, shared by the
// commands that read media files (hash, match, scan).
#ifndef VIGIL_CLI_FILE_BATCH_H_
#define VIGIL_CLI_FILE_BATCH_H_

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "core/status.h"
#include "detect/media_hasher.h"

namespace vigil::cli {

struct FileBatchOptions {
  detect::MediaHasherOptions hasher;
  // Files larger than this are refused before reading (the hasher's own limits apply too).
  uint64_t max_file_bytes = UINT64_MAX;
  int threads = 0;       // 0: all cores
  bool progress = true;  // a progress bar when on a terminal
  std::string label = "hashing";
};

struct FileBatchSummary {
  size_t succeeded = 0;
  size_t failed = 0;
  Status first_error;  // OK when nothing failed
  double seconds = 0;
  int threads = 1;
};

// Prints "vigil: <message>" on stderr.
void PrintError(const Status& status);

// Reads and hashes each file, then calls `emit(file, hashes)` for it in input order, one call at
// a time. A file that cannot be read or hashed, or whose `emit` returns an error, is reported on
// stderr (naming the file) and counted as failed; the batch goes on.
FileBatchSummary HashFilesInOrder(
    const std::vector<std::string>& files, const FileBatchOptions& options,
    const std::function<Status(const std::string&, const detect::MediaHashes&)>& emit);

// Exit code for a command over `inputs_given` inputs: 0 when nothing failed, the single failing
// input's own code when there was one input, else 1.
int BatchExitCode(size_t inputs_given, size_t failed, const Status& first_error);

}  // namespace vigil::cli

#endif  // VIGIL_CLI_FILE_BATCH_H_
