// WebP through libwebp, as ImageMagick 6 (coders/webp.c, built with libwebpmux/demux) reads it:
// WebPDecode with the default decoder config (fancy upsampling on, no dithering). ImageMagick
// asks for MODE_RGBA and drops the alpha when writing PNM; RGB samples are identical whether
// or not alpha is requested (libwebp's alpha is not premultiplied in these modes), so we ask
// for MODE_RGB and skip the copy.
//
// Only the bytes covered by the RIFF size are decoded (ImageMagick does the same); a RIFF size
// larger than the input means the file is truncated.
//
// Animations: the first frame is decoded and placed at its offset on a canvas of the declared
// canvas size; canvas pixels outside the frame are black (ImageMagick's ReadSingleWEBPImage
// sets them to transparent black). Later frames are not decoded.
#include <fmt/format.h>
#include <webp/decode.h>
#include <webp/demux.h>

#include <cstring>
#include <memory>

#include "media/decoders.h"

namespace vigil::media::internal {
namespace {

Status WebpError(VP8StatusCode status) {
  switch (status) {
    case VP8_STATUS_NOT_ENOUGH_DATA:
      return InvalidArgumentError("WebP data is truncated");
    case VP8_STATUS_OUT_OF_MEMORY:
      return ResourceExhaustedError("WebP decoder ran out of memory");
    case VP8_STATUS_UNSUPPORTED_FEATURE:
      return UnimplementedError("WebP uses an unsupported feature");
    default:
      return InvalidArgumentError(
          fmt::format("WebP data is corrupt (libwebp status {})", static_cast<int>(status)));
  }
}

// Decodes a still bitstream (a whole file, or one animation frame's fragment) into `out`,
// width * height * 3 bytes with rows packed.
Status DecodeRgbInto(std::span<const uint8_t> bitstream, int width, int height, uint8_t* out) {
  WebPDecoderConfig config;
  if (WebPInitDecoderConfig(&config) == 0) return InternalError("libwebp version mismatch");
  config.output.colorspace = MODE_RGB;
  config.output.is_external_memory = 1;
  config.output.u.RGBA.rgba = out;
  config.output.u.RGBA.stride = width * 3;
  config.output.u.RGBA.size = static_cast<size_t>(width) * static_cast<size_t>(height) * 3;
  const VP8StatusCode status = WebPDecode(bitstream.data(), bitstream.size(), &config);
  WebPFreeDecBuffer(&config.output);  // no-op for external memory, but keeps the API contract
  if (status != VP8_STATUS_OK) return WebpError(status);
  return Status::Ok();
}

struct DemuxDeleter {
  void operator()(WebPDemuxer* demux) const { WebPDemuxDelete(demux); }
};

Result<Image> DecodeFirstFrame(std::span<const uint8_t> riff, const DecodeLimits& limits) {
  const WebPData data{riff.data(), riff.size()};
  std::unique_ptr<WebPDemuxer, DemuxDeleter> demux(WebPDemux(&data));
  if (demux == nullptr) return InvalidArgumentError("WebP animation container is corrupt");
  const auto canvas_width = static_cast<int64_t>(WebPDemuxGetI(demux.get(), WEBP_FF_CANVAS_WIDTH));
  const auto canvas_height =
      static_cast<int64_t>(WebPDemuxGetI(demux.get(), WEBP_FF_CANVAS_HEIGHT));
  RETURN_IF_ERROR(CheckDimensions("WebP", canvas_width, canvas_height, limits));

  WebPIterator frame;
  if (WebPDemuxGetFrame(demux.get(), 1, &frame) == 0) {
    return InvalidArgumentError("WebP animation has no frames");
  }
  const int x0 = frame.x_offset, y0 = frame.y_offset, width = frame.width, height = frame.height;
  const std::span<const uint8_t> fragment(frame.fragment.bytes, frame.fragment.size);
  WebPDemuxReleaseIterator(&frame);
  // The demuxer rejects frames that do not fit the canvas; check anyway before copying.
  if (width <= 0 || height <= 0 || x0 < 0 || y0 < 0 || x0 + width > canvas_width ||
      y0 + height > canvas_height) {
    return InvalidArgumentError("WebP frame lies outside the canvas");
  }
  ASSIGN_OR_RETURN(Image rgb, AllocateImage(width, height, 3));
  RETURN_IF_ERROR(DecodeRgbInto(fragment, width, height, rgb.pixels.data()));
  ASSIGN_OR_RETURN(Image canvas, AllocateImage(static_cast<int>(canvas_width),
                                               static_cast<int>(canvas_height), 3));
  const size_t row_bytes = static_cast<size_t>(width) * 3;
  for (int y = 0; y < height; ++y) {
    std::memcpy(canvas.pixels.data() + (static_cast<size_t>(y0 + y) * canvas_width + x0) * 3,
                rgb.pixels.data() + static_cast<size_t>(y) * row_bytes, row_bytes);
  }
  return canvas;
}

}  // namespace

Result<Image> DecodeWebp(std::span<const uint8_t> bytes, const DecodeLimits& limits) {
  if (bytes.size() < 12) return InvalidArgumentError("WebP data is truncated");
  const uint64_t riff_size = uint64_t{bytes[4]} | (uint64_t{bytes[5]} << 8) |
                             (uint64_t{bytes[6]} << 16) | (uint64_t{bytes[7]} << 24);
  const uint64_t length = riff_size + 8;
  if (length < 12) return InvalidArgumentError("WebP RIFF header is corrupt");
  if (length > bytes.size()) return InvalidArgumentError("WebP data is truncated");
  const std::span<const uint8_t> riff = bytes.first(static_cast<size_t>(length));

  WebPBitstreamFeatures features;
  const VP8StatusCode status = WebPGetFeatures(riff.data(), riff.size(), &features);
  if (status != VP8_STATUS_OK) return WebpError(status);
  if (features.has_animation) return DecodeFirstFrame(riff, limits);

  RETURN_IF_ERROR(CheckDimensions("WebP", features.width, features.height, limits));
  ASSIGN_OR_RETURN(Image image, AllocateImage(features.width, features.height, 3));
  RETURN_IF_ERROR(DecodeRgbInto(riff, image.width, image.height, image.pixels.data()));
  return image;
}

}  // namespace vigil::media::internal
