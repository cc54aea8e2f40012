// The scan's image classifiers on the items uploaded through POST /v1/items (issue 10), as
// `vigil scan --classifiers` runs them (cli/scan_classifiers.h): the same configuration file, the
// thresholds as the first rules, and an item whose classifier failed through no fault of its
// own kept in the database (classify::RetryStore) with its account, nothing of it counted or
// filed, until a retry classifies and files it: the server's own retrier (RetryKeptItems, every
// classifier_retry_seconds), or `vigil scan --classifiers FILE` without inputs (docs/classify.md).
#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "privacy/account_identity.h"
#include "server/api.h"

namespace vigil::server {
namespace {

// Kept items tried per round; the rest wait for the next one (oldest first).
constexpr size_t kMaxRetriesPerRound = 1000;

// Keeps a filed item's media encrypted in the evidence store (Art 3(1)(h)-(i)), and the clear
// account id sealed when the server pseudonymises, as `vigil scan` does (docs/privacy.md).
Status KeepItemEvidence(ServerContext& ctx, std::span<const uint8_t> bytes,
                        const cases::OpenedCase& opened,
                        std::optional<std::string_view> clear_account) {
  if (!ctx.evidence) return Status::Ok();
  const TimePoint now = ctx.clock->Now();
  const int64_t position = static_cast<int64_t>(opened.opened.items.size()) - 1;
  RETURN_IF_ERROR(privacy::StoreEvidence(ctx.db->privacy(), *ctx.evidence, opened.opened.id,
                                         position, bytes, now));
  if (!ctx.pseudonyms) return Status::Ok();
  if (!clear_account) {
    // A kept item holds only the pseudonym: its clear id was never stored (docs/classify.md).
    spdlog::warn("case {}: filed from a kept item, so no clear account id is kept for a report",
                 opened.opened.id);
    return Status::Ok();
  }
  return privacy::KeepClearAccountId(ctx.db->privacy(), ctx.evidence->cipher(), opened.opened.id,
                                     std::string(*clear_account), now);
}

// Classifies a kept item again and files it when every classifier answers.
Status RetryKeptItem(ServerContext& ctx, const classify::RetryItem& kept, KeptRetryRound& round) {
  Result<detect::MediaHashes> hashes = [&] {
    HasherPool::Lease hasher = ctx.hashers->Acquire();
    return (*hasher).HashBytes(kept.bytes);
  }();
  RETURN_IF_ERROR(hashes.status());
  auto scores = ctx.media_classifier->Classify(kept.bytes);
  if (!scores.ok()) {
    if (!classify::IsRetryableFailure(scores.status().code())) return scores.status();
    classify::RetryItem again = kept;
    again.error = scores.status().ToString();
    again.last_failed_at = ctx.clock->Now();
    ASSIGN_OR_RETURN(int64_t attempts, ctx.db->classify_retries().Keep(again));
    ++round.still_kept;
    spdlog::warn("kept item {}: {} (still kept, attempt {})", kept.source, again.error, attempts);
    return Status::Ok();
  }
  // The surface and region of the upload are not kept with the item: counted as unknown.
  const detect::ItemInput item{kept.source, kept.account_id, "api", stats::Region::kUnknown, {}};
  ASSIGN_OR_RETURN(detect::ItemOutcome out, FileClassifiedItem(ctx, item, std::move(*hashes),
                                                               *scores, kept.bytes, std::nullopt));
  ++round.filed;
  spdlog::info("kept item {}: classified and filed{}", kept.source,
               out.opened ? fmt::format(" (case {})", out.opened->opened.id) : "");
  return Status::Ok();
}

}  // namespace

Status LoadItemClassifiers(ServerContext& ctx) {
  if (ctx.config.classifiers_file.empty()) return Status::Ok();
  ASSIGN_OR_RETURN(classify::ImageClassifierSet set,
                   classify::LoadImageClassifiers(ctx.config.classifiers_file, ctx.clock));
  ctx.image_classifiers = std::make_unique<classify::ImageClassifierSet>(std::move(set));
  // The limits of the hasher the uploads go through: the same bytes are decoded again.
  ctx.media_classifier = std::make_unique<detect::MediaClassifier>(ctx.image_classifiers.get(),
                                                                   detect::MediaHasherOptions{});
  // The configured thresholds alone decide a classifier's signal (as in the scan).
  ctx.rules = ctx.rules.WithRulesFirst(ctx.media_classifier->Rules());
  spdlog::info("{} image classifier(s) from {} run on POST /v1/items",
               ctx.image_classifiers->classifiers.size(), ctx.config.classifiers_file);
  return Status::Ok();
}

Result<ItemClassification> ClassifyUpload(ServerContext& ctx, const Upload& upload,
                                          const detect::ItemInput& item) {
  ItemClassification out;
  if (ctx.media_classifier == nullptr) return out;
  const std::span<const uint8_t> bytes(reinterpret_cast<const uint8_t*>(upload.bytes->data()),
                                       upload.bytes->size());
  auto scores = ctx.media_classifier->Classify(bytes);
  if (scores.ok()) {
    out.scores = std::move(*scores);
    return out;
  }
  const Status& s = scores.status();
  if (!classify::IsRetryableFailure(s.code())) {
    // The input's fault (the decoder's verdict): a 4xx naming the upload, as HashUpload does.
    if (s.code() == StatusCode::kInvalidArgument) return FieldError(upload.field, s.message());
    return s.WithContext(fmt::format("upload '{}'", upload.field));
  }
  const TimePoint now = ctx.clock->Now();
  classify::RetryItem kept{classify::RetryKind::kMedia,
                           classify::RetryKey(bytes),
                           item.item_id,
                           item.account_id,
                           {bytes.begin(), bytes.end()},
                           s.ToString(),
                           0,
                           now,
                           now};
  ASSIGN_OR_RETURN(out.attempts, ctx.db->classify_retries().Keep(kept));
  out.kept = true;
  out.error = s.ToString();
  spdlog::warn("item {}: {} (kept in the database for a retry, attempt {})", item.item_id,
               out.error, out.attempts);
  return out;
}

Result<detect::ItemOutcome> FileClassifiedItem(ServerContext& ctx, const detect::ItemInput& item,
                                               detect::MediaHashes hashes,
                                               const std::vector<classify::Score>& scores,
                                               std::span<const uint8_t> bytes,
                                               std::optional<std::string_view> clear_account) {
  ASSIGN_OR_RETURN(detect::ItemOutcome out,
                   ctx.detection()->pipeline->ProcessClassified(item, std::move(hashes), scores));
  if (out.opened) RETURN_IF_ERROR(KeepItemEvidence(ctx, bytes, *out.opened, clear_account));
  if (ctx.media_classifier != nullptr) {
    // Filed: a copy kept by an earlier failed attempt is not to be filed again by the retry.
    RETURN_IF_ERROR(
        ctx.db->classify_retries().Done(classify::RetryKind::kMedia, classify::RetryKey(bytes)));
  }
  return out;
}

Result<KeptRetryRound> RetryKeptItems(ServerContext& ctx) {
  KeptRetryRound round;
  if (ctx.media_classifier == nullptr) return round;
  auto pending =
      ctx.db->classify_retries().Pending(classify::RetryKind::kMedia, kMaxRetriesPerRound);
  if (!pending.ok()) {
    spdlog::error("retrying kept items: {}", pending.status().ToString());
    return pending.status();
  }
  for (const classify::RetryItem& kept : *pending) {
    if (Status s = RetryKeptItem(ctx, kept, round); !s.ok()) {
      ++round.failed;
      spdlog::error("kept item {}: {} (stays kept)", kept.source, s.ToString());
    }
  }
  if (!pending->empty()) {
    spdlog::info("kept items retried: {} filed, {} still kept, {} failed", round.filed,
                 round.still_kept, round.failed);
  }
  return round;
}

}  // namespace vigil::server
