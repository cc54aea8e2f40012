// Meta's ThreatExchange threat_updates API (Graph API, JSON), as python-threatexchange's
// fb_threatexchange client uses it: GET {endpoint}/{privacy_group}/threat_updates/ with
// access_token, start_time, stop_time, limit and fields returns {"data": [...], "paging":
// {"next": URL}}; each record has an id, an indicator (the hash), its type (HASH_PDQ, HASH_MD5,
// HASH_SHA256, ...), should_delete, and the members' descriptors with their status.
//
// A record to delete, or without descriptors, withdraws its hash; one whose descriptors all say
// NON_MALICIOUS withdraws it too (the members changed their opinion); one with some
// NON_MALICIOUS descriptors is disputed; otherwise the hash is vouched for. Other indicator types
// are counted as skipped. source_ref is "te:ID".
//
// The next URL carries the access token; the cursor keeps it without the token ("FROM|TO|URL"
// while paging, "TO" after a complete range), so no secret reaches the store.
//
// Thread safety: ParseThreatUpdates is a pure function of its input.
#ifndef VIGIL_EXCHANGE_THREATEXCHANGE_H_
#define VIGIL_EXCHANGE_THREATEXCHANGE_H_

#include <string>
#include <string_view>

#include "core/result.h"
#include "exchange/types.h"

namespace vigil::exchange {

inline constexpr size_t kMaxThreatUpdatesPageBytes = 32u << 20;

struct ThreatUpdatesPage {
  std::vector<HashUpdate> updates{};
  uint64_t records = 0;
  uint64_t skipped = 0;
  std::string next{};  // paging.next, "" on the last page
};

// Parses one threat_updates answer. kInvalidArgument naming `what` for malformed JSON, a
// non-object, a record without id, indicator or type, or an indicator that is not a valid value
// of its type; kFailedPrecondition over kMaxThreatUpdatesPageBytes.
Result<ThreatUpdatesPage> ParseThreatUpdates(std::string_view json, std::string_view what);

// `url` without its access_token query parameter (the cursor must not hold the secret).
std::string WithoutAccessToken(std::string_view url);

}  // namespace vigil::exchange

#endif  // VIGIL_EXCHANGE_THREATEXCHANGE_H_
