// The cases() of a Database backend that does not store cases yet: every call is kUnimplemented,
// so a front end gets a clear error instead of a crash. Transitional, until every backend
// implements cases::CaseStore (store.h).
#include "store/store.h"

namespace vigil::store {
namespace {

class UnsupportedCaseStore final : public cases::CaseStore {
 public:
  Result<cases::OpenedCase> CreateCase(const cases::CaseOpening&) override { return Error(); }
  Result<cases::Case> GetCase(cases::CaseId) override { return Error(); }
  Result<bool> CompareAndSet(const cases::CaseChange&) override { return Error(); }
  Result<std::vector<cases::Case>> ListQueue(const cases::QueueQuery&) override { return Error(); }
  Result<std::vector<cases::Case>> ListCases(const cases::CaseFilter&) override { return Error(); }
  Result<std::vector<cases::CaseEvent>> ListEvents(const cases::EventFilter&) override {
    return Error();
  }
  Result<std::vector<cases::FalsePositive>> ListFalsePositives(TimePoint, TimePoint) override {
    return Error();
  }
  Result<std::vector<cases::VerificationRequest>> ListPendingVerifications(
      std::optional<cases::CaseId>) override {
    return Error();
  }
  Status MarkVerificationDelivered(int64_t, TimePoint) override { return Error(); }
  Result<std::vector<cases::ClusterAlert>> ListAlerts(bool) override { return Error(); }
  Result<cases::ClusterAlert> AcknowledgeAlert(cases::AlertId, std::string_view,
                                               const cases::CaseEvent&) override {
    return Error();
  }
  Result<bool> IsAutoActionPaused(cases::AlertSubject, std::string_view) override {
    return Error();
  }
  Result<std::vector<cases::AutoActionPause>> ListPauses() override { return Error(); }
  Status ResumeAutoAction(cases::AlertSubject, std::string_view, const cases::CaseEvent&) override {
    return Error();
  }
  Status PutReviewerSettings(const cases::ReviewerSettings&, const cases::CaseEvent&) override {
    return Error();
  }
  Result<cases::ReviewerSettings> GetReviewerSettings(std::string_view) override { return Error(); }
  Result<int64_t> GetExposure(std::string_view, int64_t) override { return Error(); }

 private:
  static Status Error() {
    return UnimplementedError("this database backend does not store cases yet; use SQLite");
  }
};

}  // namespace

cases::CaseStore& Database::cases() {
  // Stateless, so one shared instance is safe from every thread.
  static UnsupportedCaseStore unsupported;
  return unsupported;
}

}  // namespace vigil::store
