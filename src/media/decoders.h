// Private to `media`: one decoder per format, each in its own .cc file, and the helpers they
// share. DecodeImage() (media.cc) checks the input size, sniffs the type and calls one of these.
//
// Every decoder follows the same contract as DecodeImage(): it reads only `bytes`, checks the
// declared dimensions with CheckDimensions() before allocating pixels, never writes to
// stdout/stderr (codec warnings are captured or silenced), and reports failures as a Status:
//   kInvalidArgument    empty, truncated or corrupt data;
//   kUnimplemented      a valid file using a feature we do not decode (e.g. float TIFF samples);
//   kResourceExhausted  over the limits, or the pixel buffer could not be allocated.
//
// Thread safety: all functions are reentrant; no shared mutable state.
#ifndef VIGIL_MEDIA_DECODERS_H_
#define VIGIL_MEDIA_DECODERS_H_

#include <cstdint>
#include <new>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"
#include "media/media.h"

namespace vigil::media::internal {

// Fails with kInvalidArgument when a side is zero (or negative, for formats with signed
// fields) and kResourceExhausted when a side or the pixel count is over `limits`. The message
// names `format` and the declared size.
Status CheckDimensions(std::string_view format, int64_t width, int64_t height,
                       const DecodeLimits& limits);

// Resizes `buffer` to `size` zero elements, turning an allocation failure into
// kResourceExhausted (exceptions never leave media). Callers bound `size` by the limits first.
template <typename T>
Status ResizeBuffer(std::vector<T>* buffer, size_t size) {
  try {
    buffer->assign(size, T{});
  } catch (const std::bad_alloc&) {
    return ResourceExhaustedError("cannot allocate a decoding buffer of " +
                                  std::to_string(size * sizeof(T)) + " bytes");
  }
  return Status::Ok();
}

// A zero-filled image of the given shape. Dimensions must already have passed
// CheckDimensions(); fails with kResourceExhausted only if the allocation itself fails.
Result<Image> AllocateImage(int width, int height, int channels);

Result<Image> DecodeJpeg(std::span<const uint8_t> bytes, const DecodeLimits& limits);
Result<Image> DecodePng(std::span<const uint8_t> bytes, const DecodeLimits& limits);
Result<Image> DecodeGif(std::span<const uint8_t> bytes, const DecodeLimits& limits);
Result<Image> DecodeWebp(std::span<const uint8_t> bytes, const DecodeLimits& limits);
Result<Image> DecodeBmp(std::span<const uint8_t> bytes, const DecodeLimits& limits);
Result<Image> DecodeTiff(std::span<const uint8_t> bytes, const DecodeLimits& limits);
Result<Image> DecodeHeif(std::span<const uint8_t> bytes, const DecodeLimits& limits);

}  // namespace vigil::media::internal

#endif  // VIGIL_MEDIA_DECODERS_H_
