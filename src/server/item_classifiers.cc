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
  if (!ctx.pseudonyms || !clear_account) return Status::Ok();
  return privacy::KeepClearAccountId(ctx.db->privacy(), ctx.evidence->cipher(), opened.opened.id,
                                     std::string(*clear_account), now);
}

// The clear account id sealed with a kept item, for the case its retry files. A damaged seal
// loses only the clear id (logged; the item is still filed under its pseudonym); keys that are
// not configured are an error, so the item stays kept until they are.
Result<std::optional<std::string>> OpenKeptAccount(ServerContext& ctx,
                                                   const classify::RetryItem& kept) {
  if (!kept.sealed_account_id) return std::optional<std::string>();
  if (!ctx.pseudonyms || !ctx.evidence) {
    return FailedPreconditionError(fmt::format(
        "kept item {}: its clear account id is sealed, but the server has no pseudonym_keys "
        "and evidence keys to open it",
        kept.source));
  }
  auto clear = privacy::OpenJobAccount(*ctx.pseudonyms, ctx.evidence->cipher(), kept.account_id,
                                       *kept.sealed_account_id, "kept item " + kept.source);
  if (clear.ok()) return std::optional<std::string>(std::move(*clear));
  if (clear.status().code() == StatusCode::kNotFound) return clear.status();
  spdlog::error("{} (filed without its clear account id)", clear.status().message());
  return std::optional<std::string>();
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
  // Counted where the upload would have been; an item kept before migration 25 has no origin.
  detect::ItemInput item{kept.source,
                         kept.account_id,
                         kept.surface.empty() ? "api" : kept.surface,
                         stats::Region::kUnknown,
                         {}};
  if (!kept.region.empty()) {
    ASSIGN_OR_RETURN(item.region, stats::ParseRegion(kept.region));
  }
  ASSIGN_OR_RETURN(std::optional<std::string> clear, OpenKeptAccount(ctx, kept));
  ASSIGN_OR_RETURN(detect::ItemOutcome out,
                   FileClassifiedItem(ctx, item, std::move(*hashes), *scores, kept.bytes, clear));
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
                                          const detect::ItemInput& item,
                                          std::string_view clear_account) {
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
  classify::RetryItem kept{.kind = classify::RetryKind::kMedia,
                           .key = classify::RetryKey(bytes),
                           .source = item.item_id,
                           .account_id = item.account_id,
                           .surface = item.surface,
                           .region = std::string(stats::RegionName(item.region)),
                           .sealed_account_id = std::nullopt,
                           .bytes = {bytes.begin(), bytes.end()},
                           .error = s.ToString(),
                           .attempts = 0,
                           .first_failed_at = {},
                           .last_failed_at = now};
  if (ctx.pseudonyms && ctx.evidence) {
    // Sealed for the pseudonym, so the retry can keep it with the case (docs/classify.md).
    ASSIGN_OR_RETURN(
        privacy::JobAccount sealed,
        privacy::SealAccountForJob(*ctx.pseudonyms, ctx.evidence->cipher(), clear_account));
    kept.sealed_account_id = std::move(sealed.sealed_account_id);
  }
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
