// NCMEC's hash sharing API (v2, XML), as python-threatexchange's NCMEC client uses it: GET
// {environment}/v2/entries?from=...&to=... with HTTP Basic credentials returns a <queryResult>
// of <images> and <videos>, each holding <image>/<video> records (an <id>, the uploading
// <member id="...">, <fingerprints> such as <md5> and <pdq>, and <feedback> from other members)
// and <deletedImage>/<deletedVideo> tombstones; <paging><next> is the path of the next page.
//
// Each record becomes one HashUpdate per fingerprint vigil matches on (md5, pdq; sha1, PhotoDNA
// and the rest are counted as skipped), source_ref "MEMBER:ID"; negative feedback on a
// fingerprint type makes its hash disputed; a tombstone withdraws every entry with its
// source_ref. NCMEC returns a time range's entries in no time order, so the cursor only moves
// past a range when its last page is in: "FROM|TO|NEXT" while paging, "TO" after.
//
// Thread safety: ParseNcmecEntries is a pure function of its input.
#ifndef VIGIL_EXCHANGE_NCMEC_H_
#define VIGIL_EXCHANGE_NCMEC_H_

#include <string>
#include <string_view>

#include "core/result.h"
#include "exchange/types.h"

namespace vigil::exchange {

// An entries page is 1000 records of a few hundred bytes; 32 MiB leaves ample room.
inline constexpr size_t kMaxNcmecPageBytes = 32u << 20;

struct NcmecEntriesPage {
  std::vector<HashUpdate> updates{};
  uint64_t records = 0;  // records and tombstones read
  uint64_t skipped = 0;  // fingerprints of types vigil does not match on
  std::string next{};    // <paging><next>, "" on the last page
};

// Parses one /v2/entries answer (bytes as received). kInvalidArgument naming `what` for
// malformed XML, a DOCTYPE, another root element, a record without <id> or member id, a
// next path that is not "/v2/entries?...", or a fingerprint that is not a valid value of its
// type; kFailedPrecondition over kMaxNcmecPageBytes.
Result<NcmecEntriesPage> ParseNcmecEntries(std::string_view xml, std::string_view what);

}  // namespace vigil::exchange

#endif  // VIGIL_EXCHANGE_NCMEC_H_
