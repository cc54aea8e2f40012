#include "detect/media_hasher.h"

#include <fmt/format.h>

namespace vigil::detect {

MediaHasher::MediaHasher(MediaHasherOptions options) : options_(options), pdq_(options.pdq) {}

Result<MediaHashes> MediaHasher::HashBytes(std::span<const uint8_t> bytes) {
  if (bytes.size() > options_.limits.max_input_bytes) {
    return ResourceExhaustedError(fmt::format("input is {} bytes, over the limit of {} bytes",
                                              bytes.size(), options_.limits.max_input_bytes));
  }
  MediaHashes out;
  out.type = media::SniffMediaType(bytes);
  ASSIGN_OR_RETURN(media::Image image, media::DecodeImage(bytes, options_.limits));
  out.width = image.width;
  out.height = image.height;
  const hash::PixelView view{image.pixels.data(), image.width, image.height, image.channels, 0};
  if (options_.dihedral) {
    ASSIGN_OR_RETURN(hash::PdqDihedralResult all, pdq_.HashDihedral(view));
    out.pdq = all.hashes[0];
    out.pdq_quality = all.quality;
    out.pdq_dihedral = all.hashes;
    if (image.width == 64 && image.height == 64) {
      // The reference's single-hash path skips the filter at exactly 64x64 and its dihedral
      // path does not, so `pdq` must come from the single-hash path to equal the reference.
      ASSIGN_OR_RETURN(hash::PdqResult one, pdq_.Hash(view));
      out.pdq = one.hash;
      out.pdq_quality = one.quality;
    }
  } else {
    ASSIGN_OR_RETURN(hash::PdqResult one, pdq_.Hash(view));
    out.pdq = one.hash;
    out.pdq_quality = one.quality;
  }
  out.md5 = hash::Md5(bytes);
  out.sha256 = hash::Sha256(bytes);
  return out;
}

}  // namespace vigil::detect
