// RedressService: what follows a decision. Actions are taken on decided cases (recorded with
// reason, technologies, who and when, the case moved to actioned); user notices are rendered and
// put in the outbox in the action's transaction; complaints against actions are filed within a
// deadline and decided by a second reviewer; reinstatement reverses actions, follows up the
// hotline report, counts the error against every technology that flagged the case (through the
// case's appealed -> reinstated events, which the annual report reads) and flags the bank
// entries involved for verification; judicial complaints (Art 5) are recorded with outcome.
//
// Thread safety: safe to call from several threads if the stores are; state changes of a case
// are compare-and-set in the case store, of a complaint in the redress store.
#ifndef VIGIL_REDRESS_SERVICE_H_
#define VIGIL_REDRESS_SERVICE_H_

#include <chrono>
#include <memory>
#include <optional>
#include <string>

#include "bank/bank_store.h"
#include "cases/review_service.h"
#include "privacy/retention.h"
#include "redress/notice_template.h"
#include "redress/redress_store.h"
#include "report/outbox_store.h"

namespace vigil::redress {

struct RedressConfig {
  // Art 3(1)(g)(iv): how long after an action the user may complain about it.
  std::chrono::days complaint_deadline{180};
  // Art 3(1)(g)(iv) asks for complaints to be handled "in a timely manner" without a number:
  // the operator's own target for deciding one after it is filed (the console's "decide by").
  std::chrono::days complaint_decision_target{14};
  // Named in every user notice (Art 3(1)(g)(vi)).
  std::string service_name = "this service";
  std::string supervisory_authority{};
  std::string default_language = "en";
  // Art 3(1)(h): how long each record is kept.
  privacy::RetentionPolicy retention = privacy::DefaultRetentionPolicy();
};

// kInvalidArgument naming the field: deadline of 1 to 3650 days, empty authority or service
// name, invalid retention policy.
Status ValidateRedressConfig(const RedressConfig& config);

// The second review of a complaint must be independent of the first (Art 3(1)(g)(iv)):
// kPermissionDenied naming the conflict when `reviewer` made or confirmed the case's original
// decision or took `action`. DecideComplaint enforces it; front ends use it to route complaints
// away from those who may not decide them.
Status CheckSecondReviewer(const cases::Case& c, const Action& action, std::string_view reviewer);

struct ActionRequest {
  cases::CaseId case_id = 0;
  ActionKind kind = ActionKind::kRemoveContent;
  std::string item_id{};  // required for content actions; must be an item of the case
  std::string reason{};
  std::string actor{};
  std::string language{};  // of the user notice; config.default_language when empty
};

struct ComplaintRequest {
  ActionId action_id = 0;
  std::string text{};
  std::string filed_by{};
};

struct ComplaintDecision {
  ComplaintId complaint_id = 0;
  std::string reviewer{};
  ComplaintOutcome outcome = ComplaintOutcome::kActionUpheld;
  std::string rationale{};
};

struct JudicialRequest {
  cases::CaseId case_id = 0;
  std::optional<ActionId> action_id{};
  std::string authority{};
  std::string reference{};
  TimePoint filed_at{};
  std::string recorded_by{};
};

// The stores a service works on; banks and report_outbox may be null (no bank flagging, no
// report follow-up).
struct RedressStores {
  cases::CaseStore* cases = nullptr;
  RedressStore* redress = nullptr;
  bank::BankStore* banks = nullptr;
  report::ReportOutboxStore* report_outbox = nullptr;
};

class RedressService {
 public:
  // kInvalidArgument for an invalid config or missing case/redress store. `review` and the
  // stores must outlive the service.
  static Result<std::unique_ptr<RedressService>> Create(cases::ReviewService& review,
                                                        RedressStores stores,
                                                        NoticeTemplates templates,
                                                        std::shared_ptr<const Clock> clock,
                                                        RedressConfig config);

  // Takes an action on a decided case with a confirmed outcome (decided, actioned, reported or
  // appealed-then-upheld): records it with the case's technologies, writes the user notice in
  // the same transaction (removal, blocking, suspension, closure), and moves the case to
  // actioned if it was not acted on yet. kNotFound for an unknown case or item; kInvalidArgument
  // for a missing item on a content action, an item on an account action or bad text;
  // kFailedPrecondition for an undecided, not-confirmed or reinstated case; kAlreadyExists for a
  // repeated action; kNotFound for a notice language without a template.
  Result<Action> TakeAction(const ActionRequest& request);

  // Files a complaint against an action. kNotFound for an unknown action; kFailedPrecondition
  // when the deadline passed (naming it) or the action was reversed; kAlreadyExists when the
  // action already has a complaint. Moves the case to appealed.
  Result<Complaint> FileComplaint(const ComplaintRequest& request);

  // Decides an open complaint. kPermissionDenied when the reviewer made or confirmed the
  // original decision or took the action (the second review must be independent);
  // kFailedPrecondition when the complaint is already decided or the outcome reinstates nothing
  // the complaint's action covers. Reinstatement reverses the case's matching actions, moves
  // the case to reinstated, records the hotline report follow-up and flags the case's bank
  // entries for verification; upholding returns the case to actioned.
  Result<Complaint> DecideComplaint(const ComplaintDecision& decision);

  // Art 5: records a judicial complaint (kNotFound for an unknown case or action) and, later,
  // its outcome (kFailedPrecondition when one is already recorded).
  Result<JudicialComplaint> RecordJudicial(const JudicialRequest& request);
  Result<JudicialComplaint> RecordJudicialOutcome(JudicialId id, std::string_view outcome,
                                                  std::string_view actor);

  const RedressConfig& config() const { return config_; }

 private:
  RedressService(cases::ReviewService& review, RedressStores stores, NoticeTemplates templates,
                 std::shared_ptr<const Clock> clock, RedressConfig config);
  Result<TimePoint> Expiry(privacy::Purpose purpose, TimePoint created) const;
  Result<std::optional<Notice>> MakeNotice(const Action& stored, std::string_view language);
  Result<std::string> Reinstate(const Complaint& complaint, const ComplaintDecision& decision,
                                TimePoint now);
  Result<std::string> FollowUpReports(cases::CaseId case_id, ComplaintId complaint);

  cases::ReviewService& review_;
  RedressStores stores_;
  const NoticeTemplates templates_;
  std::shared_ptr<const Clock> clock_;
  const RedressConfig config_;
};

}  // namespace vigil::redress

#endif  // VIGIL_REDRESS_SERVICE_H_
