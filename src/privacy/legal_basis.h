// The legal basis for scanning: which act allows it, over which period, and what it excludes.
//
// Regulation (EU) 2021/1232 lapsed on 3 April 2026; its successor, Regulation (EU) 2026/1881,
// applies from 31 July 2026 until 3 April 2028 and excludes interpersonal communications that are
// end-to-end encrypted (its Art 1(3)); both exclude audio (../shared/specs/regulation-status.md).
// Between the two (4 April to 30 July 2026) no act allowed voluntary scanning. vigil refuses to
// scan outside the configured act's period and never scans what the act excludes.
//
// Pure values and functions; thread-safe.
#ifndef VIGIL_PRIVACY_LEGAL_BASIS_H_
#define VIGIL_PRIVACY_LEGAL_BASIS_H_

#include <string>
#include <string_view>
#include <vector>

#include "core/clock.h"
#include "core/result.h"

namespace vigil::privacy {

struct LegalBasis {
  std::string id{};     // "2026/1881": what configuration and reports name
  std::string title{};  // "Regulation (EU) 2026/1881"
  // The act applies to scans made at or after applies_from and before applies_until (the first
  // second after its last day, UTC).
  TimePoint applies_from{};
  TimePoint applies_until{};
  bool excludes_end_to_end_encrypted = false;
  bool excludes_audio = true;
};

// The acts vigil knows, oldest first. The default is the newest ("2026/1881").
const std::vector<LegalBasis>& KnownLegalBases();
inline constexpr std::string_view kDefaultLegalBasis = "2026/1881";

// The act vigil applies unless configured otherwise: the newest known.
const LegalBasis& DefaultLegalBasis();

// The act with `id`; kInvalidArgument listing the known ids otherwise.
Result<LegalBasis> LegalBasisById(std::string_view id);

// What is about to be scanned.
struct ScanContext {
  TimePoint at{};
  std::string content_type{};  // "image", "video", "text", "audio", ...
  bool end_to_end_encrypted = false;
};

// Ok when `basis` allows scanning `context`; kFailedPrecondition saying why otherwise (outside
// the act's period, end-to-end encrypted communications, audio).
Status CheckScanAllowed(const LegalBasis& basis, const ScanContext& context);

}  // namespace vigil::privacy

#endif  // VIGIL_PRIVACY_LEGAL_BASIS_H_
