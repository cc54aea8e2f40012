// VideoHasher: video bytes -> vPDQ frame hashes (bit-exact with Meta's `vpdq-hash-video` in
// the default options) plus MD5 and SHA-256 of the bytes. The video counterpart of
// MediaHasher.
//
//   detect::VideoHasher hasher;                       // one hash per second, as the reference's -r
//   1 ASSIGN_OR_RETURN(detect::VideoHashes hashes, hasher.HashBytes(bytes)); std::string text =
//   hash::FormatVpdq(hashes.frames);  // the reference's output file
//
// Thread safety: a VideoHasher keeps scratch buffers; use one per thread.
#ifndef VIGIL_DETECT_VIDEO_HASHER_H_
#define VIGIL_DETECT_VIDEO_HASHER_H_

#include <cstdint>
#include <span>
#include <vector>

#include "core/result.h"
#include "hash/hash.h"
#include "media/video.h"

namespace vigil::detect {

struct VideoHasherOptions {
  // Frame sampling (seconds_per_hash = 1 by default, every_frame), limits, error and flush
  // policies, fast mode: see media/video.h.
  media::VideoDecodeOptions decode;
};

struct VideoHashes {
  media::VideoInfo info;
  media::VideoDecodeStats stats;        // frames decoded, decode errors skipped, ...
  std::vector<hash::VpdqFrame> frames;  // in frame-number order
  hash::Md5Digest md5{};
  hash::Sha256Digest sha256{};
};

class VideoHasher {
 public:
  explicit VideoHasher(VideoHasherOptions options = {});

  // Hashes one video. Errors are those of media::VideoDecoder (kInvalidArgument for empty,
  // corrupt, truncated or non-video bytes, kUnimplemented for an unsupported container or
  // codec, kResourceExhausted over the limits), plus kInvalidArgument for frames smaller than
  // 5x5 pixels, which vPDQ cannot hash. Messages do not name the input; add it with
  // WithContext().
  Result<VideoHashes> HashBytes(std::span<const uint8_t> bytes);

 private:
  VideoHasherOptions options_;
  hash::VpdqHasher vpdq_;
};

}  // namespace vigil::detect

#endif  // VIGIL_DETECT_VIDEO_HASHER_H_
