// NcmecClient: the raw CyberTipline Reporting API over HTTP(S) with Basic auth (PROTOCOL.md):
// status, submit, upload, fileinfo, finish, retract. One call is one request; the client keeps no
// delivery state (the outbox sender does) and never retries on its own.
//
// Every call returns the hotline's parsed answer, whatever its response code, so the caller can
// tell "the hotline refused" (a definite answer: nothing happened) from an error: the call's
// Status is an error only when no usable answer came back — connection refused, timeout, a 5xx
// or 401/403 without a parseable body, or a malformed body. After such an error the request may
// or may not have taken effect.
//
// Thread safety: not thread-safe; use one client per thread.
#ifndef VIGIL_REPORT_NCMEC_CLIENT_H_
#define VIGIL_REPORT_NCMEC_CLIENT_H_

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"
#include "report/ncmec/ncmec_config.h"
#include "report/ncmec/response.h"

namespace vigil::report::ncmec {

class NcmecClient {
 public:
  // kInvalidArgument when the endpoint is not http(s)://host[:port][/path].
  static Result<std::unique_ptr<NcmecClient>> Create(const NcmecConfig& config);
  virtual ~NcmecClient() = default;

  // GET /status: connectivity and credentials.
  virtual Result<ReportResponse> CheckStatus() = 0;
  // POST /submit with the <report> document; a success carries the new report id.
  virtual Result<ReportResponse> Submit(std::string_view report_xml) = 0;
  // POST /upload (multipart: id, file); a success carries the file id and the hotline's MD5.
  virtual Result<ReportResponse> Upload(int64_t report_id, const std::string& file_name,
                                        const std::vector<uint8_t>& bytes) = 0;
  // POST /fileinfo with a <fileDetails> document.
  virtual Result<ReportResponse> FileInfo(std::string_view file_details_xml) = 0;
  // POST /finish (form: id); <reportDoneResponse>.
  virtual Result<ReportDoneResponse> Finish(int64_t report_id) = 0;
  // POST /retract (form: id); only before finish.
  virtual Result<ReportResponse> Retract(int64_t report_id) = 0;
};

}  // namespace vigil::report::ncmec

#endif  // VIGIL_REPORT_NCMEC_CLIENT_H_
