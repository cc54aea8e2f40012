// Reporter: one hotline or authority that receives reports (NCMEC's CyberTipline in ncmec/;
// others plug in beside it), and DeliveryProgress, the state of one report's delivery that the
// outbox saves after every step.
//
// Deliver runs the remaining steps of a delivery and calls `save` before each remote step (with
// the step marked in flight) and after it (with its result), so a crash at any point leaves a
// saved state from which the delivery continues without losing or duplicating the report:
// a step whose answer was never recorded is not repeated blindly; the destination decides
// (NCMEC: the unfinished report is retracted and the report submitted again).
//
// Thread safety: implementations say their own; the outbox runs one delivery per thread.
#ifndef VIGIL_REPORT_REPORTER_H_
#define VIGIL_REPORT_REPORTER_H_

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "cases/types.h"
#include "core/clock.h"
#include "core/result.h"

namespace vigil::report {

struct FileProgress {
  std::string item_id{};
  std::string file_id{};   // the destination's id once uploaded
  bool info_sent = false;  // file details accepted
  bool operator==(const FileProgress&) const = default;
};

struct DeliveryProgress {
  std::optional<int64_t> remote_id{};     // the destination's report id once submitted
  std::optional<TimePoint> opened_at{};   // when the remote report was opened
  std::optional<TimePoint> touched_at{};  // the last step the destination accepted
  std::vector<FileProgress> files{};
  // The step sent whose answer is not recorded yet ("submit", "upload:ITEM", "fileinfo:ITEM",
  // "finish"); empty between steps. Also the idempotency key of that step.
  std::string in_flight{};
  bool finished = false;
  int restarts = 0;  // times the delivery was started over
  bool operator==(const DeliveryProgress&) const = default;
};

// The progress as a JSON object, and back (kDataLoss naming the field when stored text is bad).
std::string ProgressToJson(const DeliveryProgress& progress);
Result<DeliveryProgress> ProgressFromJson(std::string_view json);

using SaveProgress = std::function<Status(const DeliveryProgress&)>;

class Reporter {
 public:
  virtual ~Reporter() = default;

  // The destination's name as stored in the outbox ("ncmec").
  virtual std::string_view destination() const = 0;

  // Delivers case `c`'s report from `progress` on, saving through `save`; returns the
  // destination's report id once finished. On error `progress` holds what was saved last (the
  // caller retries later). kFailedPrecondition when the case may not be reported.
  virtual Result<int64_t> Deliver(const cases::Case& c, DeliveryProgress& progress,
                                  const SaveProgress& save) = 0;

  // Withdraws an unfinished remote report (retract); OK when there is none or it is gone.
  virtual Status Withdraw(const DeliveryProgress& progress) = 0;
};

}  // namespace vigil::report

#endif  // VIGIL_REPORT_REPORTER_H_
