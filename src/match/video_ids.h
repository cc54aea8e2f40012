// Index ids of video frames (internal to the match module).
//
// Photo PDQ entries are indexed under their entry id; a vPDQ entry's frames share the same
// HammingIndex under ids with the top bit set, the entry id in the middle and the frame's
// position (in the entry's de-duplicated, quality-filtered list) in the low 16 bits, so a hit
// names its entry and frame without a lookup table.
#ifndef VIGIL_MATCH_VIDEO_IDS_H_
#define VIGIL_MATCH_VIDEO_IDS_H_

#include <cstdint>

#include "bank/bank.h"

namespace vigil::match {

inline constexpr uint64_t kVideoFrameBit = uint64_t{1} << 63;
inline constexpr int kFrameIndexBits = 16;
static_assert(bank::kMaxVpdqFrames <= (size_t{1} << kFrameIndexBits));
// Entry ids at or above this cannot be encoded (2^47: far beyond any bank).
inline constexpr int64_t kMaxVideoEntryId = int64_t{1} << (63 - kFrameIndexBits);

inline bool IsVideoFrameId(uint64_t id) { return (id & kVideoFrameBit) != 0; }
inline uint64_t VideoFrameId(bank::EntryId entry, int frame) {
  return kVideoFrameBit | static_cast<uint64_t>(entry) << kFrameIndexBits |
         static_cast<uint64_t>(frame);
}
inline bank::EntryId VideoEntryOf(uint64_t id) {
  return static_cast<bank::EntryId>((id & ~kVideoFrameBit) >> kFrameIndexBits);
}
inline int VideoFrameOf(uint64_t id) {
  return static_cast<int>(id & ((uint64_t{1} << kFrameIndexBits) - 1));
}

}  // namespace vigil::match

#endif  // VIGIL_MATCH_VIDEO_IDS_H_
