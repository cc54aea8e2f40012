// Limit checks and pixel allocation shared by all decoders.
#include <fmt/format.h>

#include <algorithm>
#include <limits>

#include "media/decoders.h"

namespace vigil::media::internal {

Status CheckDimensions(std::string_view format, int64_t width, int64_t height,
                       const DecodeLimits& limits) {
  if (width <= 0 || height <= 0) {
    return InvalidArgumentError(
        fmt::format("{} header declares an empty image ({}x{})", format, width, height));
  }
  // Image stores sides as int, so INT32_MAX caps even a caller's larger limit.
  const uint64_t max_side =
      std::min<uint64_t>(limits.max_dimension, std::numeric_limits<int32_t>::max());
  if (static_cast<uint64_t>(width) > max_side || static_cast<uint64_t>(height) > max_side) {
    return ResourceExhaustedError(fmt::format("{} image is {}x{}, over the limit of {} per side",
                                              format, width, height, max_side));
  }
  // Both sides are at most 2^32 here, so the product cannot overflow 64 bits.
  const uint64_t pixels = static_cast<uint64_t>(width) * static_cast<uint64_t>(height);
  if (pixels > limits.max_pixels) {
    return ResourceExhaustedError(fmt::format("{} image is {}x{} = {} pixels, over the limit of {}",
                                              format, width, height, pixels, limits.max_pixels));
  }
  return Status::Ok();
}

Result<Image> AllocateImage(int width, int height, int channels) {
  Image image;
  image.width = width;
  image.height = height;
  image.channels = channels;
  RETURN_IF_ERROR(ResizeBuffer(
      &image.pixels,
      static_cast<size_t>(width) * static_cast<size_t>(height) * static_cast<size_t>(channels)));
  return image;
}

}  // namespace vigil::media::internal
