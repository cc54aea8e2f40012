// RedressStore: where actions, user notices (the durable notice outbox), complaints and
// judicial complaints are kept. An action and its notice are written in one transaction, so a
// crash never leaves an action whose user is not told, nor a notice about an action not taken
// (Art 3(1)(g)(vi)).
//
// The `redress` module owns this interface; `store` implements it for SQLite and PostgreSQL,
// InMemoryRedressStore for tests. All pass tests/redress/redress_store_contract.h.
//
// Thread safety: implementations are safe to call from several threads (and processes for the
// databases); Update* are compare-and-set on the record's version.
#ifndef VIGIL_REDRESS_REDRESS_STORE_H_
#define VIGIL_REDRESS_REDRESS_STORE_H_

#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <vector>

#include "cases/case_store.h"
#include "redress/types.h"

namespace vigil::redress {

// Who reversed an action, when and why.
struct Reversal {
  TimePoint at{};
  std::string by{};
  std::string reason{};
};

// Makes the notice of a stored action (its id assigned), inside the action's transaction.
using NoticeMaker = std::function<Result<std::optional<Notice>>(const Action& stored)>;
// Makes the change of the action's case (cases::ReviewService::PlanActioned: its progress and
// audit event, compare-and-set on the version read) for a stored action, inside the action's
// transaction; nullopt leaves the case as it is.
using CaseChangeMaker =
    std::function<Result<std::optional<cases::CaseChange>>(const Action& stored)>;

class RedressStore {
 public:
  virtual ~RedressStore() = default;

  // Writes `action` (id assigned) and the notice `make_notice` returns for the stored action
  // (id assigned; none when it is empty or returns nullopt) in one transaction; the stored
  // action. An error from make_notice writes nothing and is returned. kAlreadyExists "case C
  // already has action N: KIND ITEM" when the case has an action of the same kind on the same item
  // (or account), reversed or not; then nothing is written. kNotFound when the case does not exist.
  //
  // With `make_case_change`, the case change it returns is applied in the same transaction, as
  // cases::CaseStore::CompareAndSet does (same rows, same audit event): the action, its notice
  // and the case's move are all written or none is. kFailedPrecondition (CaseChangedError) when
  // the case's version is no longer the change's expected_version (someone changed the case
  // meanwhile: re-read and retry); an error from the maker or the case store is returned; in
  // every such case nothing is written. kInvalidArgument for a change of another case.
  virtual Result<Action> RecordAction(const Action& action, const NoticeMaker& make_notice,
                                      const CaseChangeMaker& make_case_change) = 0;
  // RecordAction without a case change.
  Result<Action> RecordAction(const Action& action, const NoticeMaker& make_notice) {
    return RecordAction(action, make_notice, nullptr);
  }
  // kNotFound "action N does not exist".
  virtual Result<Action> GetAction(ActionId id) = 0;
  // The case's actions ascending by id (empty for an unknown case).
  virtual Result<std::vector<Action>> ListActions(cases::CaseId case_id) = 0;
  // Marks the action reversed; kFailedPrecondition when it already is, kNotFound when unknown.
  virtual Result<Action> ReverseAction(ActionId id, const Reversal& reversal) = 0;

  // kNotFound "notice N does not exist".
  virtual Result<Notice> GetNotice(NoticeId id) = 0;
  // Pending notices with next_attempt_at <= now, by next_attempt_at then id.
  virtual Result<std::vector<Notice>> ListDueNotices(TimePoint now, size_t limit) = 0;
  // The case's notices (every case when empty), ascending by id.
  virtual Result<std::vector<Notice>> ListNotices(std::optional<cases::CaseId> case_id) = 0;
  // Stores state, attempts, next_attempt_at, last_error and delivered_at of `n` if the stored
  // version is still n.version (bumping it); false when someone changed it first.
  virtual Result<bool> UpdateNotice(const Notice& n) = 0;

  // Writes a complaint (id assigned). kAlreadyExists "action N already has complaint M" for a
  // second complaint against one action; kNotFound when the action does not exist.
  virtual Result<Complaint> FileComplaint(const Complaint& complaint) = 0;
  // kNotFound "complaint N does not exist".
  virtual Result<Complaint> GetComplaint(ComplaintId id) = 0;
  virtual Result<std::vector<Complaint>> ListComplaints(const ComplaintFilter& filter) = 0;
  // Stores state, outcome, reviewer, rationale, decided_at and report_followup if the stored
  // version is still c.version (bumping it); false when someone changed it first.
  virtual Result<bool> UpdateComplaint(const Complaint& c) = 0;

  // Writes a judicial complaint (id assigned); kNotFound when the case does not exist.
  virtual Result<JudicialComplaint> RecordJudicial(const JudicialComplaint& j) = 0;
  // kNotFound "judicial complaint N does not exist".
  virtual Result<JudicialComplaint> GetJudicial(JudicialId id) = 0;
  // Stores outcome and outcome_at, compare-and-set on the version.
  virtual Result<bool> UpdateJudicial(const JudicialComplaint& j) = 0;
  // The case's judicial complaints (every case when empty), ascending by id.
  virtual Result<std::vector<JudicialComplaint>> ListJudicial(
      std::optional<cases::CaseId> case_id) = 0;
};

// The in-memory fake. Cases exist when AddCase named them or, given a case store, when that
// store has them (unknown cases are kNotFound as in the databases). A case change needs the case
// store (kFailedPrecondition without one): it is checked and built before anything is written,
// then applied by the case store's compare-and-set under this store's lock, and the action and
// notice are written only when that succeeded, so a failure leaves neither store changed.
class InMemoryRedressStore final : public RedressStore {
 public:
  // `cases`, when given, must outlive the store.
  explicit InMemoryRedressStore(cases::CaseStore* cases = nullptr) : case_store_(cases) {}

  void AddCase(cases::CaseId id);

  using RedressStore::RecordAction;
  Result<Action> RecordAction(const Action& action, const NoticeMaker& make_notice,
                              const CaseChangeMaker& make_case_change) override;
  Result<Action> GetAction(ActionId id) override;
  Result<std::vector<Action>> ListActions(cases::CaseId case_id) override;
  Result<Action> ReverseAction(ActionId id, const Reversal& reversal) override;
  Result<Notice> GetNotice(NoticeId id) override;
  Result<std::vector<Notice>> ListDueNotices(TimePoint now, size_t limit) override;
  Result<std::vector<Notice>> ListNotices(std::optional<cases::CaseId> case_id) override;
  Result<bool> UpdateNotice(const Notice& n) override;
  Result<Complaint> FileComplaint(const Complaint& complaint) override;
  Result<Complaint> GetComplaint(ComplaintId id) override;
  Result<std::vector<Complaint>> ListComplaints(const ComplaintFilter& filter) override;
  Result<bool> UpdateComplaint(const Complaint& c) override;
  Result<JudicialComplaint> RecordJudicial(const JudicialComplaint& j) override;
  Result<JudicialComplaint> GetJudicial(JudicialId id) override;
  Result<bool> UpdateJudicial(const JudicialComplaint& j) override;
  Result<std::vector<JudicialComplaint>> ListJudicial(
      std::optional<cases::CaseId> case_id) override;

 private:
  bool CaseExistsLocked(cases::CaseId id);

  cases::CaseStore* const case_store_;
  std::mutex mu_;
  std::vector<cases::CaseId> cases_;                  // guarded by mu_
  std::map<ActionId, Action> actions_;                // guarded by mu_
  std::map<NoticeId, Notice> notices_;                // guarded by mu_
  std::map<ComplaintId, Complaint> complaints_;       // guarded by mu_
  std::map<JudicialId, JudicialComplaint> judicial_;  // guarded by mu_
};

// Messages shared by every backend so the contract suite can check them.
Status DuplicateActionError(const Action& existing);
Status ActionNotFound(ActionId id);
Status NoticeNotFound(NoticeId id);
Status ComplaintNotFound(ComplaintId id);
Status JudicialNotFound(JudicialId id);
Status CaseNotFound(cases::CaseId id);
// "case C changed while the action was being recorded (version V expected); nothing was
// written, retry".
Status CaseChangedError(const cases::CaseChange& change);
// A case change must concern the action's case.
Status CheckCaseChange(const Action& action, const cases::CaseChange& change);
Status DuplicateComplaintError(ActionId action, ComplaintId existing);
Status AlreadyReversedError(const Action& a);

}  // namespace vigil::redress

#endif  // VIGIL_REDRESS_REDRESS_STORE_H_
