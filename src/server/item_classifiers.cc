// The scan's image classifiers on the items uploaded through POST /v1/items (issue 10), as
// `vigil scan --classifiers` runs them (cli/scan_classifiers.h): the same configuration file, the
// thresholds as the first rules, and an item whose classifier failed through no fault of its
// own kept in the database (classify::RetryStore) with its account, nothing of it counted or
// filed, until a retry classifies and files it (`vigil scan --classifiers FILE` without inputs
// retries every kept media item, docs/classify.md).
#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "server/api.h"

namespace vigil::server {

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

}  // namespace vigil::server
