// An item's media for the console's routes (v1_console.cc, v1_frames.cc): who may see it and
// reading it from the encrypted evidence store (privacy/evidence_store.h), checked against the
// flagged item's SHA-256. The console has no media of its own: what it shows is the evidence the
// purge and a "not CSAM" erasure delete with the case (Art 3(1)(h)).
#ifndef VIGIL_SERVER_ITEM_MEDIA_H_
#define VIGIL_SERVER_ITEM_MEDIA_H_

#include <cstdint>
#include <utility>
#include <vector>

#include "cases/cases.h"
#include "server/api.h"

namespace vigil::server::handlers {

// The case {id} and its item {n} (0-based), checking that a reviewer holds the case under an
// unexpired lease: media is shown only to whoever is reviewing it (and to auditors and admins,
// who review the reviewers). 403 otherwise, 404 for a missing case or item.
Result<std::pair<cases::Case, size_t>> HeldItem(Call& call);

// What a media route answers when the server has no evidence store.
inline constexpr char kNoMediaStore[] =
    "no media is served: evidence_dir (the encrypted evidence store) is not configured "
    "(docs/console.md)";

// Item `position` of case `case_id` (`item`) opened from the evidence store: 404 when no store
// is configured or the item's file is missing (never kept, or erased with its case); kDataLoss
// when the file was changed, belongs to another item or is not the flagged item's SHA-256.
Result<std::vector<uint8_t>> ReadItemMedia(Call& call, const cases::Item& item, int64_t case_id,
                                           size_t position);

}  // namespace vigil::server::handlers

#endif  // VIGIL_SERVER_ITEM_MEDIA_H_
