#include "cases/review_rules.h"

#include <fmt/format.h>

#include <algorithm>
#include <set>
#include <string>
#include <utility>

namespace vigil::cases {
namespace {

using S = CaseState;

constexpr std::pair<CaseState, CaseState> kEdges[] = {
    {S::kNew, S::kInReview},      {S::kInReview, S::kNew},        {S::kInReview, S::kDecided},
    {S::kDecided, S::kActioned},  {S::kDecided, S::kReported},    {S::kDecided, S::kReinstated},
    {S::kActioned, S::kReported}, {S::kReported, S::kActioned},   {S::kActioned, S::kAppealed},
    {S::kReported, S::kAppealed}, {S::kAppealed, S::kReinstated}, {S::kAppealed, S::kActioned},
    {S::kDecided, S::kNew},
};

// SplitMix64's output function (Steele, Lea, Flood, "Fast splittable pseudorandom number
// generators", OOPSLA 2014): a fixed, well-mixed hash that every backend and language can
// reproduce, so a QA sample can be recomputed independently.
uint64_t SplitMix64(uint64_t x) {
  uint64_t z = x + 0x9e3779b97f4a7c15ULL;
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

bool HasUnconfirmedMaterialFlags(const Case& c) {
  return c.HasFlag(FlagCategory::kNew) || c.HasFlag(FlagCategory::kSolicitation);
}

}  // namespace

bool TransitionAllowed(CaseState from, CaseState to) {
  return std::find(std::begin(kEdges), std::end(kEdges), std::pair(from, to)) != std::end(kEdges);
}

Status CheckTransition(CaseId id, CaseState from, CaseState to) {
  if (TransitionAllowed(from, to)) return Status::Ok();
  return FailedPreconditionError(
      fmt::format("case {} cannot go from {} to {}", id, CaseStateName(from), CaseStateName(to)));
}

int ConfirmationsOf(const Case& c, Decision decision) {
  std::set<std::string> reviewers;
  for (const ReviewDecision& r : c.reviews) {
    if (r.kind == ReviewKind::kPrimary && r.decision == decision) reviewers.insert(r.reviewer);
  }
  return static_cast<int>(reviewers.size());
}

int ConfirmationsNeeded(const Case& c, Decision decision, const ReviewConfig& config) {
  // Art 3(1)(g)(iii): material not previously identified, and solicitation, need prior human
  // confirmation; the flags decide, so a reviewer choosing "known" cannot skip double review.
  int needed = IsConfirmation(decision) && HasUnconfirmedMaterialFlags(c)
                   ? config.confirmations_required
                   : 1;
  const bool disagreement =
      std::any_of(c.reviews.begin(), c.reviews.end(), [&](const ReviewDecision& r) {
        return r.kind == ReviewKind::kPrimary && r.decision != decision &&
               r.decision != Decision::kNeedsSecondOpinion;
      });
  if (disagreement) needed = std::max(needed, 2);
  return needed;
}

std::optional<Decision> ResolveOutcome(const Case& c, const ReviewConfig& config) {
  auto last = std::find_if(c.reviews.rbegin(), c.reviews.rend(),
                           [](const ReviewDecision& r) { return r.kind == ReviewKind::kPrimary; });
  if (last == c.reviews.rend() || last->decision == Decision::kNeedsSecondOpinion) {
    return std::nullopt;
  }
  if (ConfirmationsOf(c, last->decision) < ConfirmationsNeeded(c, last->decision, config)) {
    return std::nullopt;
  }
  return last->decision;
}

Status ReportEligibility(const Case& c, const ReviewConfig& config) {
  const CaseProgress& p = c.progress;
  if (p.state != CaseState::kDecided && p.state != CaseState::kActioned) {
    return FailedPreconditionError(
        fmt::format("case {} is {}; only decided or actioned cases can be reported", c.id,
                    CaseStateName(p.state)));
  }
  if (p.reported_at) {
    return FailedPreconditionError(
        fmt::format("case {} was already reported at {}", c.id, FormatUtc(*p.reported_at)));
  }
  if (!p.outcome || !IsConfirmation(*p.outcome)) {
    return FailedPreconditionError(
        fmt::format("case {} was decided {}; only confirmed CSAM or solicitation is reported", c.id,
                    p.outcome ? DecisionName(*p.outcome) : "without an outcome"));
  }
  // Art 3(1)(g)(iii): no report of new material or solicitation without prior human
  // confirmation. Recounted from the stored reviews so that a state written by mistake, or a
  // configuration raised after the decision, cannot let a case through with fewer.
  const int have = ConfirmationsOf(c, *p.outcome);
  const int needed = ConfirmationsNeeded(c, *p.outcome, config);
  if (have < needed) {
    return FailedPreconditionError(fmt::format(
        "case {} has {} of the {} independent human confirmations required before it may be "
        "reported (Art 3(1)(g)(iii): new material or solicitation, or reviewers disagreed)",
        c.id, have, needed));
  }
  return Status::Ok();
}

bool SampledForQa(const QaSampling& qa, CaseId id) {
  if (qa.fraction <= 0) return false;
  if (qa.fraction >= 1) return true;
  // The top 53 bits as a double in [0, 1): exact, so the comparison is the same everywhere.
  const uint64_t h = SplitMix64(qa.seed ^ static_cast<uint64_t>(id));
  const double u = static_cast<double>(h >> 11) * 0x1.0p-53;
  return u < qa.fraction;
}

Status ValidateReviewConfig(const ReviewConfig& config) {
  using std::chrono::seconds;
  if (config.lease < seconds(1) || config.lease > std::chrono::hours(24)) {
    return InvalidArgumentError(
        fmt::format("review lease of {} s is outside 1 s to 24 h", config.lease.count()));
  }
  if (config.confirmations_required != 1 && config.confirmations_required != 2) {
    return InvalidArgumentError(fmt::format("confirmations required must be 1 or 2, not {}",
                                            config.confirmations_required));
  }
  if (!(config.qa.fraction >= 0 && config.qa.fraction <= 1)) {
    return InvalidArgumentError(
        fmt::format("QA sample fraction {} is outside 0 to 1", config.qa.fraction));
  }
  if (config.grouping.max_age < seconds(1) || config.grouping.max_age > std::chrono::days(30)) {
    return InvalidArgumentError(
        fmt::format("grouping maximum case age of {} s is outside 1 s to "
                    "30 days",
                    config.grouping.max_age.count()));
  }
  if (config.grouping.max_items < 1 || config.grouping.max_items > kMaxItemsPerCase) {
    return InvalidArgumentError(
        fmt::format("grouping maximum of {} items per case is outside 1 to "
                    "{}",
                    config.grouping.max_items, kMaxItemsPerCase));
  }
  for (const auto& [name, rule] : {std::pair("technology", &config.technology_alerts),
                                   std::pair("bank entry", &config.bank_entry_alerts)}) {
    if (!*rule) continue;
    if ((*rule)->max_flags < 1) {
      return InvalidArgumentError(fmt::format("{} alert max flags must be at least 1", name));
    }
    if ((*rule)->window < seconds(1) || (*rule)->window > std::chrono::days(30)) {
      return InvalidArgumentError(fmt::format("{} alert window of {} s is outside 1 s to 30 days",
                                              name, (*rule)->window.count()));
    }
  }
  ReviewerSettings wellness = config.default_wellness;
  wellness.reviewer = "default";
  return ValidateReviewerSettings(wellness).WithContext("default wellness settings");
}

}  // namespace vigil::cases
