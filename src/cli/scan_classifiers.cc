// Image classifiers in `vigil scan` (scan_classifiers.h).
#include "cli/scan_classifiers.h"

#include <fmt/format.h>

namespace vigil::cli {

// Kept items retried per scan; the rest wait for the next one.
constexpr size_t kMaxRetriesPerScan = 1000;

bool RetryableFailure(StatusCode code) { return classify::IsRetryableFailure(code); }

Result<std::unique_ptr<ScanClassifiers>> ScanClassifiers::Load(
    const std::string& config, classify::RetryStore* retries,
    const detect::MediaHasherOptions& hasher) {
  ASSIGN_OR_RETURN(classify::ImageClassifierSet set,
                   classify::LoadImageClassifiers(config, std::make_shared<SystemClock>()));
  return std::unique_ptr<ScanClassifiers>(new ScanClassifiers(std::move(set), retries, hasher));
}

Result<std::vector<classify::RetryItem>> ScanClassifiers::Pending() const {
  if (retries_ == nullptr) return std::vector<classify::RetryItem>{};
  return retries_->Pending(classify::RetryKind::kMedia, kMaxRetriesPerScan);
}

Result<std::vector<classify::Score>> ScanClassifiers::Classify(const std::string& source,
                                                               const std::string& account,
                                                               const std::string& surface,
                                                               stats::Region region,
                                                               std::span<const uint8_t> bytes) {
  auto scores = classifier_.Classify(bytes);
  if (scores.ok() || retries_ == nullptr || !RetryableFailure(scores.status().code())) {
    return scores;
  }
  const Status& s = scores.status();
  classify::RetryItem item{.kind = classify::RetryKind::kMedia,
                           .key = classify::RetryKey(bytes),
                           .source = source,
                           .account_id = account,
                           .surface = surface,
                           .region = std::string(stats::RegionName(region)),
                           .sealed_account_id = std::nullopt,
                           .bytes = {bytes.begin(), bytes.end()},
                           .error = s.ToString(),
                           .attempts = 0,
                           .first_failed_at = {},
                           .last_failed_at = SystemClock().Now()};
  ASSIGN_OR_RETURN(int64_t attempts, retries_->Keep(item));
  ++kept_;
  return Status(s.code(), fmt::format("{} (kept in the database for a retry, attempt {})",
                                      s.message(), attempts));
}

Status ScanClassifiers::Done(std::span<const uint8_t> bytes) const {
  if (retries_ == nullptr) return Status::Ok();
  return retries_->Done(classify::RetryKind::kMedia, classify::RetryKey(bytes));
}

}  // namespace vigil::cli
