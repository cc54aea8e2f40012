// CaseStore: where cases, reviews, audit events, alerts and reviewer data are kept.
//
// The `cases` module owns this interface; `store` implements it for SQLite and PostgreSQL, and
// InMemoryCaseStore implements it for unit tests. All pass one contract suite
// (tests/cases/case_store_contract.h).
//
// A store holds no review rules: ReviewService decides what a change is and the store applies it
// atomically. Every mutating call is one transaction that also appends the audit events it is
// given, so a change and its audit rows commit together or not at all. Changes to a case are
// compare-and-set on its version, so two reviewers racing to claim or decide cannot both win.
// Stores take every time from their arguments; they keep no clock.
//
// Thread safety: implementations are safe to call from several threads and, for databases, from
// several processes.
#ifndef VIGIL_CASES_CASE_STORE_H_
#define VIGIL_CASES_CASE_STORE_H_

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "cases/types.h"
#include "core/result.h"

namespace vigil::cases {

// Raises an alert when, counting the new case's flags, more than `threshold` flags of the subject
// were recorded after `window_start` (that is, within the window ending now).
struct AlertCheck {
  AlertSubject subject = AlertSubject::kTechnology;
  std::string key{};  // AlertKey() of the technology or bank entry
  TimePoint window_start{};
  int64_t window_seconds = 0;
  int64_t threshold = 0;
  bool pause_auto_action = false;  // also pause automatic action for the subject
};

// Everything CreateCase writes.
struct CaseOpening {
  NewCase new_case{};
  TimePoint at{};  // created_at, and flagged_at of every flag
  // The "opened" audit event; the store sets its case_id.
  CaseEvent event{};
  std::vector<AlertCheck> alert_checks{};
};

// The case an opening creates, as every store writes it: version 1, state new, actioned at
// opening when the pipeline already acted, every item added at opening. Its id is 0; the store
// assigns one.
Case CaseFromOpening(const CaseOpening& opening);

struct OpenedCase {
  Case opened{};
  std::vector<ClusterAlert> alerts{};  // raised by this opening
  // Set by ReviewService::FileItems when the items joined an existing case (`opened` is that
  // case after the addition) instead of opening a new one; stores leave it false.
  bool grouped = false;
};

// Everything AddItems writes: items joining an undecided case, grouped with the account's
// earlier flags (ReviewService::FileItems decides when; the store only applies it).
struct ItemAddition {
  CaseId id = 0;
  int64_t expected_version = 0;
  std::vector<Item> items{};  // validated; appended after the case's items, in this order
  int priority = 0;           // the case's priority from now on
  TimePoint at{};             // added_at of the items, flagged_at of their flags, updated_at
  CaseEvent event{};          // the "items_added" audit event; the store sets its case_id
  std::vector<AlertCheck> alert_checks{};  // counted like an opening's, for the added flags
};

struct ItemsAdded {
  bool applied = false;  // false: the version had moved, nothing was written
  std::vector<ClusterAlert> alerts{};
};

// Charges a reviewer's exposure for the day, refused when it would pass the cap.
struct ExposureCharge {
  std::string reviewer{};
  int64_t day = 0;  // DayOf()
  int64_t items = 0;
  int64_t cap = 0;
};

// A change of one case: its new progress plus the rows the change adds.
struct CaseChange {
  CaseId id = 0;
  int64_t expected_version = 0;
  CaseProgress progress{};
  std::vector<ReviewDecision> new_reviews{};
  std::vector<FalsePositive> false_positives{};
  std::vector<VerificationRequest> verification_requests{};  // ids assigned by the store
  std::vector<ReportRequest> report_requests{};              // ids assigned by the store
  std::vector<ShareRequest> share_requests{};                // ids assigned by the store
  // ids and share_request_id assigned by the store; none written for a case without a share
  // request (nothing of it was queued) or with a withdrawal already
  std::vector<ShareWithdrawal> share_withdrawals{};
  std::optional<ExposureCharge> exposure{};
  std::vector<CaseEvent> events{};  // at least one: every change is audited
};

enum class QueueKind : uint8_t {
  kReview,  // new cases, and in_review cases whose lease has expired
  kQa,      // cases sampled for QA, not held under an unexpired lease
};

struct QueueQuery {
  QueueKind kind = QueueKind::kReview;
  TimePoint now{};
  size_t limit = 100;
};

// For the transparency report and the console. A case's items, flags and reviews come with it:
// per-technology error accounting reads Case::items (every flag with its raw value) together
// with the case's outcome (docs/review.md "How a decision counts").
struct CaseFilter {
  std::optional<CaseState> state{};
  std::optional<QaState> qa{};
  CaseId after_id = 0;  // for paging: only ids above this
  size_t limit = 100;
};

struct EventFilter {
  std::optional<CaseId> case_id{};
  int64_t after_id = 0;
  size_t limit = 1000;
};

struct AutoActionPause {
  AlertSubject subject = AlertSubject::kTechnology;
  std::string key{};
  TimePoint paused_at{};
  AlertId alert_id = 0;
  friend bool operator==(const AutoActionPause&, const AutoActionPause&) = default;
};

class CaseStore {
 public:
  virtual ~CaseStore() = default;

  // Creates the case (state new, version 1, actioned_at = at when auto_actioned) with its items,
  // flags and opening event, then evaluates the alert checks in the same transaction. An alert
  // is not raised while an unacknowledged one exists for the same subject; a pause already in
  // place is kept. Expects a validated NewCase (ValidateNewCase).
  virtual Result<OpenedCase> CreateCase(const CaseOpening& opening) = 0;

  // The case with its items (in the order they joined it), flags and reviews; kNotFound "case N
  // does not exist".
  virtual Result<Case> GetCase(CaseId id) = 0;

  // The newest (highest id) case of the account on the surface that is still new or in review,
  // or nullopt when it has none: the only case new items may join.
  virtual Result<std::optional<Case>> LatestOpenCase(std::string_view account_id,
                                                     std::string_view surface) = 0;

  // Appends items to case `addition.id` if its version is still expected_version: bumps the
  // version, sets priority and updated_at, stamps the items' added_at and flags' flagged_at with
  // `at`, writes the event and then runs the alert checks (as CreateCase does), all in one
  // transaction. applied = false, writing nothing, when the version differs. kNotFound for an
  // unknown case. The caller checks the case may take items; the store checks only the version.
  virtual Result<ItemsAdded> AddItems(const ItemAddition& addition) = 0;

  // Applies `change` if the case's version is still expected_version, bumping the version and
  // appending reviews, false positives, verification requests and events. Returns false, writing
  // nothing, when the version differs (someone else changed the case: re-read and retry).
  // kNotFound for an unknown case; kFailedPrecondition (ExposureCapError) when the exposure
  // charge would pass its cap, writing nothing.
  virtual Result<bool> CompareAndSet(const CaseChange& change) = 0;

  // Claimable cases, by priority (highest first), then age (oldest created first), then id.
  virtual Result<std::vector<Case>> ListQueue(const QueueQuery& query) = 0;

  // Cases matching `filter`, ascending by id.
  virtual Result<std::vector<Case>> ListCases(const CaseFilter& filter) = 0;

  // Audit events matching `filter`, ascending by id (the order they were written).
  virtual Result<std::vector<CaseEvent>> ListEvents(const EventFilter& filter) = 0;

  // Flags not confirmed by review, recorded in [from, to), by recorded time then insertion.
  virtual Result<std::vector<FalsePositive>> ListFalsePositives(TimePoint from, TimePoint to) = 0;

  // Verification requests not yet delivered (of one case when given), ascending by id.
  virtual Result<std::vector<VerificationRequest>> ListPendingVerifications(
      std::optional<CaseId> case_id) = 0;
  // Records delivery; a second call keeps the first time. kNotFound for an unknown id.
  virtual Status MarkVerificationDelivered(int64_t request_id, TimePoint at) = 0;

  // Report requests with id > after_id, ascending by id, at most `limit` (the outbox copies
  // them; they are never changed or deleted here).
  virtual Result<std::vector<ReportRequest>> ListReportRequests(int64_t after_id, size_t limit) = 0;

  // Share requests with id > after_id, ascending by id, at most `limit` (as report requests).
  virtual Result<std::vector<ShareRequest>> ListShareRequests(int64_t after_id, size_t limit) = 0;

  // Share withdrawals with id > after_id, ascending by id, at most `limit` (as share requests).
  virtual Result<std::vector<ShareWithdrawal>> ListShareWithdrawals(int64_t after_id,
                                                                    size_t limit) = 0;

  // Alerts ascending by id; only unacknowledged ones when `open_only`.
  virtual Result<std::vector<ClusterAlert>> ListAlerts(bool open_only) = 0;
  // Acknowledges an open alert (acknowledged_at/by from the event's time and actor) with the
  // event. kNotFound for an unknown id; kFailedPrecondition when already acknowledged.
  virtual Result<ClusterAlert> AcknowledgeAlert(AlertId id, std::string_view note,
                                                const CaseEvent& event) = 0;

  virtual Result<bool> IsAutoActionPaused(AlertSubject subject, std::string_view key) = 0;
  // Pauses in force, in the order they were set (ascending alert id).
  virtual Result<std::vector<AutoActionPause>> ListPauses() = 0;
  // Lifts a pause with the event; kNotFound when the subject is not paused.
  virtual Status ResumeAutoAction(AlertSubject subject, std::string_view key,
                                  const CaseEvent& event) = 0;

  // Stores (replaces) a reviewer's settings with the event. Expects validated settings.
  virtual Status PutReviewerSettings(const ReviewerSettings& settings, const CaseEvent& event) = 0;
  // kNotFound when the reviewer has none stored.
  virtual Result<ReviewerSettings> GetReviewerSettings(std::string_view reviewer) = 0;
  // Items charged to the reviewer on `day` (0 when none).
  virtual Result<int64_t> GetExposure(std::string_view reviewer, int64_t day) = 0;
};

// Helpers for implementations, so every backend words its rows and errors the same way.

// The alert key of a bank entry: its id in decimal.
std::string AlertKey(BankEntryId entry);
// The error for an exposure charge that would pass its cap.
Status ExposureCapError(const ExposureCharge& charge, int64_t current);
// The audit event recording a raised alert (case_id = the triggering case, actor "system").
CaseEvent AlertRaisedEvent(const ClusterAlert& alert);
// "case N does not exist".
Status CaseNotFoundError(CaseId id);

}  // namespace vigil::cases

#endif  // VIGIL_CASES_CASE_STORE_H_
