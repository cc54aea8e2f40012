// NCMEC's answers: <reportResponse> (submit, upload, fileinfo, retract, status) and
// <reportDoneResponse> (finish), parsed from hostile-safe XML, with their response codes mapped to
// the states the sender acts on.
//
// Codes per PROTOCOL.md (NCMEC documents them; the XSD types them only as int): 0 success;
// 1000-1300 server-side failures worth retrying; 2000-3300 credentials or rights; 4000-4200 the
// request was malformed (a bug or schema drift: retrying will not help); 1210/5001/5002 the report
// or file does not exist (e.g. deleted unfinished); 5101 already retracted; 5102 already finished.
//
// Thread safety: pure functions.
#ifndef VIGIL_REPORT_NCMEC_RESPONSE_H_
#define VIGIL_REPORT_NCMEC_RESPONSE_H_

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"

namespace vigil::report::ncmec {

enum class ResponseState : uint8_t {
  kSuccess,
  kRetry,             // the hotline failed; try again later
  kUnauthorized,      // credentials or rights: fix the configuration
  kRejected,          // the request was invalid: retrying the same request will not help
  kGone,              // the report or file does not exist (any more)
  kAlreadyFinished,   // 5102
  kAlreadyRetracted,  // 5101
  kUnknown,           // a code not in the documented list
};

std::string_view ResponseStateName(ResponseState state);
ResponseState StateOfCode(int code);

struct ReportResponse {
  int code = 0;
  std::string description{};
  std::optional<int64_t> report_id{};
  std::string file_id{};
  std::string hash{};  // MD5 of an uploaded file, as the hotline computed it
  ResponseState state = ResponseState::kSuccess;
};

struct ReportDoneResponse {
  int code = 0;
  int64_t report_id = 0;
  std::vector<std::string> file_ids{};
  ResponseState state = ResponseState::kSuccess;
};

// kInvalidArgument naming `what` when the document is not well-formed, has a DOCTYPE, has the
// wrong root, lacks a required element or has a non-numeric code or id; kResourceExhausted when
// larger than 64 KiB.
Result<ReportResponse> ParseReportResponse(std::string_view xml, std::string_view what);
Result<ReportDoneResponse> ParseReportDoneResponse(std::string_view xml, std::string_view what);

// The Status a non-success state means for `step` ("submit", "upload", ...): kUnavailable for
// kRetry and kUnknown, kPermissionDenied, kInvalidArgument for kRejected, kNotFound for kGone,
// kAlreadyExists for kAlreadyFinished, kFailedPrecondition for kAlreadyRetracted. The message
// names the step, the code and the hotline's description.
Status StatusOf(ResponseState state, int code, std::string_view description, std::string_view step);

}  // namespace vigil::report::ncmec

#endif  // VIGIL_REPORT_NCMEC_RESPONSE_H_
