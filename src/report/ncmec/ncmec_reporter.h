// NcmecReporter: delivers a case's report to the CyberTipline through NcmecClient in the API's
// order: submit -> upload each file -> file details of each -> finish.
//
// Resume or restart: NCMEC deletes a report left unfinished (24 h after it was opened or 1 h
// after its last change, whichever is later), and an upload whose answer was lost may or may not
// have happened. So a delivery continues from its saved progress only when the last step's answer
// was recorded and the remote report was touched within `resume_window`; otherwise the unfinished
// remote report is retracted and the report submitted again. A finish whose answer was lost is
// simply sent again: "already finished" (5102) means it was. A submit whose answer was lost may
// leave an unfinished report at NCMEC that nobody finishes; NCMEC deletes it.
//
// Thread safety: not thread-safe (it owns one NcmecClient).
#ifndef VIGIL_REPORT_NCMEC_NCMEC_REPORTER_H_
#define VIGIL_REPORT_NCMEC_NCMEC_REPORTER_H_

#include <chrono>
#include <memory>

#include "cases/review_config.h"
#include "report/ncmec/client.h"
#include "report/ncmec/ncmec_config.h"
#include "report/ncmec/report_builder.h"
#include "report/reporter.h"

namespace vigil::report::ncmec {

struct NcmecReporterOptions {
  std::chrono::seconds resume_window{std::chrono::minutes(50)};  // under NCMEC's 1 h
};

class NcmecReporter final : public Reporter {
 public:
  // All references must outlive the reporter.
  NcmecReporter(std::unique_ptr<NcmecClient> client, const NcmecConfig& config,
                const cases::ReviewConfig& review, const SchemaValidator& validator,
                EvidenceSource& evidence, std::shared_ptr<const Clock> clock,
                NcmecReporterOptions options = {});

  std::string_view destination() const override { return "ncmec"; }
  Result<int64_t> Deliver(const cases::Case& c, DeliveryProgress& progress,
                          const SaveProgress& save) override;
  Status Withdraw(const DeliveryProgress& progress) override;

 private:
  // Sends one step: marks it in flight and saves, calls `send`, and on a definite answer clears
  // the mark, applies a success to `p` with `apply`, and saves again. An error from `send` (no
  // usable answer) leaves the mark saved.
  Status Step(DeliveryProgress& p, const SaveProgress& save, const std::string& key,
              const std::function<Result<ReportResponse>()>& send,
              const std::function<Status(const ReportResponse&)>& apply);
  bool MustRestart(const DeliveryProgress& p) const;
  Status Upload(DeliveryProgress& p, const SaveProgress& save, const ReportFile& file);
  Result<int64_t> Finish(DeliveryProgress& p, const SaveProgress& save);

  std::unique_ptr<NcmecClient> client_;
  const NcmecConfig& config_;
  const cases::ReviewConfig& review_;
  const SchemaValidator& validator_;
  EvidenceSource& evidence_;
  std::shared_ptr<const Clock> clock_;
  NcmecReporterOptions options_;
};

}  // namespace vigil::report::ncmec

#endif  // VIGIL_REPORT_NCMEC_NCMEC_REPORTER_H_
