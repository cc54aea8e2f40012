// ReportOutboxStore: the durable outbox of hotline reports. A report request is written by the
// case store in the same transaction as the decision that causes it (cases::ReportRequest);
// the outbox copies each request once into a Delivery (idempotent on the request id, the
// report's idempotency key) and keeps its state: progress after every step, attempts and the
// next attempt's time, the destination's answer (report id or error), and when it was delivered.
//
// The `report` module owns this interface; `store` implements it for SQLite and PostgreSQL, and
// InMemoryReportOutboxStore for tests. All pass tests/report/outbox_store_contract.h.
//
// Thread safety: implementations are safe to call from several threads (and processes for the
// databases); Update is compare-and-set on the delivery's version.
#ifndef VIGIL_REPORT_OUTBOX_STORE_H_
#define VIGIL_REPORT_OUTBOX_STORE_H_

#include <cstdint>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "cases/types.h"
#include "core/result.h"
#include "report/reporter.h"

namespace vigil::report {

enum class DeliveryState : uint8_t {
  kPending,    // to be delivered (or being delivered)
  kDelivered,  // the destination finished the report
  kFailed,     // gave up after the most attempts, or refused for good; needs a person
  kCancelled,  // the case may no longer be reported (e.g. reinstated); withdrawn
};

std::string_view DeliveryStateName(DeliveryState state);
Result<DeliveryState> ParseDeliveryState(std::string_view name);

struct Delivery {
  int64_t request_id = 0;  // the report's idempotency key: one delivery per request
  cases::CaseId case_id = 0;
  std::string destination{};
  TimePoint confirmed_at{};  // when the decision that caused the report was committed
  DeliveryState state = DeliveryState::kPending;
  DeliveryProgress progress{};
  int attempts = 0;
  TimePoint next_attempt_at{};  // also a lease: a sender pushes it ahead before working
  std::string last_error{};
  std::optional<int64_t> remote_id{};       // the destination's report id once delivered
  std::optional<TimePoint> delivered_at{};  // Art 3(1)(j): delivered_at - confirmed_at
  int64_t version = 1;
  bool operator==(const Delivery&) const = default;
};

struct DeliveryFilter {
  std::optional<cases::CaseId> case_id{};
  std::optional<DeliveryState> state{};
  int64_t after_request_id = 0;  // paging: only deliveries with a larger request id
  size_t limit = 1000;
};

class ReportOutboxStore {
 public:
  virtual ~ReportOutboxStore() = default;

  // Creates the pending delivery of `request` (version 1, next attempt at its creation) unless
  // one exists for its id, in which case nothing changes (a repeated copy is harmless).
  virtual Status Enqueue(const cases::ReportRequest& request) = 0;
  // The highest request id enqueued (0 when none): where the next copy starts.
  virtual Result<int64_t> LastRequestId() = 0;
  // kNotFound "report delivery N does not exist".
  virtual Result<Delivery> Get(int64_t request_id) = 0;
  // Pending deliveries with next_attempt_at <= now, by next_attempt_at then request id.
  virtual Result<std::vector<Delivery>> ListDue(TimePoint now, size_t limit) = 0;
  // Deliveries matching `filter`, ascending by request id.
  virtual Result<std::vector<Delivery>> List(const DeliveryFilter& filter) = 0;
  // Stores `d` if the stored version is still d.version, bumping it; false (writing nothing)
  // when someone else changed it first. kNotFound for an unknown request id.
  virtual Result<bool> Update(const Delivery& d) = 0;
};

// The delivery Enqueue creates for `request`.
Delivery DeliveryFromRequest(const cases::ReportRequest& request);

class InMemoryReportOutboxStore final : public ReportOutboxStore {
 public:
  Status Enqueue(const cases::ReportRequest& request) override;
  Result<int64_t> LastRequestId() override;
  Result<Delivery> Get(int64_t request_id) override;
  Result<std::vector<Delivery>> ListDue(TimePoint now, size_t limit) override;
  Result<std::vector<Delivery>> List(const DeliveryFilter& filter) override;
  Result<bool> Update(const Delivery& d) override;

 private:
  std::mutex mu_;
  std::map<int64_t, Delivery> deliveries_;  // guarded by mu_
};

}  // namespace vigil::report

#endif  // VIGIL_REPORT_OUTBOX_STORE_H_
