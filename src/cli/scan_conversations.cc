// `vigil scan --conversation` (scan_conversations.h).
#include "cli/scan_conversations.h"

#include <fmt/format.h>

#include <cstdio>
#include <nlohmann/json.hpp>
#include <set>

#include "classify/combined.h"
#include "classify/grooming.h"
#include "classify/http_classifier.h"
#include "cli/file_batch.h"
#include "cli/scan_classifiers.h"
#include "core/file.h"

namespace vigil::cli {
namespace {

constexpr uint64_t kMaxRuleBytes = 4 << 20;

Result<std::string> ReadText(const std::string& path, uint64_t max_bytes) {
  ASSIGN_OR_RETURN(std::vector<uint8_t> bytes, ReadFileBytes(path, max_bytes));
  return std::string(bytes.begin(), bytes.end());
}

std::string Format(bool jsonl, const std::string& file, const classify::Score& score,
                   const detect::ItemOutcome& out) {
  const auto& d = out.decision;
  std::string techs;
  for (const auto& f : d.flags) techs += (techs.empty() ? "" : ",") + f.technology;
  std::string indicators;
  for (const auto& e : score.evidence) indicators += (indicators.empty() ? "" : ",") + e.indicator;
  if (jsonl) {
    nlohmann::ordered_json j{{"file", file},
                             {"score", score.value},
                             {"indicators", nlohmann::ordered_json::array()},
                             {"flagged", !d.flags.empty()},
                             {"action", detect::ActionName(d.action)},
                             {"technologies", nlohmann::ordered_json::array()}};
    for (const auto& e : score.evidence) j["indicators"].push_back(e.indicator);
    for (const auto& f : d.flags) j["technologies"].push_back(f.technology);
    if (out.opened) {
      j["case_id"] = out.opened->opened.id;
      j["grouped"] = out.opened->grouped;
    }
    return j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) + "\n";
  }
  if (d.flags.empty()) {
    return fmt::format("{}  not flagged score={} indicators={}\n", file, score.value, indicators);
  }
  return fmt::format("{}  flagged action={} score={} indicators={} technologies={}{}\n", file,
                     detect::ActionName(d.action), score.value, indicators, techs,
                     out.opened ? fmt::format(" case={}{}", out.opened->opened.id,
                                              out.opened->grouped ? " (joined)" : "")
                                : "");
}

constexpr size_t kMaxRetriesPerScan = 1000;

Result<std::unique_ptr<classify::Classifier>> LoadClassifier(const ConversationScan& scan) {
  ASSIGN_OR_RETURN(std::string rules_json, ReadText(scan.grooming_rules, kMaxRuleBytes));
  ASSIGN_OR_RETURN(std::shared_ptr<const classify::Classifier> scorer,
                   classify::GroomingScorer::Create(rules_json, scan.grooming_rules));
  std::shared_ptr<const classify::Classifier> external;
  classify::CombineConfig combine;
  if (!scan.text_classifier.empty()) {
    if (scan.combine.empty()) {
      return InvalidArgumentError("--text-classifier needs --combine (how to use its score)");
    }
    ASSIGN_OR_RETURN(std::string text, ReadText(scan.text_classifier, kMaxRuleBytes));
    ASSIGN_OR_RETURN(auto config, classify::ParseHttpClassifierConfig(text, scan.text_classifier));
    ASSIGN_OR_RETURN(external, classify::HttpClassifier::Create(std::move(config),
                                                                std::make_shared<SystemClock>()));
  }
  if (!scan.combine.empty()) {
    ASSIGN_OR_RETURN(std::string text, ReadText(scan.combine, kMaxRuleBytes));
    ASSIGN_OR_RETURN(combine, classify::ParseCombineConfig(text, scan.combine));
  }
  ASSIGN_OR_RETURN(auto combined,
                   classify::CombinedTextClassifier::Create(combine, scorer, external));
  return std::unique_ptr<classify::Classifier>(std::move(combined));
}

struct ScanState {
  const ConversationScan& scan;
  const classify::Classifier& classifier;
  const detect::Pipeline& pipeline;
  size_t flagged = 0, kept = 0;
  std::set<std::string> seen;  // keys of the conversations this scan went through
};

// Where a conversation took place: the scan's surface and region, or a kept one's own.
struct Origin {
  std::string surface;
  stats::Region region;
};

// Classifies and files one parsed conversation.
Status Classify(ScanState& st, const std::string& file, const std::string& account,
                const Origin& origin, const classify::Conversation& c) {
  classify::ClassifierInput input;
  input.kind = classify::InputKind::kConversation;
  input.conversation = &c;
  auto score = st.classifier.Classify(input);
  if (!score.ok()) return score.status().WithContext(file);
  const std::string item_id = c.id.empty() ? file : c.id;
  auto out = st.pipeline.ProcessScores({item_id, account, origin.surface, origin.region, {}},
                                       "conversation", {*score});
  if (!out.ok()) return out.status().WithContext(file);
  // A kept conversation of another scan's account has no clear id here to keep.
  if (out->opened && st.scan.on_filed && account == st.scan.account) {
    RETURN_IF_ERROR(st.scan.on_filed(*out->opened).WithContext(file));
  }
  st.flagged += !out->decision.flags.empty();
  std::fputs(Format(st.scan.jsonl, file, *score, *out).c_str(), stdout);
  return Status::Ok();
}

// One conversation, read from `file` (or kept by an earlier scan) and belonging to `account`.
Status ScanBytes(ScanState& st, const std::string& file, const std::string& account,
                 const Origin& origin, const std::vector<uint8_t>& bytes) {
  classify::ConversationLimits limits;
  const std::string json(bytes.begin(), bytes.end());
  // Oversized, invalid UTF-8 or malformed: the input's fault, reported and never retried.
  ASSIGN_OR_RETURN(classify::Conversation c, classify::ParseConversation(json, file, limits));
  Status s = Classify(st, file, account, origin, c);
  classify::RetryStore* retries = st.scan.retries;
  const std::string key = classify::RetryKey(bytes);
  if (!st.seen.insert(key).second) {
    return Status::Ok();  // the same conversation twice in one scan: once is enough
  }
  if (s.ok()) {
    return retries == nullptr ? s : retries->Done(classify::RetryKind::kConversation, key);
  }
  if (retries == nullptr || !RetryableFailure(s.code())) return s;
  ASSIGN_OR_RETURN(int64_t attempts,
                   retries->Keep({.kind = classify::RetryKind::kConversation,
                                  .key = key,
                                  .source = file,
                                  .account_id = account,
                                  .surface = origin.surface,
                                  .region = std::string(stats::RegionName(origin.region)),
                                  .sealed_account_id = std::nullopt,
                                  .bytes = bytes,
                                  .error = s.ToString(),
                                  .attempts = 0,
                                  .first_failed_at = {},
                                  .last_failed_at = SystemClock().Now()}));
  ++st.kept;
  return Status(s.code(), fmt::format("{} (kept in the database for a retry, attempt {})",
                                      s.message(), attempts));
}

Status ScanOne(ScanState& st, const std::string& file) {
  ASSIGN_OR_RETURN(std::vector<uint8_t> bytes,
                   ReadFileBytes(file, classify::ConversationLimits{}.max_json_bytes));
  return ScanBytes(st, file, st.scan.account, {st.scan.surface, st.scan.region}, bytes);
}

}  // namespace

int ScanConversations(const ConversationScan& scan, const detect::Pipeline& pipeline) {
  auto classifier = LoadClassifier(scan);
  if (!classifier.ok()) {
    PrintError(classifier.status());
    return ExitCodeFor(classifier.status().code());
  }
  std::vector<classify::RetryItem> kept;
  if (scan.retries != nullptr) {
    auto pending = scan.retries->Pending(classify::RetryKind::kConversation, kMaxRetriesPerScan);
    if (!pending.ok()) {
      PrintError(pending.status());
      return ExitCodeFor(pending.status().code());
    }
    kept = std::move(*pending);
  }
  ScanState st{scan, **classifier, pipeline, 0, 0, {}};
  size_t failed = 0;
  Status first = Status::Ok();
  auto count = [&](const Status& s) {
    if (s.ok()) return;
    PrintError(s);
    if (failed++ == 0) first = s;
  };
  for (const std::string& file : scan.files) count(ScanOne(st, file));
  // Kept by earlier scans: under the account and name they were first scanned with.
  for (const classify::RetryItem& item : kept) {
    if (st.seen.count(item.key)) continue;  // given again as an input and handled above
    // Counted where it took place; one kept before migration 25 has no origin.
    Origin origin{item.surface.empty() ? scan.surface : item.surface, scan.region};
    if (!item.region.empty()) {
      auto region = stats::ParseRegion(item.region);
      if (!region.ok()) {
        count(region.status().WithContext(fmt::format("kept item {}", item.source)));
        continue;
      }
      origin.region = *region;
    }
    count(ScanBytes(st, item.source, item.account_id, origin, item.bytes));
  }
  const size_t total = scan.files.size() + kept.size();
  std::fflush(stdout);
  if (!scan.quiet) {
    std::fprintf(stderr,
                 "vigil: scanned %zu conversation%s, %zu flagged%s, %zu failed (%zu kept for a "
                 "retry)\n",
                 total - failed, total - failed == 1 ? "" : "s", st.flagged,
                 scan.dry_run ? " (dry run)" : "", failed, st.kept);
  }
  if (total == 0) return 0;  // nothing kept and no inputs: nothing to do
  return BatchExitCode(total, failed, first);
}

}  // namespace vigil::cli
