// vPDQ bank values: one video's list of hashed frames as a bank entry's value.
//
// Text form (BankEntry::value, the signal_value of CSV, JSON lines and te lists): the frames'
// lines in the reference's format, `frameNumber,quality,pdqHex,timestamp`, joined by ';', e.g.
//   0,100,f8f8...0f0f,0.000;29,98,e0e0...1f1f,0.967
// Normalised: hex in lowercase, the timestamp with exactly three decimals (the reference prints
// "%.3f"; more decimals are refused rather than rounded), and frames whose hash repeats an
// earlier frame's removed (the first is kept, order kept). Matching ignores repeated hashes
// (the vPDQ rule de-duplicates before comparing), so a static video hashed every frame costs a
// handful of frames instead of thousands.
//
// Raw form (what stores keep): a version byte (1), then 49 bytes a frame: frame number (int64
// little-endian), quality (one byte), the 32 PDQ bytes in hex order, timestamp in milliseconds
// (int64 little-endian). Equal values have equal bytes, so the stores' uniqueness on (type,
// value) works unchanged.
//
// Reference files (`vpdq-hash-video` output, one video per file): one line per frame, "\n" after
// each; ReferenceFileToVpdqValue and VpdqValueToReferenceFile convert, and a file without
// repeated hashes survives the round trip byte for byte.
//
// Thread safety: free functions on values.
#ifndef VIGIL_BANK_VPDQ_VALUE_H_
#define VIGIL_BANK_VPDQ_VALUE_H_

#include <array>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"

namespace vigil::bank {

// Frames one value may hold after de-duplication: 18 hours at one hash a second.
inline constexpr size_t kMaxVpdqFrames = 65536;
// Largest reference file accepted (every-frame hashing of a 3-hour 30 fps video is ~28 MiB).
inline constexpr size_t kMaxVpdqFileBytes = 64u << 20;

struct VpdqValueFrame {
  int64_t frame_number = 0;
  int quality = 0;  // 0..100
  std::array<uint8_t, 32> hash{};
  int64_t timestamp_ms = 0;
  friend bool operator==(const VpdqValueFrame&, const VpdqValueFrame&) = default;
};

// Parses the text form (';'-separated lines) without de-duplicating. kInvalidArgument names the
// frame (1-based) and the field at fault; an empty list is an error.
Result<std::vector<VpdqValueFrame>> ParseVpdqValue(std::string_view text);

// The text form of `frames` as given (no de-duplication).
std::string FormatVpdqValue(std::span<const VpdqValueFrame> frames);

// Removes frames whose hash equals an earlier frame's, keeping order.
std::vector<VpdqValueFrame> DeduplicateVpdqFrames(std::span<const VpdqValueFrame> frames);

// Parses, de-duplicates, checks kMaxVpdqFrames and formats: the normalised value.
Result<std::string> NormalizeVpdqValue(std::string_view text);

// Raw form of `frames`, and back. Decoding checks the version, the length and each field.
std::string EncodeVpdqValue(std::span<const VpdqValueFrame> frames);
Result<std::vector<VpdqValueFrame>> DecodeVpdqValue(std::span<const uint8_t> bytes);

// A reference file's content to a normalised value. Blank lines are skipped, "\r\n" accepted.
// kInvalidArgument names the 1-based line ("line 3: quality '101' is not 0..100"), or says the
// file is empty or too large (kMaxVpdqFileBytes).
Result<std::string> ReferenceFileToVpdqValue(std::string_view contents);

// A normalised value as the reference's file content: each frame's line followed by "\n".
std::string VpdqValueToReferenceFile(std::string_view value);

}  // namespace vigil::bank

#endif  // VIGIL_BANK_VPDQ_VALUE_H_
