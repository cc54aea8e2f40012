// What a hotline report is made of beyond the case itself: the reported user as the operator
// knows them, and the evidence files (bytes and what is known about them). The case store keeps
// only pseudonymised ids and hashes, so the operator supplies these at report time through an
// EvidenceSource; nothing here is kept by vigil after the report is delivered.
//
// Thread safety: plain value types; EvidenceSource implementations say their own.
#ifndef VIGIL_REPORT_TYPES_H_
#define VIGIL_REPORT_TYPES_H_

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "cases/types.h"
#include "core/clock.h"
#include "core/result.h"

namespace vigil::report {

// An IP address the reported user used, and when (NCMEC's ipCaptureEvent).
struct IpCaptureEvent {
  std::string ip_address{};
  std::string event_name{};  // Login, Registration, Purchase, Upload, Other or Unknown; may be ""
  std::optional<TimePoint> at{};
  std::optional<bool> possible_proxy{};
  std::optional<int> port{};
};

// The reported user, beyond the case's pseudonymised account id.
struct ReportedUser {
  std::string esp_identifier{};  // the account id in the operator's system; the case's when ""
  std::string screen_name{};
  std::vector<IpCaptureEvent> ip_events{};
};

// One item's evidence: its bytes (uploaded to the hotline, hashed here) and what the operator
// knows about it.
struct EvidenceFile {
  std::string item_id{};
  std::string file_name{};  // as sent to the hotline; the item id when ""
  std::vector<uint8_t> bytes{};
  std::optional<bool> publicly_available{};
  std::string industry_classification{};   // A1, A2, B1, B2 or "" (only under NCMEC's MOU)
  std::string pdq_hex{};                   // 64 hex digits or ""
  std::vector<std::string> annotations{};  // NCMEC fileAnnotations names, e.g. "generativeAi"
  std::optional<IpCaptureEvent> upload_ip{};
};

// Where evidence comes from at report time (the operator's media storage).
class EvidenceSource {
 public:
  virtual ~EvidenceSource() = default;
  // The evidence of `item` of case `c`; kNotFound when it is gone (then the report cannot be
  // built), other codes as the storage reports them.
  virtual Result<EvidenceFile> Fetch(const cases::Case& c, const cases::Item& item) = 0;
  // The reported user as the operator's storage knows them (e.g. the clear account id kept
  // sealed for the case, privacy/account_identity.h); fields left empty fall back to the case's.
  // Asked once per report build, only when the caller gave no user.
  virtual Result<ReportedUser> User(const cases::Case& c) {
    (void)c;
    return ReportedUser{};
  }
};

// Evidence as files. With a directory (the CLI's --evidence-dir), each item's file is named by
// its item id there, and item ids that are not plain file names ("..", "/", control characters)
// are refused with kInvalidArgument. With an empty directory, item ids are file paths, as
// `vigil scan` records them. Files larger than `max_bytes` are kResourceExhausted.
class DirectoryEvidenceSource final : public EvidenceSource {
 public:
  DirectoryEvidenceSource(std::string dir, uint64_t max_bytes);
  Result<EvidenceFile> Fetch(const cases::Case& c, const cases::Item& item) override;

 private:
  Result<EvidenceFile> Read(const cases::Case& c, const std::string& id,
                            const std::string& path) const;

  std::string dir_;
  uint64_t max_bytes_;
};

}  // namespace vigil::report

#endif  // VIGIL_REPORT_TYPES_H_
