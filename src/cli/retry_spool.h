// A directory of items (conversations, or images and videos) whose classification failed
// through no fault of their own (a classifier timed out or was unreachable, or returned a
// nonsense score): each is kept there, byte for byte, with its last error and attempt count,
// until a later scan classifies it, so no item is lost (docs/classify.md "Bad input"). Files
// are written to a temporary name and renamed, so a crash leaves either the old state or the
// new one.
//
// Layout: <dir>/<key><suffix> (the input; suffix ".conversation.json" or ".media") and
// <dir>/<key>.error.json ({"source", "account", "error", "attempts", "last_failed_at"}), key =
// the first 32 hex digits of the input's SHA-256, so the same item is kept once.
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
  static constexpr std::string_view kConversations = ".conversation.json";
  static constexpr std::string_view kMedia = ".media";

  // Creates `dir` when missing; kInvalidArgument naming it when it cannot be. The spool holds
  // the items whose names end in `suffix` (kConversations or kMedia).
  static Result<RetrySpool> Open(const std::string& dir, std::string_view suffix = kConversations);

  // The kept conversation files, sorted by name.
  Result<std::vector<std::string>> Pending() const;
  // True when `path` is one of the kept files.
  bool Holds(const std::string& path) const;
  // Keeps `bytes` read from `source` (an item of `account`) with `error`; an item kept before
  // gets its attempt count raised. Returns the attempt count.
  Result<int64_t> Keep(const std::string& source, std::span<const uint8_t> bytes,
                       const Status& error, TimePoint at, const std::string& account = "") const;
  // Where a kept item came from and the account it was kept for (empty when not recorded).
  struct Origin {
    std::string source;
    std::string account;
  };
  Origin OriginOf(const std::string& kept_path) const;
  // Removes a kept conversation after it was classified and filed.
  Status Done(const std::string& kept_path) const;

  const std::string& dir() const { return dir_; }

 private:
  RetrySpool(std::string dir, std::string_view suffix) : dir_(std::move(dir)), suffix_(suffix) {}
  std::string ErrorPathOf(const std::string& kept) const;
  std::string dir_;
  std::string suffix_;
};

}  // namespace vigil::cli

#endif  // VIGIL_CLI_RETRY_SPOOL_H_
