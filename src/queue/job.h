// ScanJob: one item for the scale-out workers, as it travels through the job stream.
//
// A job carries the item's hashes, not its bytes: the platform hashes at upload (vigil hash, or
// its own PDQ/MD5/SHA-256), and the queue then moves ~300 bytes per item instead of megabytes.
// The worker matches, applies the rules and files flagged items exactly as `vigil scan` does.
//
// Wire form: one JSON object per message (EncodeJob/DecodeJob), e.g.
//   {"item_id":"u/123","account_id":"a1","surface":"photos/upload","region":"eu",
//    "pdq":"<64 hex>","pdq_quality":100,"md5":"<32 hex>","sha256":"<64 hex>"}
// pdq is optional (an item without a usable image hash); md5 and sha256 are required.
// sealed_account_id (optional, lowercase hex) is the clear account id sealed with the evidence
// master key for the job's pseudonym (privacy/account_identity.h, SealAccountForJob): ingest that
// pseudonymises (POST /v1/jobs with pseudonym_keys) sends the pseudonym as account_id and the
// clear id only in this form, and the worker keeps it sealed beside the case it opens.
//
// Thread safety: value types and pure functions.
#ifndef VIGIL_QUEUE_JOB_H_
#define VIGIL_QUEUE_JOB_H_

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

#include "core/result.h"

namespace vigil::queue {

// The largest encoded job DecodeJob accepts (a job is a few hundred bytes).
inline constexpr size_t kMaxJobBytes = 16 * 1024;
// The longest sealed_account_id (hex digits): a 1 KiB account id sealed, with room to spare.
inline constexpr size_t kMaxSealedAccountHex = 4096;

struct ScanJob {
  std::string item_id;     // the provider's id of the upload or message
  std::string account_id;  // pseudonymised account id
  std::string surface = "queue";
  std::string region = "unknown";  // "eu", "non-eu" or "unknown"
  std::optional<std::string> pdq;  // 64 lowercase hex digits
  int pdq_quality = 0;             // 0..100
  std::string md5;                 // 32 hex digits
  std::string sha256;              // 64 hex digits
  bool end_to_end_encrypted = false;
  std::optional<std::string> sealed_account_id;  // lowercase hex, at most kMaxSealedAccountHex
  bool operator==(const ScanJob&) const = default;
};

// The JSON form of `job` (compact, one line).
std::string EncodeJob(const ScanJob& job);

// Parses and checks a job: kInvalidArgument naming the field for malformed JSON, a missing or
// mistyped field, bad hex, a quality outside 0..100, an unknown region; kResourceExhausted for
// more than kMaxJobBytes. `where` names the message in errors (e.g. "job 17").
Result<ScanJob> DecodeJob(std::string_view data, std::string_view where);

}  // namespace vigil::queue

#endif  // VIGIL_QUEUE_JOB_H_
