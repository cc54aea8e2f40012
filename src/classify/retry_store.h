// Items whose classification failed through no fault of their own (a classifier timed out, was
// unreachable, answered 5xx or a nonsense score), kept byte for byte with their last error and
// attempt count until a later scan classifies and files them, so no item is lost
// (docs/classify.md "Bad input and retries"). The kept items are personal data (a conversation,
// an image): each record carries its purposes and an expiry stamped by the database from the
// retention policy (Art 3(1)(h)), and is deleted as soon as the item is filed.
//
// The store interface is implemented in memory here and on SQLite and PostgreSQL by `store`
// (table classify_retries, migration 21); all pass tests/classify/retry_store_contract.h.
//
// Thread safety: implementations may be called from several threads.
#ifndef VIGIL_CLASSIFY_RETRY_STORE_H_
#define VIGIL_CLASSIFY_RETRY_STORE_H_

#include <cstdint>
#include <map>
#include <mutex>
#include <optional>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include "core/clock.h"
#include "core/result.h"

namespace vigil::classify {

// What a kept item is; the scan that retries it is the one of its kind.
enum class RetryKind { kConversation, kMedia };
std::string_view RetryKindName(RetryKind kind);  // "conversation", "media"

struct RetryItem {
  RetryKind kind = RetryKind::kMedia;
  std::string key;         // the first 32 hex digits of the bytes' SHA-256: kept once
  std::string source;      // the item as first given (file name), its item id when filed
  std::string account_id;  // the (pseudonymised) account it belongs to
  // Where it was uploaded, so the retry counts it where the upload would have been (Art 8
  // statistics): the surface, and the region's name (stats::RegionName; "" = unknown).
  std::string surface;
  std::string region;
  // With pseudonymisation: the clear account id sealed for the pseudonym (hex,
  // privacy::SealAccountForJob), so a case filed by the retry can keep it for a hotline report.
  std::optional<std::string> sealed_account_id;
  std::vector<uint8_t> bytes;
  std::string error;  // the last failure
  int64_t attempts = 0;
  TimePoint first_failed_at{};
  TimePoint last_failed_at{};
  friend bool operator==(const RetryItem&, const RetryItem&) = default;
};

// RetryKey(bytes): the key of an item.
std::string RetryKey(std::span<const uint8_t> bytes);

// Whether a classifier's failure is not the input's fault (unreachable, timed out, 5xx, a
// nonsense score), so the item is worth keeping for a retry: kUnavailable, kDataLoss, kInternal.
bool IsRetryableFailure(StatusCode code);

class RetryStore {
 public:
  virtual ~RetryStore() = default;
  // Keeps `item` (its attempts and first_failed_at are ignored): a new item gets attempt 1 and
  // first_failed_at = last_failed_at; an item kept before (same kind and key) keeps its bytes,
  // source, account and first failure, and gets the new error, last_failed_at and its attempt
  // count raised. Returns the attempt count. kInvalidArgument for an empty key.
  virtual Result<int64_t> Keep(const RetryItem& item) = 0;
  // The kept items of `kind`, oldest first failure first (then key), at most `limit`.
  virtual Result<std::vector<RetryItem>> Pending(RetryKind kind, size_t limit) = 0;
  // Removes a kept item after it was filed; removing one that is not kept is not an error.
  virtual Status Done(RetryKind kind, const std::string& key) = 0;
};

class InMemoryRetryStore final : public RetryStore {
 public:
  Result<int64_t> Keep(const RetryItem& item) override;
  Result<std::vector<RetryItem>> Pending(RetryKind kind, size_t limit) override;
  Status Done(RetryKind kind, const std::string& key) override;

 private:
  std::mutex mu_;
  std::map<std::pair<RetryKind, std::string>, RetryItem> items_;  // guarded by mu_
};

}  // namespace vigil::classify

#endif  // VIGIL_CLASSIFY_RETRY_STORE_H_
