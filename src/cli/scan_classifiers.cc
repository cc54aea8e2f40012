// Image classifiers in `vigil scan` (scan_classifiers.h).
#include "cli/scan_classifiers.h"

#include <fmt/format.h>

#include <algorithm>

#include "core/file.h"

namespace vigil::cli {
namespace {

// Not the input's fault: worth trying again later.
bool Retryable(StatusCode code) {
  return code == StatusCode::kUnavailable || code == StatusCode::kDataLoss ||
         code == StatusCode::kInternal;
}

}  // namespace

Result<std::unique_ptr<ScanClassifiers>> ScanClassifiers::Load(
    const std::string& config, const std::string& retry_dir,
    const detect::MediaHasherOptions& hasher) {
  ASSIGN_OR_RETURN(classify::ImageClassifierSet set,
                   classify::LoadImageClassifiers(config, std::make_shared<SystemClock>()));
  std::unique_ptr<ScanClassifiers> out(new ScanClassifiers(std::move(set), hasher));
  if (!retry_dir.empty()) {
    ASSIGN_OR_RETURN(RetrySpool spool, RetrySpool::Open(retry_dir, RetrySpool::kMedia));
    out->spool_ = std::move(spool);
  }
  return out;
}

Result<std::vector<std::string>> ScanClassifiers::Pending() const {
  if (!spool_) return std::vector<std::string>{};
  return spool_->Pending();
}

RetrySpool::Origin ScanClassifiers::OriginOf(const std::string& file,
                                             const std::string& given) const {
  RetrySpool::Origin out{file, given};
  if (!spool_ || !spool_->Holds(file)) return out;
  RetrySpool::Origin recorded = spool_->OriginOf(file);
  if (!recorded.source.empty()) out.source = recorded.source;
  if (!recorded.account.empty()) out.account = recorded.account;
  return out;
}

Result<std::vector<classify::Score>> ScanClassifiers::Classify(const std::string& file,
                                                               const std::string& account) {
  ASSIGN_OR_RETURN(std::vector<uint8_t> bytes, ReadFileBytes(file, max_bytes_));
  auto scores = classifier_.Classify(bytes);
  if (scores.ok()) return scores;
  // The caller names `file`; a kept item is also named as it was first given.
  const RetrySpool::Origin origin = OriginOf(file, account);
  const Status s = origin.source == file
                       ? scores.status()
                       : scores.status().WithContext("kept item " + origin.source);
  if (!spool_ || !Retryable(s.code())) return s;
  ASSIGN_OR_RETURN(int64_t attempts,
                   spool_->Keep(origin.source, bytes, s, SystemClock().Now(), origin.account));
  ++kept_;
  return Status(s.code(), fmt::format("{} (kept in {} for a retry, attempt {})", s.message(),
                                      spool_->dir(), attempts));
}

Status ScanClassifiers::Done(const std::string& file) const {
  if (!spool_ || !spool_->Holds(file)) return Status::Ok();
  return spool_->Done(file);
}

}  // namespace vigil::cli
