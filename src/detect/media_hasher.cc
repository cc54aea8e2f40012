#include "detect/media_hasher.h"

#include <fmt/format.h>

#include <algorithm>

namespace vigil::detect {

MediaHasher::MediaHasher(MediaHasherOptions options)
    : options_(options), pdq_(options.pdq), video_(options.video) {}

uint64_t MediaHasher::max_input_bytes() const {
  return options_.videos ? std::max(options_.limits.max_input_bytes,
                                    options_.video.decode.limits.max_input_bytes)
                         : options_.limits.max_input_bytes;
}

Result<MediaHashes> MediaHasher::HashBytes(std::span<const uint8_t> bytes) {
  MediaHashes out;
  out.type = media::SniffMediaType(bytes);
  const bool video =
      options_.videos && (out.type == media::MediaType::kVideo ||
                          (out.type == media::MediaType::kGif && options_.gif_as_video));
  const uint64_t limit =
      video ? options_.video.decode.limits.max_input_bytes : options_.limits.max_input_bytes;
  if (bytes.size() > limit) {
    return ResourceExhaustedError(
        fmt::format("input is {} bytes, over the limit of {} bytes", bytes.size(), limit));
  }
  if (video) {
    ASSIGN_OR_RETURN(VideoHashes video, video_.HashBytes(bytes));
    out.width = video.info.width;
    out.height = video.info.height;
    out.md5 = video.md5;
    out.sha256 = video.sha256;
    out.video = std::move(video);
    return out;
  }
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
