// Video demuxing and decoding through FFmpeg: VideoDecoder::Open then up to 64 selected frames.
// Hostile containers must give frames or a Status within VideoLimits.
#include <cstddef>
#include <cstdint>
#include <span>

#include "media/video.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  vigil::media::VideoDecodeOptions options;
  options.every_frame = true;
  options.limits.max_dimension = 2048;
  options.limits.max_pixels = 2048ull * 2048;
  options.limits.max_frames = 256;
  options.allow_truncated = (size % 2) == 0;  // both truncation paths
  auto decoder = vigil::media::VideoDecoder::Open(std::span<const uint8_t>(data, size), options);
  if (!decoder.ok()) return 0;
  for (int i = 0; i < 64; ++i) {
    auto frame = (*decoder)->Next();
    if (!frame.ok() || !frame->has_value()) break;
    const vigil::media::VideoFrame& f = **frame;
    if (f.width <= 0 || f.height <= 0 || f.rgb == nullptr) __builtin_trap();
    // Touch the last byte so ASan checks the whole frame is addressable.
    volatile uint8_t last = f.rgb[(f.height - 1) * f.row_stride + f.width * 3 - 1];
    (void)last;
  }
  return 0;
}
