// Builds NCMEC CyberTipline documents from a decided case: the <report> submitted first, and one
// <fileDetails> per evidence file once the hotline has given the report and file their ids.
//
// Documents are built with libxml2's tree API (text is escaped by libxml2, never concatenated)
// in the element order of cyber_tipline.xsd, and every document is checked by a SchemaValidator
// before it is returned, so nothing that fails the schema can be sent.
//
// Only cases that may be reported are built: cases::ReportEligibility must pass, which recounts
// the Art 3(1)(g)(iii) human confirmations that new material and solicitation need.
//
// Thread safety: BuildReport and BuildFileDetails are reentrant given a shared validator.
#ifndef VIGIL_REPORT_NCMEC_REPORT_BUILDER_H_
#define VIGIL_REPORT_NCMEC_REPORT_BUILDER_H_

#include <cstdint>
#include <string>
#include <vector>

#include "cases/review_config.h"
#include "cases/types.h"
#include "core/result.h"
#include "report/ncmec/ncmec_config.h"
#include "report/ncmec/schema.h"
#include "report/types.h"

namespace vigil::report::ncmec {

// One file as reported: its evidence plus the digests computed here from its bytes.
struct ReportFile {
  EvidenceFile evidence{};
  std::string md5_hex{};
  std::string sha256_hex{};
  bool viewed_by_esp = false;  // a human reviewer looked at the case
};

// A case's report, validated and ready to submit.
struct BuiltReport {
  cases::CaseId case_id = 0;
  std::string report_xml{};  // <report>, UTF-8, with an XML declaration
  std::vector<ReportFile> files{};
};

struct ReportInput {
  ReportedUser user{};
  std::vector<EvidenceFile> evidence{};  // one per item of the case, any order
};

// kFailedPrecondition when the case may not be reported (ReportEligibility's message);
// kInvalidArgument naming the field when the input cannot be expressed in the schema (an
// unknown IP event name, industry class or annotation, a bad PDQ hex, evidence missing for an
// item or given for an item the case does not have); kInternal when the document fails the
// schema anyway (a bug here, with the validator's message).
Result<BuiltReport> BuildReport(const cases::Case& c, const cases::ReviewConfig& review,
                                const NcmecConfig& config, const ReportInput& input,
                                const SchemaValidator& validator);

// The <fileDetails> of `file` for the hotline's `report_id` and `file_id`, validated.
Result<std::string> BuildFileDetails(const ReportFile& file, int64_t report_id,
                                     const std::string& file_id, const SchemaValidator& validator);

// Fetches every item's evidence from `source` and builds the report (the usual entry point);
// when `user` has no esp_identifier, the source's User(c) supplies it (and an empty screen name).
Result<BuiltReport> BuildReportFromSource(const cases::Case& c, const cases::ReviewConfig& review,
                                          const NcmecConfig& config, const ReportedUser& user,
                                          EvidenceSource& source, const SchemaValidator& validator);

}  // namespace vigil::report::ncmec

#endif  // VIGIL_REPORT_NCMEC_REPORT_BUILDER_H_
