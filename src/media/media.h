// Media decoding: bytes in, 8-bit pixels out, with limits checked before any pixel buffer is
// allocated. This is the only module that links image codecs; `hash` works on its output.
//
// Decoding follows what ImageMagick 6 hands to Meta's reference PDQ hasher, so that PDQ
// hashes are bit-exact with the reference: libjpeg-turbo defaults (accurate integer IDCT,
// fancy upsampling), EXIF orientation and ICC profiles ignored, alpha dropped (the stored
// colour under it is kept), CMYK converted to RGB as ImageMagick does, palette expanded,
// 16-bit samples scaled to 8 bits with rounding, animated formats give their first frame.
// Per format (details and the ImageMagick source each follows are in the decoder files): a
// GIF gives its first image at that image's own size (logical screen and offset ignored); an
// animated WebP gives its first frame placed on the canvas, black elsewhere; TIFF gives its
// first page; HEIF/AVIF give the primary image, converted from YCbCr with ImageMagick's formula.
// A JPEG missing only its final EOI marker decodes (its pixels are complete); any other
// truncation is an error.
//
// Thread safety: all functions are reentrant; no shared state.
#ifndef VIGIL_MEDIA_MEDIA_H_
#define VIGIL_MEDIA_MEDIA_H_

#include <cstdint>
#include <span>
#include <string_view>
#include <vector>

#include "core/result.h"

namespace vigil::media {

// What the bytes are, told from their magic bytes alone (never from a file name).
enum class MediaType {
  kUnknown,
  kJpeg,
  kPng,
  kGif,
  kWebp,
  kBmp,
  kTiff,
  kHeif,   // HEIC and AVIF (ISO-BMFF with a heic/heix/mif1/avif brand)
  kVideo,  // MP4/MOV/MKV/WebM/AVI containers: handled by the video decoder, not DecodeImage
};

MediaType SniffMediaType(std::span<const uint8_t> bytes);
std::string_view MediaTypeName(MediaType type);  // "jpeg", "png", ..., "unknown"

struct DecodeLimits {
  uint64_t max_input_bytes = 256ull << 20;  // 256 MiB
  uint64_t max_pixels = 100'000'000;        // 100 megapixels, checked from the header
  uint32_t max_dimension = 65'535;          // either side, checked from the header
};

// A decoded image: `channels` is 1 (the source is greyscale) or 3 (RGB), samples interleaved,
// rows packed with no padding: pixels.size() == width * height * channels.
struct Image {
  int width = 0;
  int height = 0;
  int channels = 0;
  std::vector<uint8_t> pixels;
};

// Decodes a still image (or the first frame of an animation). Errors:
//   kInvalidArgument    empty, truncated, corrupt, or not an image;
//   kUnimplemented      a recognised format this build cannot decode (e.g. a video);
//   kResourceExhausted  over `limits` (bytes, pixels or a side), detected before decoding.
// Messages say what was wrong but not which file: callers add the name with WithContext().
Result<Image> DecodeImage(std::span<const uint8_t> bytes, const DecodeLimits& limits);

}  // namespace vigil::media

#endif  // VIGIL_MEDIA_MEDIA_H_
