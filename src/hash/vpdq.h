// vPDQ: Meta's video similarity hash (facebook/ThreatExchange `vpdq`), a list of PDQ hashes
// of sampled video frames, and its matching rule.
//
// Hashing: each sampled frame is hashed with PDQ on the full RGB24 frame (no 512x512
// pre-resize, Resampling::kNone), which is bit-exact with the reference's
// `vpdq-hash-video` given the same pixels. Decoding and frame selection live in
// media/video.h; this file is pure (no I/O, no logging, no threads).
//
// Text form: one line per frame, `frameNumber,quality,pdqHex,timestamp`, e.g.
// `25,100,95b4...92ae,1.000`, exactly as the reference writes its output files.
//
// Matching (the vpdq README and python-threatexchange `match_VPDQ_hash_brute`): both lists
// are de-duplicated by identical hash (first kept), frames of quality below 50 dropped; a
// frame matches when some frame of the other list is within Hamming distance 31. The result
// is the share of query frames matched and of target frames matched. MatchVpdq is brute force
// (|Q| x |T| distance computations); it is the specification the fast index is tested against.
//
// Thread safety: VpdqHasher holds scratch buffers, use one per thread; free functions are
// reentrant.
#ifndef VIGIL_HASH_VPDQ_H_
#define VIGIL_HASH_VPDQ_H_

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"
#include "hash/hash256.h"
#include "hash/pdq.h"

namespace vigil::hash {

// One hashed frame of a video.
struct VpdqFrame {
  int64_t frame_number = 0;  // 0-based index of the frame in decoder output order
  int quality = 0;           // PDQ quality, 0..100
  Hash256 hash;
  double timestamp = 0;  // seconds; see VpdqTimestamp

  friend bool operator==(const VpdqFrame&, const VpdqFrame&) = default;
};

// The reference's timestamp of frame `frame_number` at `frames_per_second`: computed in single
// precision, (float)frame_number / (float)frames_per_second, as the reference does. It is not
// the frame's presentation time (which the reference never reads).
double VpdqTimestamp(int64_t frame_number, double frames_per_second);

class VpdqHasher {
 public:
  VpdqHasher();

  // Hashes one frame. `rgb` must have 3 channels (RGB). Fails with kInvalidArgument for a
  // malformed view or a side under 5 pixels (the reference refuses such frames too).
  // A frame of exactly 64x64 skips PDQ's blur, as in the reference.
  Result<VpdqFrame> HashFrame(const PixelView& rgb, int64_t frame_number, double timestamp);

 private:
  PdqHasher pdq_;
};

// `frameNumber,quality,pdqHex,timestamp` with the timestamp printed with 3 decimals
// (round-half-even on the binary value, like printf "%.3f"); no newline.
std::string FormatVpdqLine(const VpdqFrame& frame);
// The reference's file content: every frame's line followed by "\n".
std::string FormatVpdq(std::span<const VpdqFrame> frames);

// Parses one line of the text form. Exactly four comma-separated fields; a trailing "\r" is
// ignored. kInvalidArgument names the field that is wrong.
Result<VpdqFrame> ParseVpdqLine(std::string_view line);
// Parses a whole file; empty lines are skipped. Errors carry the 1-based line number.
Result<std::vector<VpdqFrame>> ParseVpdq(std::string_view text);

struct VpdqMatchOptions {
  int max_distance = 31;  // frames match when Hamming distance <= max_distance
  int min_quality = 50;   // frames below this quality take no part in matching
  // A video pair matches when both shares reach these percentages (>=).
  double query_match_threshold_percent = 80.0;
  double target_match_threshold_percent = 80.0;
};

struct VpdqMatchResult {
  // Frames left after de-duplication and the quality filter.
  int query_frames = 0;
  int target_frames = 0;
  int query_frames_matched = 0;   // query frames with some target frame within distance
  int target_frames_matched = 0;  // target frames with some query frame within distance
  // matched * 100 / frames; 0 when either filtered list is empty (the Python reference would
  // divide by zero there).
  double query_match_percent = 0;
  double target_match_percent = 0;
  bool is_match = false;
};

// De-duplicates by identical hash (keeping the first occurrence, in order), then drops frames
// below `min_quality`: the frames MatchVpdq compares.
std::vector<VpdqFrame> PrepareVpdqForMatching(std::span<const VpdqFrame> frames, int min_quality);

// Brute-force vPDQ comparison of a query video against a target video.
VpdqMatchResult MatchVpdq(std::span<const VpdqFrame> query, std::span<const VpdqFrame> target,
                          const VpdqMatchOptions& options = {});

}  // namespace vigil::hash

#endif  // VIGIL_HASH_VPDQ_H_
