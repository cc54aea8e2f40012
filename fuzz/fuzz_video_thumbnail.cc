// A video's frame thumbnails for review (media/thumbnail.h): hostile containers, durations that
// misstate the length and odd frame sizes must give at most max_frames PNGs within max_side, or
// a Status.
#include <cstddef>
#include <cstdint>
#include <span>

#include "media/thumbnail.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  vigil::media::ThumbnailOptions options;
  options.max_frames = 1 + static_cast<int>(size % 4);
  options.max_side = 16 + static_cast<int>(size % 7) * 8;
  options.limits.max_dimension = 2048;
  options.limits.max_pixels = 2048ull * 2048;
  options.limits.max_frames = 256;
  auto thumbs = vigil::media::ExtractVideoThumbnails(std::span<const uint8_t>(data, size), options);
  if (!thumbs.ok()) return 0;
  if (thumbs->frames.empty() || thumbs->frames.size() > static_cast<size_t>(options.max_frames)) {
    __builtin_trap();
  }
  for (const auto& t : thumbs->frames) {
    if (t.width < 1 || t.height < 1 || t.width > options.max_side || t.height > options.max_side ||
        t.png.size() < 8) {
      __builtin_trap();
    }
  }
  return 0;
}
