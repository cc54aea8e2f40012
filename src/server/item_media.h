// An item's media for the console's routes (v1_console.cc, v1_frames.cc): who may see it and
// reading it from media_dir, checked against the flagged item's SHA-256.
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

// The item's media file from media_dir (named by its SHA-256): 404 when media_dir is not
// configured or the file is missing, kDataLoss when the file is not the flagged item.
Result<std::vector<uint8_t>> ReadItemMedia(Call& call, const cases::Item& item);

}  // namespace vigil::server::handlers

#endif  // VIGIL_SERVER_ITEM_MEDIA_H_
