#include "privacy/legal_basis.h"

#include <fmt/format.h>

namespace vigil::privacy {
namespace {

TimePoint Day(int y, unsigned m, unsigned d) {
  return TimePoint(std::chrono::sys_days(std::chrono::year(y) / m / d));
}

std::string DayText(TimePoint t) { return FormatUtc(t).substr(0, 10); }

}  // namespace

const std::vector<LegalBasis>& KnownLegalBases() {
  // Immutable after first use; dates from ../shared/specs/regulation-status.md.
  static const std::vector<LegalBasis> kBases = {
      // In force 2 August 2021; extended by Regulation (EU) 2024/1307 to 3 April 2026.
      {.id = "2021/1232",
       .title = "Regulation (EU) 2021/1232",
       .applies_from = Day(2021, 8, 2),
       .applies_until = Day(2026, 4, 4),
       .excludes_end_to_end_encrypted = false,
       .excludes_audio = true},
      // In force 31 July 2026, "shall apply until 3 April 2028"; Art 1(3) excludes end-to-end
      // encrypted interpersonal communications.
      {.id = "2026/1881",
       .title = "Regulation (EU) 2026/1881",
       .applies_from = Day(2026, 7, 31),
       .applies_until = Day(2028, 4, 4),
       .excludes_end_to_end_encrypted = true,
       .excludes_audio = true},
  };
  return kBases;
}

const LegalBasis& DefaultLegalBasis() { return KnownLegalBases().back(); }

Result<LegalBasis> LegalBasisById(std::string_view id) {
  std::string known;
  for (const LegalBasis& b : KnownLegalBases()) {
    if (b.id == id) return b;
    known += (known.empty() ? "" : ", ") + b.id;
  }
  return InvalidArgumentError(fmt::format("unknown legal basis '{}' (known: {})", id, known));
}

Status CheckScanAllowed(const LegalBasis& basis, const ScanContext& context) {
  if (context.at < basis.applies_from || context.at >= basis.applies_until) {
    return FailedPreconditionError(fmt::format(
        "scanning is not allowed at {}: {} applies from {} to {} inclusive; configure the act "
        "that applies now",
        FormatUtc(context.at), basis.title, DayText(basis.applies_from),
        DayText(basis.applies_until - std::chrono::days(1))));
  }
  if (basis.excludes_end_to_end_encrypted && context.end_to_end_encrypted) {
    return FailedPreconditionError(fmt::format(
        "scanning end-to-end encrypted communications is excluded by {} (Art 1(3))", basis.title));
  }
  if (basis.excludes_audio && context.content_type == "audio") {
    return FailedPreconditionError(fmt::format("scanning audio is excluded by {}", basis.title));
  }
  return Status::Ok();
}

}  // namespace vigil::privacy
