#include "report/ncmec/ncmec_reporter.h"

#include <fmt/format.h>

#include <algorithm>

namespace vigil::report::ncmec {

NcmecReporter::NcmecReporter(std::unique_ptr<NcmecClient> client, const NcmecConfig& config,
                             const cases::ReviewConfig& review, const SchemaValidator& validator,
                             EvidenceSource& evidence, std::shared_ptr<const Clock> clock,
                             NcmecReporterOptions options)
    : client_(std::move(client)),
      config_(config),
      review_(review),
      validator_(validator),
      evidence_(evidence),
      clock_(std::move(clock)),
      options_(options) {}

Status NcmecReporter::Step(DeliveryProgress& p, const SaveProgress& save, const std::string& key,
                           const std::function<Result<ReportResponse>()>& send,
                           const std::function<Status(const ReportResponse&)>& apply) {
  p.in_flight = key;
  RETURN_IF_ERROR(save(p));
  ASSIGN_OR_RETURN(ReportResponse answer, send());
  // A definite answer: the step happened (success) or did not (refusal). Its result is saved
  // together with clearing the mark, so no crash can separate them.
  p.in_flight.clear();
  Status status = StatusOf(answer.state, answer.code, answer.description, key);
  if (status.ok()) {
    p.touched_at = clock_->Now();
    status = apply(answer);
  }
  RETURN_IF_ERROR(save(p));
  return status;
}

bool NcmecReporter::MustRestart(const DeliveryProgress& p) const {
  if (!p.remote_id || p.finished) return false;
  // A finish whose answer was lost is sent again (5102 means it happened), never retracted.
  if (p.in_flight == "finish") return false;
  if (!p.in_flight.empty()) return true;
  const TimePoint last = p.touched_at.value_or(p.opened_at.value_or(TimePoint{}));
  return clock_->Now() - last > options_.resume_window;
}

Status NcmecReporter::Withdraw(const DeliveryProgress& p) {
  if (!p.remote_id || p.finished) return Status::Ok();
  ASSIGN_OR_RETURN(ReportResponse r, client_->Retract(*p.remote_id));
  if (r.state == ResponseState::kSuccess || r.state == ResponseState::kGone ||
      r.state == ResponseState::kAlreadyRetracted) {
    return Status::Ok();
  }
  return StatusOf(r.state, r.code, r.description, "retract");
}

Status NcmecReporter::Upload(DeliveryProgress& p, const SaveProgress& save,
                             const ReportFile& file) {
  auto it = std::find_if(p.files.begin(), p.files.end(),
                         [&](const FileProgress& f) { return f.item_id == file.evidence.item_id; });
  if (it == p.files.end()) {
    p.files.push_back({.item_id = file.evidence.item_id});
    it = p.files.end() - 1;
  }
  const size_t index = static_cast<size_t>(it - p.files.begin());
  if (p.files[index].file_id.empty()) {
    const std::string name =
        file.evidence.file_name.empty() ? file.evidence.item_id : file.evidence.file_name;
    RETURN_IF_ERROR(Step(
        p, save, "upload:" + file.evidence.item_id,
        [&] { return client_->Upload(*p.remote_id, name, file.evidence.bytes); },
        [&](const ReportResponse& answer) -> Status {
          if (answer.file_id.empty()) {
            return UnavailableError("NCMEC upload answered without a file id");
          }
          p.files[index].file_id = answer.file_id;
          if (!answer.hash.empty() && answer.hash != file.md5_hex) {
            // The bytes were damaged on the way: start over rather than report them.
            p.in_flight = "upload:" + file.evidence.item_id;
            return DataLossError(fmt::format("NCMEC received item {} with MD5 {}, sent {}",
                                             file.evidence.item_id, answer.hash, file.md5_hex));
          }
          return Status::Ok();
        }));
  }
  if (!p.files[index].info_sent) {
    ASSIGN_OR_RETURN(std::string details,
                     BuildFileDetails(file, *p.remote_id, p.files[index].file_id, validator_));
    RETURN_IF_ERROR(Step(
        p, save, "fileinfo:" + file.evidence.item_id, [&] { return client_->FileInfo(details); },
        [&](const ReportResponse&) {
          p.files[index].info_sent = true;
          return Status::Ok();
        }));
  }
  return Status::Ok();
}

Result<int64_t> NcmecReporter::Finish(DeliveryProgress& p, const SaveProgress& save) {
  p.in_flight = "finish";
  RETURN_IF_ERROR(save(p));
  ASSIGN_OR_RETURN(ReportDoneResponse done, client_->Finish(*p.remote_id));
  p.in_flight.clear();
  if (done.state == ResponseState::kSuccess || done.state == ResponseState::kAlreadyFinished) {
    p.finished = true;
    p.touched_at = clock_->Now();
    RETURN_IF_ERROR(save(p));
    return *p.remote_id;
  }
  RETURN_IF_ERROR(save(p));
  return StatusOf(done.state, done.code, "", "finish");
}

Result<int64_t> NcmecReporter::Deliver(const cases::Case& c, DeliveryProgress& p,
                                       const SaveProgress& save) {
  if (p.finished) return *p.remote_id;
  if (p.in_flight == "submit" || MustRestart(p)) {
    RETURN_IF_ERROR(Withdraw(p));
    p = DeliveryProgress{.restarts = p.restarts + 1};
    RETURN_IF_ERROR(save(p));
  }
  if (p.in_flight == "finish") return Finish(p, save);
  // Built afresh on every attempt (evidence re-read, eligibility re-checked): nothing but the
  // progress is stored.
  ASSIGN_OR_RETURN(BuiltReport built,
                   BuildReportFromSource(c, review_, config_, {}, evidence_, validator_));
  if (!p.remote_id) {
    RETURN_IF_ERROR(Step(
        p, save, "submit", [&] { return client_->Submit(built.report_xml); },
        [&](const ReportResponse& answer) -> Status {
          if (!answer.report_id)
            return UnavailableError("NCMEC submit answered without a report id");
          p.remote_id = answer.report_id;
          p.opened_at = clock_->Now();
          return Status::Ok();
        }));
  }
  for (const ReportFile& file : built.files) RETURN_IF_ERROR(Upload(p, save, file));
  return Finish(p, save);
}

}  // namespace vigil::report::ncmec
