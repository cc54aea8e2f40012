// Records of reports of online child sexual abuse received by a Member State's law enforcement,
// imported from CSV or JSON for the Art 8 statistics (member_state.h).
//
// One record is one report as received on one channel; the same original report received via
// several channels (a provider's report forwarded by NCMEC and by a hotline) has one
// `original_id`, so the statistics can count it once (Art 8(a): "differentiating ... between the
// absolute number of cases and cases reported several times").
//
// Thread safety: free functions with no shared state.
#ifndef VIGIL_TRANSPARENCY_RECEIVED_REPORTS_H_
#define VIGIL_TRANSPARENCY_RECEIVED_REPORTS_H_

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/result.h"

namespace vigil::transparency {

// Who submitted a report (Art 8(a): providers and organisations acting in the public interest).
inline constexpr const char* kSourceKinds[] = {"provider", "hotline", "ncmec"};

struct ReceivedReport {
  std::string report_id{};    // the id on this channel
  std::string original_id{};  // the original report's id; report_id when not given
  std::string source{};       // the provider or organisation that sent it
  std::string source_kind{};  // one of kSourceKinds
  // The type of provider on whose service the abuse was detected (Art 8(a)); empty: not given.
  std::string provider_type{};
  std::string received{};  // YYYY-MM-DD
  // Outcomes linked to the report; empty when the record does not give them (never zero).
  std::optional<int64_t> children_female{}, children_male{}, children_gender_unspecified{};
  std::optional<int64_t> perpetrators_convicted{};
  std::string file{};  // where the record was read, for messages
  uint64_t line = 0;
};

struct ImportLimits {
  uint64_t max_file_bytes = uint64_t{1} << 30;         // CSV and JSON lines, streamed
  uint64_t max_json_array_bytes = uint64_t{64} << 20;  // a JSON array is parsed whole
  size_t max_line_bytes = 64 * 1024;
};

// Reads the records of one file: CSV with a header row (columns named as the fields above;
// original_id, provider_type and the outcome columns optional; an empty cell or "not available"
// means not given), a JSON array of objects, or JSON lines (one object per line), told apart
// by the first non-blank character. kInvalidArgument "FILE: line N: ..." for malformed CSV or
// JSON, nesting, unknown or missing columns, bad dates, unknown source kinds, negative or
// non-integer counts; kResourceExhausted naming the file when it or a line is over the limits;
// kNotFound when it does not exist.
Result<std::vector<ReceivedReport>> ImportReceivedReports(const std::string& path,
                                                          const ImportLimits& limits = {});

}  // namespace vigil::transparency

#endif  // VIGIL_TRANSPARENCY_RECEIVED_REPORTS_H_
