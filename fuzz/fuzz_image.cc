// Image sniffing and decoding (every format DecodeImage handles), then PDQ over what decoded:
// any bytes must give an image or a Status, within the limits, never a crash or a leak.
#include <cstddef>
#include <cstdint>
#include <span>

#include "hash/pdq.h"
#include "media/media.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::span<const uint8_t> bytes(data, size);
  vigil::media::MediaTypeName(vigil::media::SniffMediaType(bytes));
  // Limits small enough that one input stays well under libFuzzer's memory and time limits;
  // the limit checks themselves are part of what is fuzzed.
  vigil::media::DecodeLimits limits;
  limits.max_pixels = 4'000'000;
  limits.max_dimension = 8192;
  auto image = vigil::media::DecodeImage(bytes, limits);
  if (!image.ok()) return 0;
  if (image->pixels.size() != static_cast<size_t>(image->width) * image->height * image->channels) {
    __builtin_trap();  // the documented layout is broken
  }
  vigil::hash::PixelView view{image->pixels.data(), image->width, image->height, image->channels,
                              0};
  (void)vigil::hash::PdqHash(view);
  return 0;
}
