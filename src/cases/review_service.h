// ReviewService: the one place the rules of human review are applied, on top of any CaseStore.
//
// It opens cases (raising cluster alerts) and files flagged items into their account's open
// case, runs the review queue (claims and assignments under leases that expire, releases), records
// decisions (Art 3(1)(g)(iii) confirmations, false positives, bank verification requests, QA
// sampling), moves decided cases through action, report and appeal, and keeps reviewer wellness
// settings and exposure. Each change reads the case, checks the rules, and writes the change with
// its audit event as one compare-and-set on the case's version; when another writer got there first
// it re-reads and re-checks, so racing reviewers get the same errors as sequential ones and never
// both win.
//
// Reads that need no rules (GetCase, ListCases, ListEvents, ListAlerts, ListFalsePositives) go to
// the CaseStore directly.
//
// Errors: kInvalidArgument for bad input (names the field); kNotFound "case N does not exist";
// kPermissionDenied when the reviewer does not hold the case (never claimed it, or another
// reviewer holds it); kFailedPrecondition when the case's state forbids the call (wrong state,
// already decided, own lease expired, Art 3 confirmations missing, exposure cap reached, QA by
// the deciding reviewer); kUnavailable when the store is.
//
// Thread safety: safe to call from several threads if the store is; holds no mutable state.
#ifndef VIGIL_CASES_REVIEW_SERVICE_H_
#define VIGIL_CASES_REVIEW_SERVICE_H_

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "cases/case_store.h"
#include "cases/review_config.h"
#include "cases/review_rules.h"
#include "cases/verification_sink.h"
#include "core/clock.h"

namespace vigil::cases {

struct DecisionInput {
  std::string reviewer{};
  Decision decision = Decision::kNeedsSecondOpinion;
  std::string rationale{};  // required: why, for the record and for QA
};

struct DecisionResult {
  Case after{};  // the case as the change left it
  // Delivery of this decision's bank verification requests. The decision is committed either
  // way; undelivered requests stay pending for DeliverPendingVerifications.
  Status verification = Status::Ok();
};

class ReviewService {
 public:
  // kInvalidArgument when `config` is invalid (ValidateReviewConfig). `store` and `sink` must
  // outlive the service.
  static Result<std::unique_ptr<ReviewService>> Create(CaseStore& store,
                                                       EntryVerificationSink& sink,
                                                       std::shared_ptr<const Clock> clock,
                                                       ReviewConfig config);

  const ReviewConfig& config() const { return config_; }

  // Validates and stores a new case (state new), raising the cluster alerts its flags trigger.
  Result<OpenedCase> OpenCase(const NewCase& new_case);

  // Files flagged items: when config.grouping allows, they join the account's newest open case
  // on the same surface (an "items_added" change, compare-and-set like any other, raising the
  // alerts their flags trigger; result.grouped is set); otherwise OpenCase. A case takes items
  // while it is new or in review, has no review yet, was not acted on, has the same EU flag, is
  // younger than grouping.max_age and stays within grouping.max_items; items the pipeline acted
  // on automatically always open their own case. The case's priority becomes the higher of the
  // two. A decided case never takes items. Two filings for one account racing past an empty
  // lookup may open two cases; no item is lost or counted twice.
  Result<OpenedCase> FileItems(const NewCase& flagged);

  // Claimable cases (new, or in review with an expired lease) by priority, then age.
  Result<std::vector<Case>> Queue(size_t limit);

  // Claims case `id` for `reviewer` until now + lease, charging the case's items to the
  // reviewer's exposure for the day. Claiming a case one already holds renews the lease, charging
  // only items grouped into it since they were last shown. kFailedPrecondition when another
  // reviewer's lease is unexpired, the case is past review, the reviewer already reviewed it (the
  // next review must be independent), or the exposure cap would be passed.
  Result<Case> Claim(CaseId id, std::string_view reviewer);
  // Assigns case `id` to `reviewer` on behalf of `actor` (a lead, or the reviewer themselves):
  // exactly a Claim for `reviewer` (same checks, lease and exposure charge), audited as
  // "assigned" by `actor` when the actor is someone else. An unexpired lease of another
  // reviewer is not overridden: it must be released or expire first.
  Result<Case> Assign(CaseId id, std::string_view reviewer, std::string_view actor);
  // Claims the first case of the queue that `reviewer` may claim; kNotFound when none.
  Result<Case> ClaimNext(std::string_view reviewer);
  // Gives up a primary or QA hold; kPermissionDenied unless `reviewer` holds the case.
  Result<Case> Release(CaseId id, std::string_view reviewer);

  // Records a primary review by the reviewer holding the case under an unexpired lease:
  // kPermissionDenied for a reviewer who does not hold it, kFailedPrecondition after the
  // holder's lease expired, when items joined the case since the holder's claim (claim again to
  // see them: a decision covers every item) or when the case is already decided. The case is
  // decided when the review reaches an outcome (ResolveOutcome) and returns to the queue otherwise.
  // A not-CSAM outcome records a false positive for every flag and asks the sink to verify every
  // bank entry involved. kInvalidArgument for confirmed_known on a case without a bank match.
  Result<DecisionResult> Decide(CaseId id, const DecisionInput& input);

  // Lifecycle after the decision (edges in review_rules.h); `actor` is who acts, `details` goes
  // to the audit event. MarkReported enforces ReportEligibility (Art 3(1)(g)(iii)).
  Result<Case> MarkActioned(CaseId id, std::string_view actor, std::string_view details);
  // The change MarkActioned would make to `c` as read (compare-and-set on c.version), stamped
  // now, with the same checks, progress and "actioned" event; for a store that applies it in the
  // transaction of its own rows (redress: an action, its user notice and the case move together).
  // Applying it is the caller's: nothing is written here.
  Result<CaseChange> PlanActioned(const Case& c, std::string_view actor,
                                  std::string_view details) const;
  Result<Case> MarkReported(CaseId id, std::string_view actor, std::string_view details);
  Result<Case> MarkAppealed(CaseId id, std::string_view actor, std::string_view details);
  // `content_reinstated`: the reversal restores the content (not only the account), so the
  // material is no longer held to be abuse; for a case confirmed as new material the change
  // then carries a ShareWithdrawal (Art 7: partners are told to drop the hashes shared).
  Result<Case> MarkReinstated(CaseId id, std::string_view actor, std::string_view details,
                              bool content_reinstated = true);
  // Art 3(1)(g)(iii): sends a decided, unreported case with a confirmed outcome back to the
  // review queue (state new, outcome cleared, its reviews kept) when it has fewer independent
  // confirmations than the configuration now requires — e.g. after confirmations_required was
  // raised — so another reviewer can give the missing one. kFailedPrecondition when the case is
  // not decided, its outcome is not a confirmation, or it has the confirmations it needs.
  Result<Case> ReturnForConfirmation(CaseId id, std::string_view actor);
  // ReportEligibility for the stored case `id`.
  Status ReportEligibility(CaseId id);

  // Quality assurance: cases sampled at decision time (SampledForQa) wait in the QA queue for a
  // second review by someone who did not review them; claimed and released like the review
  // queue, with the same leases and exposure. SubmitQaReview takes a confirmed or not-CSAM
  // decision (kInvalidArgument for needs_second_opinion); disagreements feed BuildQaReport.
  Result<std::vector<Case>> QaQueue(size_t limit);
  Result<Case> ClaimForQa(CaseId id, std::string_view reviewer);
  Result<Case> SubmitQaReview(CaseId id, const DecisionInput& input);

  // True when automatic action is paused for `technology` or for bank entry `entry`.
  Result<bool> IsAutoActionPaused(std::string_view technology, std::optional<BankEntryId> entry);
  Result<ClusterAlert> AcknowledgeAlert(AlertId id, std::string_view actor, std::string_view note);
  Status ResumeAutoAction(AlertSubject subject, std::string_view key, std::string_view actor,
                          std::string_view reason);

  // A reviewer's stored settings, or the configured defaults.
  Result<ReviewerSettings> Wellness(std::string_view reviewer);
  Status SetWellness(const ReviewerSettings& settings, std::string_view actor);
  // Items charged to `reviewer` today (UTC).
  Result<int64_t> ExposureToday(std::string_view reviewer);

  // Delivers every pending verification request to the sink, oldest first; stops at and
  // returns the first error (the rest stay pending).
  Status DeliverPendingVerifications();

 private:
  // Restricts construction to Create while letting it use make_unique.
  struct PassKey {
    explicit PassKey() = default;
  };

 public:
  ReviewService(PassKey, CaseStore& store, EntryVerificationSink& sink,
                std::shared_ptr<const Clock> clock, ReviewConfig config);

 private:
  using Planner = std::function<Result<CaseChange>(const Case&, TimePoint now)>;

  // Reads the case, plans the change and applies it, re-reading and re-planning when another
  // writer changed the case in between. Returns the case as changed.
  Result<Case> Mutate(CaseId id, const Planner& plan);
  // A claim of `kind` for `reviewer`, made by `actor` (the reviewer, or who assigns the case).
  Result<Case> ClaimAs(CaseId id, std::string_view reviewer, ReviewKind kind,
                       std::string_view actor);
  Result<CaseChange> PlanDecision(const Case& c, const DecisionInput& input, TimePoint now);
  // The part of a decision's change that records its outcome.
  void RecordOutcome(const Case& with, Decision outcome, const DecisionInput& input, TimePoint now,
                     CaseChange& change) const;
  // The change moving `c` to `to` at `now` once `check` passes; `extend` adds rows to it (e.g.
  // a share withdrawal) after the check passed.
  Result<CaseChange> PlanAdvance(
      const Case& c, TimePoint now, std::string_view actor, std::string_view details, CaseState to,
      const std::function<Status(const Case&)>& check,
      const std::function<void(const Case&, TimePoint, CaseChange&)>& extend = {}) const;
  // Reads the case and applies PlanAdvance's change (Mutate).
  Result<Case> Advance(CaseId id, std::string_view actor, std::string_view details, CaseState to,
                       const std::function<Status(const Case&)>& check,
                       const std::function<void(const Case&, TimePoint, CaseChange&)>& extend = {});
  Status Deliver(const std::vector<VerificationRequest>& requests);

  CaseStore& store_;
  EntryVerificationSink& sink_;
  const std::shared_ptr<const Clock> clock_;
  const ReviewConfig config_;
};

}  // namespace vigil::cases

#endif  // VIGIL_CASES_REVIEW_SERVICE_H_
