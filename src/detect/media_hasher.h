// MediaHasher: the first step of the detection pipeline, item bytes -> every hash vigil
// matches on (PDQ with quality, optionally its 8 dihedral variants, MD5 and SHA-256).
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
#include "hash/hash.h"
#include "media/media.h"

namespace vigil::detect {

struct MediaHasherOptions {
  media::DecodeLimits limits;
  hash::PdqOptions pdq;
  bool dihedral = false;  // also compute the 7 other orientations
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
};

class MediaHasher {
 public:
  explicit MediaHasher(MediaHasherOptions options = {});

  // Hashes one image. Errors are those of media::DecodeImage (kInvalidArgument for corrupt or
  // non-image bytes, kUnimplemented for unsupported formats, kResourceExhausted over limits).
  Result<MediaHashes> HashBytes(std::span<const uint8_t> bytes);

 private:
  MediaHasherOptions options_;
  hash::PdqHasher pdq_;
};

}  // namespace vigil::detect

#endif  // VIGIL_DETECT_MEDIA_HASHER_H_
