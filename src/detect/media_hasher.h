// MediaHasher: the first step of the detection pipeline, item bytes -> every hash vigil
// matches on: for an image, PDQ with quality (optionally its 8 dihedral variants); for a video,
// its vPDQ frame hashes; for both, MD5 and SHA-256 of the bytes.
//
// The media type is told from the bytes, never from a name. Decoding limits are checked
// before pixels are allocated.
//
// Thread safety: a MediaHasher keeps scratch buffers; use one per thread.
#ifndef VIGIL_DETECT_MEDIA_HASHER_H_
#define VIGIL_DETECT_MEDIA_HASHER_H_

#include <array>
#include <cstdint>
#include <optional>
#include <span>
#include <string>

#include "core/result.h"
#include "detect/video_hasher.h"
#include "hash/hash.h"
#include "media/media.h"

namespace vigil::detect {

struct MediaHasherOptions {
  media::DecodeLimits limits;
  hash::PdqOptions pdq;
  bool dihedral = false;  // also compute the 7 other orientations
  // Videos (MP4, MOV, MKV, WebM, AVI: told from the bytes) are hashed with vPDQ when set;
  // otherwise they fail with kUnimplemented like any format that is not an image.
  bool videos = true;
  // GIFs are images (PDQ of the first frame) unless this is set; then they are hashed as
  // videos with vPDQ, as Meta's vpdq-hash-video does.
  bool gif_as_video = false;
  VideoHasherOptions video;
};

struct MediaHashes {
  media::MediaType type = media::MediaType::kUnknown;
  int width = 0;
  int height = 0;
  hash::Hash256 pdq;
  int pdq_quality = 0;
  // Present when options.dihedral; indexed by hash::Dihedral (entry 0 equals `pdq`).
  std::optional<std::array<hash::Hash256, hash::kDihedralCount>> pdq_dihedral;
  hash::Md5Digest md5{};
  hash::Sha256Digest sha256{};
  // Set for a video (type kVideo); then pdq and pdq_quality are unset.
  std::optional<VideoHashes> video;
};

class MediaHasher {
 public:
  explicit MediaHasher(MediaHasherOptions options = {});

  // Hashes one image or video. Errors are those of media::DecodeImage or VideoHasher
  // (kInvalidArgument for corrupt or unrecognised bytes, kUnimplemented for unsupported
  // formats, kResourceExhausted over limits).
  Result<MediaHashes> HashBytes(std::span<const uint8_t> bytes);

  // The largest input HashBytes may accept (images' or videos' limit, whichever is larger), for
  // callers that read files before they know the type.
  uint64_t max_input_bytes() const;

 private:
  MediaHasherOptions options_;
  hash::PdqHasher pdq_;
  VideoHasher video_;
};

}  // namespace vigil::detect

#endif  // VIGIL_DETECT_MEDIA_HASHER_H_
