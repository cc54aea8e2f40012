// Index ids of photo entries and video frames (internal to the match module).
//
// Photo PDQ, MD5 and SHA-256 entries are indexed under their entry id (bits 0-46) with their
// bank's position in the matcher (bits 47-62), so a hit names its bank without reading the
// entry from the store (Matcher::Lookup*); a vPDQ entry's frames share the same
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

// Photo and digest entries: the entry id in bits 0-46, the bank's position in bits 47-62.
inline constexpr int kEntryIdBits = 63 - kFrameIndexBits;
inline constexpr uint64_t kEntryIdMask = (uint64_t{1} << kEntryIdBits) - 1;
inline constexpr size_t kMaxMatchedBanks = size_t{1} << (63 - kEntryIdBits);
inline uint64_t PhotoId(bank::EntryId entry, size_t bank_position) {
  return static_cast<uint64_t>(bank_position) << kEntryIdBits | static_cast<uint64_t>(entry);
}
inline bank::EntryId PhotoEntryOf(uint64_t id) {
  return static_cast<bank::EntryId>(id & kEntryIdMask);
}
inline size_t PhotoBankOf(uint64_t id) { return static_cast<size_t>(id >> kEntryIdBits); }

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
