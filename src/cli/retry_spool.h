// A directory of conversations whose classification failed through no fault of their own (a
// classifier timed out or was unreachable, or returned a nonsense score): each is kept there,
// byte for byte, with its last error and attempt count, until a later scan classifies it, so
// no item is lost (docs/classify.md "Bad input"). Files are written to a temporary name and
// renamed, so a crash leaves either the old state or the new one.
//
// Layout: <dir>/<key>.conversation.json (the input) and <dir>/<key>.error.json
// ({"source", "error", "attempts", "last_failed_at"}), key = the first 32 hex digits of the
// input's SHA-256, so the same conversation is kept once.
//
// Thread safety: one scan at a time per directory.
#ifndef VIGIL_CLI_RETRY_SPOOL_H_
#define VIGIL_CLI_RETRY_SPOOL_H_

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "core/clock.h"
#include "core/result.h"

namespace vigil::cli {

class RetrySpool {
 public:
  // Creates `dir` when missing; kInvalidArgument naming it when it cannot be.
  static Result<RetrySpool> Open(const std::string& dir);

  // The kept conversation files, sorted by name.
  Result<std::vector<std::string>> Pending() const;
  // True when `path` is one of the kept files.
  bool Holds(const std::string& path) const;
  // Keeps `bytes` read from `source` with `error`; a conversation kept before gets its attempt
  // count raised. Returns the attempt count.
  Result<int64_t> Keep(const std::string& source, std::span<const uint8_t> bytes,
                       const Status& error, TimePoint at) const;
  // Removes a kept conversation after it was classified and filed.
  Status Done(const std::string& kept_path) const;

  const std::string& dir() const { return dir_; }

 private:
  explicit RetrySpool(std::string dir) : dir_(std::move(dir)) {}
  std::string dir_;
};

}  // namespace vigil::cli

#endif  // VIGIL_CLI_RETRY_SPOOL_H_
