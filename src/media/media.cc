// DecodeImage: input-size check, sniffing, and dispatch to the per-format decoders.
#include "media/media.h"

#include <fmt/format.h>

#include "media/decoders.h"

namespace vigil::media {

Result<Image> DecodeImage(std::span<const uint8_t> bytes, const DecodeLimits& limits) {
  if (bytes.size() > limits.max_input_bytes) {
    return ResourceExhaustedError(fmt::format("input is {} bytes, over the limit of {}",
                                              bytes.size(), limits.max_input_bytes));
  }
  if (bytes.empty()) return InvalidArgumentError("input is empty");
  switch (SniffMediaType(bytes)) {
    case MediaType::kJpeg:
      return internal::DecodeJpeg(bytes, limits);
    case MediaType::kPng:
      return internal::DecodePng(bytes, limits);
    case MediaType::kGif:
      return internal::DecodeGif(bytes, limits);
    case MediaType::kWebp:
      return internal::DecodeWebp(bytes, limits);
    case MediaType::kBmp:
      return internal::DecodeBmp(bytes, limits);
    case MediaType::kTiff:
      return internal::DecodeTiff(bytes, limits);
    case MediaType::kHeif:
      return internal::DecodeHeif(bytes, limits);
    case MediaType::kVideo:
      return UnimplementedError("input is a video container; DecodeImage reads still images only");
    case MediaType::kUnknown:
      break;
  }
  return InvalidArgumentError("input is not a recognised image format");
}

}  // namespace vigil::media
