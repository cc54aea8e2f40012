#include "detect/pipeline.h"

#include <fmt/format.h>

#include <algorithm>
#include <set>

#include "hash/digest.h"

namespace vigil::detect {
namespace {

constexpr char kHashVersion[] = "1";

cases::FlagCategory ToCaseCategory(Category c) {
  switch (c) {
    case Category::kKnown:
      return cases::FlagCategory::kKnown;
    case Category::kNew:
      return cases::FlagCategory::kNew;
    case Category::kSolicitation:
      return cases::FlagCategory::kSolicitation;
  }
  return cases::FlagCategory::kKnown;
}

Signal SignalFromMatch(const match::BankMatch& m) {
  Signal s;
  s.detector = std::string(bank::SignalTypeName(m.entry.signal_type));
  s.version = kHashVersion;
  s.category = Category::kKnown;
  s.value = m.distance;
  s.bank_entry_id = m.entry.id;
  s.bank = m.bank.name;
  s.bank_auto_action = m.bank.auto_action();
  return s;
}

// A banked video the item matched. The flag's raw value is the smaller of the two shares (both
// passed the matcher's thresholds); the label carries the matcher's frame distance and
// thresholds, e.g. "vpdq@1 d<=31 80/80", since the rules cannot express them.
Signal SignalFromVideoMatch(const match::VideoMatch& m, const hash::VpdqMatchOptions& options) {
  Signal s;
  s.detector = "vpdq";
  s.version = kHashVersion;
  s.threshold =
      fmt::format("d<={} {}/{}", options.max_distance, options.query_match_threshold_percent,
                  options.target_match_threshold_percent);
  s.category = Category::kKnown;
  s.value = std::min(m.result.query_match_percent, m.result.target_match_percent);
  s.bank_entry_id = m.entry.id;
  s.bank = m.bank.name;
  s.bank_auto_action = m.bank.auto_action();
  return s;
}

// The hashes a case keeps of a flagged item (a video's frame hashes are left out: its vPDQ flags
// carry the match, and thousands of frames would swamp the case).
std::vector<cases::ItemHash> ItemHashes(const MediaHashes& h) {
  std::vector<cases::ItemHash> out;
  if (!h.video) out.push_back({"pdq", h.pdq.ToHex()});
  out.push_back({"md5", hash::DigestToHex(h.md5)});
  out.push_back({"sha256", hash::DigestToHex(h.sha256)});
  return out;
}

// The classifier signal of an image classifier's score: new material, no bank entry, so the
// automatic-action guard in RuleSet::Decide never passes (Art 3(1)(g)(iii)).
Signal SignalFromImageScore(const classify::Score& s) {
  Signal signal;
  signal.detector = "classifier:" + s.model;
  signal.version = s.version;
  signal.category = Category::kNew;
  signal.value = s.value;
  return signal;
}

// The case filing of a flagged item: the item with its hashes and every flag's raw value; a
// classifier flag keeps its score's evidence (Art 3(1)(f)-(g): the reviewer sees why).
cases::NewCase FlaggedItem(const ItemInput& item, const ItemOutcome& out, TimePoint now,
                           const std::vector<classify::Score>& scores) {
  cases::NewCase c;
  c.account_id = item.account_id;
  c.surface = item.surface;
  c.eu = item.region != stats::Region::kNonEu;
  c.priority = out.decision.priority;
  c.auto_actioned = out.decision.action == Action::kAutoAction;
  cases::Item case_item;
  case_item.item_id = item.item_id;
  case_item.content_type = out.hashes.video ? "video" : "image";
  case_item.received_at = now;
  case_item.hashes = ItemHashes(out.hashes);
  for (const Flag& f : out.decision.flags) {
    cases::Flag flag{f.technology,   ToCaseCategory(f.signal.category),
                     f.signal.value, f.signal.bank_entry_id,
                     f.signal.bank,  f.signal.bank_auto_action};
    for (const classify::Score& s : scores) {
      if ("classifier:" + s.model == f.signal.detector && s.version == f.signal.version) {
        flag.evidence = classify::EvidenceJson(s.evidence);
      }
    }
    case_item.flags.push_back(std::move(flag));
  }
  c.items.push_back(std::move(case_item));
  return c;
}

// The technologies an item was processed by, for the volume counters.
std::vector<std::string> TechnologiesRun(const MediaHashes& h) {
  if (h.video) return {"vpdq@1", "md5@1", "sha256@1"};
  return {"pdq@1", "md5@1", "sha256@1"};
}

}  // namespace

Pipeline::Pipeline(const match::Matcher* matcher, const RuleSet* rules,
                   cases::ReviewService* review, stats::VolumeCounterSink* counters,
                   std::shared_ptr<const Clock> clock, privacy::LegalBasis legal_basis)
    : matcher_(matcher),
      rules_(rules),
      review_(review),
      counters_(counters),
      clock_(std::move(clock)),
      legal_basis_(std::move(legal_basis)) {}

Status Pipeline::CheckAllowed(const ItemInput& item) const {
  // Art 1 of 2021/1232 and 2026/1881: voluntary scanning is lawful only while the act applies
  // and only for what it covers; audio never reaches here (the hasher takes images and video).
  Status allowed =
      privacy::CheckScanAllowed(legal_basis_, {clock_->Now(), "", item.end_to_end_encrypted});
  if (allowed.ok()) return allowed;
  return FailedPreconditionError(fmt::format("item {}: {}", item.item_id, allowed.message()));
}

Result<std::vector<Signal>> Pipeline::Match(const MediaHashes& h, ItemOutcome* out) const {
  std::vector<match::BankMatch> found;
  auto append = [&](Result<std::vector<match::BankMatch>> r) -> Status {
    RETURN_IF_ERROR(r.status());
    found.insert(found.end(), r->begin(), r->end());
    return Status::Ok();
  };
  if (!h.video) {
    auto pdq = matcher_->MatchPdq(h.pdq, h.pdq_quality);
    if (pdq.status().code() == StatusCode::kFailedPrecondition) {
      out->pdq_low_quality = true;  // reported, not matched
    } else {
      RETURN_IF_ERROR(append(std::move(pdq)));
    }
  }
  RETURN_IF_ERROR(append(matcher_->MatchMd5(h.md5)));
  RETURN_IF_ERROR(append(matcher_->MatchSha256(h.sha256)));
  std::vector<Signal> signals;
  for (const auto& m : found) signals.push_back(SignalFromMatch(m));
  out->matches = std::move(found);
  if (h.video) {
    auto videos = matcher_->MatchVpdq(h.video->frames);
    if (videos.status().code() == StatusCode::kFailedPrecondition) {
      out->vpdq_low_quality = true;  // reported, not matched
    } else {
      RETURN_IF_ERROR(videos.status());
      for (const auto& m : *videos) {
        signals.push_back(SignalFromVideoMatch(m, matcher_->options().vpdq));
      }
      out->video_matches = std::move(*videos);
    }
  }
  return signals;
}

Status Pipeline::Count(const ItemOutcome& outcome, stats::Region region,
                       const std::vector<classify::Score>& scores) const {
  if (counters_ == nullptr) return Status::Ok();
  const int64_t day = clock_->Now().time_since_epoch().count() / 86400;
  const std::string content_type = outcome.hashes.video ? "video" : "image";
  std::set<std::string> flagged_detectors;
  for (const Flag& f : outcome.decision.flags) flagged_detectors.insert(f.signal.detector);
  std::vector<std::string> run = TechnologiesRun(outcome.hashes);
  for (const classify::Score& s : scores) run.push_back("classifier:" + s.model + "@" + s.version);
  for (const std::string& tech : run) {
    const std::string detector = tech.substr(0, tech.find('@'));
    stats::VolumeCount delta{1, flagged_detectors.count(detector) ? 1u : 0u};
    RETURN_IF_ERROR(counters_->Add({day, tech, content_type, region}, delta));
  }
  return Status::Ok();
}

Result<ItemOutcome> Pipeline::Process(const ItemInput& item, MediaHasher& hasher) const {
  RETURN_IF_ERROR(CheckAllowed(item));
  ASSIGN_OR_RETURN(MediaHashes hashes, hasher.HashBytes(item.bytes));
  return ProcessHashed(item, std::move(hashes));
}

Result<ItemOutcome> Pipeline::ProcessHashed(const ItemInput& item, MediaHashes hashes) const {
  return ProcessClassified(item, std::move(hashes), {});
}

Result<ItemOutcome> Pipeline::ProcessClassified(const ItemInput& item, MediaHashes hashes,
                                                const std::vector<classify::Score>& scores) const {
  RETURN_IF_ERROR(CheckAllowed(item));
  for (const classify::Score& s : scores) {
    // Checked before anything is decided or counted: a nonsense score never becomes a flag.
    RETURN_IF_ERROR(classify::CheckScoreValue(s.value, fmt::format("{}@{}", s.model, s.version)));
  }
  ItemOutcome out;
  out.hashes = std::move(hashes);
  ASSIGN_OR_RETURN(std::vector<Signal> signals, Match(out.hashes, &out));
  for (const classify::Score& s : scores) signals.push_back(SignalFromImageScore(s));
  std::function<bool(const std::string&)> paused;
  if (review_ != nullptr) {
    paused = [this](const std::string& technology) {
      auto p = review_->IsAutoActionPaused(technology, std::nullopt);
      return !p.ok() || *p;  // unknown means paused: never act automatically on doubt
    };
  }
  out.decision = rules_->Decide(signals, paused);
  RETURN_IF_ERROR(Count(out, item.region, scores));
  if (out.decision.flags.empty() || review_ == nullptr) return out;

  if (item.item_id.empty() || item.account_id.empty()) {
    return InvalidArgumentError("a flagged item needs an item id and an account id");
  }
  // Grouped into the account's open case when the review configuration allows it.
  ASSIGN_OR_RETURN(out.opened, review_->FileItems(FlaggedItem(item, out, clock_->Now(), scores)));
  return out;
}

}  // namespace vigil::detect
