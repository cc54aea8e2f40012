// The rules of review as pure functions of a case and the configuration: which state changes
// are allowed, when reviews reach an outcome, when a case may be reported, which cases QA
// samples. ReviewService applies them; the console may call them to show what is possible.
//
// State diagram:
//
//   new <-> in_review -> decided -> { actioned <-> reported } -> appealed -> reinstated
//                           |                                      |
//                           |                                      +-> actioned (rejected)
//                           +-> reinstated (not CSAM after automatic action)
//
//   from       to          by (condition)
//   new        in_review   Claim
//   in_review  new         Release; a review that does not decide (second opinion requested,
//                          awaiting an independent confirmation, reviewers disagree)
//   in_review  decided     a review that reaches an outcome (ResolveOutcome)
//   decided    actioned    MarkActioned (confirmed outcome)
//   decided    reported    MarkReported (ReportEligibility, Art 3(1)(g)(iii))
//   decided    reinstated  MarkReinstated (not CSAM, and the pipeline had acted automatically)
//   decided    new         ReturnForConfirmation (a confirmed, unreported case lacking the
//                          confirmations the current configuration requires)
//   actioned   reported    MarkReported (ReportEligibility)
//   reported   actioned    MarkActioned (not actioned before)
//   actioned   appealed    MarkAppealed
//   reported   appealed    MarkAppealed (actioned before)
//   appealed   reinstated  MarkReinstated (complaint upheld)
//   appealed   actioned    MarkActioned (complaint rejected: the action stands)
//
// An in_review case whose lease expired stays in_review and is claimable again.
//
// Thread safety: pure functions.
#ifndef VIGIL_CASES_REVIEW_RULES_H_
#define VIGIL_CASES_REVIEW_RULES_H_

#include <optional>

#include "cases/review_config.h"
#include "cases/types.h"
#include "core/status.h"

namespace vigil::cases {

// True when the diagram has an edge from -> to.
bool TransitionAllowed(CaseState from, CaseState to);
// OK, or kFailedPrecondition "case N cannot go from <from> to <to>".
Status CheckTransition(CaseId id, CaseState from, CaseState to);

// Distinct reviewers whose primary review of `c` is `decision`.
int ConfirmationsOf(const Case& c, Decision decision);

// Primary reviews with `decision` needed to decide `c` that way: 1, except
//  - Art 3(1)(g)(iii): a confirmation of a case with any new-material or solicitation flag needs
//    config.confirmations_required (the reviewer's category cannot lower it);
//  - when earlier reviews disagree (two different decisions other than a second-opinion
//    request), at least 2, so one reviewer never overrules another alone.
int ConfirmationsNeeded(const Case& c, Decision decision, const ReviewConfig& config);

// The outcome the reviews of `c` reach, judged after its latest primary review: that review's
// decision once it has the confirmations it needs; nullopt while the case needs another review.
std::optional<Decision> ResolveOutcome(const Case& c, const ReviewConfig& config);

// OK when `c` may be reported now (MarkReported): it is decided or actioned with a confirmed
// outcome, not yet reported, and — recounted from its stored reviews, not trusted from its state
// — has the independent human confirmations Art 3(1)(g)(iii) requires. Otherwise
// kFailedPrecondition saying which condition fails.
Status ReportEligibility(const Case& c, const ReviewConfig& config);

// Whether a decision on case `id` is sampled for QA: a hash of (seed, id) mapped to [0, 1) is
// below the fraction. Exact and reproducible (SplitMix64; see docs/review.md).
bool SampledForQa(const QaSampling& qa, CaseId id);

}  // namespace vigil::cases

#endif  // VIGIL_CASES_REVIEW_RULES_H_
