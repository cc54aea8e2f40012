#include "detect/video_hasher.h"

#include <fmt/format.h>

#include <memory>
#include <optional>

namespace vigil::detect {
namespace {

// vPDQ's smallest hashable frame side (the reference's MIN_HASHABLE_DIM).
constexpr int kMinFrameSide = 5;

}  // namespace

VideoHasher::VideoHasher(VideoHasherOptions options) : options_(options) {}

Result<VideoHashes> VideoHasher::HashBytes(std::span<const uint8_t> bytes) {
  ASSIGN_OR_RETURN(std::unique_ptr<media::VideoDecoder> decoder,
                   media::VideoDecoder::Open(bytes, options_.decode));
  VideoHashes out;
  out.info = decoder->info();
  // Refused before decoding: the reference fails on the first such frame.
  if (out.info.width < kMinFrameSide || out.info.height < kMinFrameSide) {
    return InvalidArgumentError(fmt::format("video frames are {}x{}; vPDQ needs at least {}x{}",
                                            out.info.width, out.info.height, kMinFrameSide,
                                            kMinFrameSide));
  }
  while (true) {
    ASSIGN_OR_RETURN(std::optional<media::VideoFrame> frame, decoder->Next());
    if (!frame) break;
    const hash::PixelView view{frame->rgb, frame->width, frame->height, 3, frame->row_stride};
    ASSIGN_OR_RETURN(hash::VpdqFrame hashed,
                     vpdq_.HashFrame(view, frame->frame_number, frame->timestamp));
    out.frames.push_back(hashed);
  }
  out.stats = decoder->stats();
  out.md5 = hash::Md5(bytes);
  out.sha256 = hash::Sha256(bytes);
  return out;
}

}  // namespace vigil::detect
