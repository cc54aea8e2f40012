// `vigil scan --conversation` (scan_conversations.h).
#include "cli/scan_conversations.h"

#include <fmt/format.h>

#include <cstdio>
#include <nlohmann/json.hpp>

#include "classify/combined.h"
#include "classify/grooming.h"
#include "classify/http_classifier.h"
#include "cli/file_batch.h"
#include "cli/retry_spool.h"
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

// Not the input's fault: worth trying again later.
bool Retryable(StatusCode code) {
  return code == StatusCode::kUnavailable || code == StatusCode::kDataLoss ||
         code == StatusCode::kInternal;
}

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
  const RetrySpool* spool;  // null without --retry-dir
  size_t flagged = 0, kept = 0;
};

// Classifies and files one parsed conversation.
Status Classify(ScanState& st, const std::string& file, const classify::Conversation& c) {
  classify::ClassifierInput input;
  input.kind = classify::InputKind::kConversation;
  input.conversation = &c;
  auto score = st.classifier.Classify(input);
  if (!score.ok()) return score.status().WithContext(file);
  const std::string item_id = c.id.empty() ? file : c.id;
  auto out = st.pipeline.ProcessScores(
      {item_id, st.scan.account, st.scan.surface, st.scan.region, {}}, "conversation", {*score});
  if (!out.ok()) return out.status().WithContext(file);
  if (out->opened && st.scan.on_filed) {
    RETURN_IF_ERROR(st.scan.on_filed(*out->opened).WithContext(file));
  }
  st.flagged += !out->decision.flags.empty();
  std::fputs(Format(st.scan.jsonl, file, *score, *out).c_str(), stdout);
  return Status::Ok();
}

Status ScanOne(ScanState& st, const std::string& file) {
  classify::ConversationLimits limits;
  ASSIGN_OR_RETURN(std::vector<uint8_t> bytes, ReadFileBytes(file, limits.max_json_bytes));
  const std::string json(bytes.begin(), bytes.end());
  // Oversized, invalid UTF-8 or malformed: the input's fault, reported and never retried.
  ASSIGN_OR_RETURN(classify::Conversation c, classify::ParseConversation(json, file, limits));
  Status s = Classify(st, file, c);
  const bool kept_before = st.spool != nullptr && st.spool->Holds(file);
  if (s.ok()) return kept_before ? st.spool->Done(file) : Status::Ok();
  if (st.spool == nullptr || !Retryable(s.code())) return s;
  ASSIGN_OR_RETURN(int64_t attempts, st.spool->Keep(file, bytes, s, SystemClock().Now()));
  ++st.kept;
  return Status(s.code(), fmt::format("{} (kept in {} for a retry, attempt {})", s.message(),
                                      st.spool->dir(), attempts));
}

}  // namespace

int ScanConversations(const ConversationScan& scan, const detect::Pipeline& pipeline) {
  auto classifier = LoadClassifier(scan);
  if (!classifier.ok()) {
    PrintError(classifier.status());
    return ExitCodeFor(classifier.status().code());
  }
  std::optional<RetrySpool> spool;
  std::vector<std::string> files = scan.files;
  if (!scan.retry_dir.empty()) {
    auto opened = RetrySpool::Open(scan.retry_dir);
    auto pending =
        opened.ok() ? opened->Pending() : Result<std::vector<std::string>>(opened.status());
    if (!pending.ok()) {
      PrintError(pending.status());
      return ExitCodeFor(pending.status().code());
    }
    spool = std::move(*opened);
    files.insert(files.end(), pending->begin(), pending->end());
  }
  ScanState st{scan, **classifier, pipeline, spool ? &*spool : nullptr};
  size_t failed = 0;
  Status first = Status::Ok();
  for (const std::string& file : files) {
    Status s = ScanOne(st, file);
    if (s.ok()) continue;
    PrintError(s);
    if (failed++ == 0) first = s;
  }
  std::fflush(stdout);
  if (!scan.quiet) {
    std::fprintf(stderr,
                 "vigil: scanned %zu conversation%s, %zu flagged%s, %zu failed (%zu kept for a "
                 "retry)\n",
                 files.size() - failed, files.size() - failed == 1 ? "" : "s", st.flagged,
                 scan.dry_run ? " (dry run)" : "", failed, st.kept);
  }
  if (files.empty()) return 0;  // an empty retry directory: nothing to do
  return BatchExitCode(files.size(), failed, first);
}

}  // namespace vigil::cli
