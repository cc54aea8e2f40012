#include "media/thumbnail.h"

#include <fmt/format.h>
#include <png.h>

#include <algorithm>
#include <cmath>
#include <optional>

#include "media/even_keeper.h"

namespace vigil::media {
namespace {

// A selected frame, downscaled, before encoding (frames thinned out are never encoded).
struct Scaled {
  int64_t frame_number = 0;
  double timestamp = 0;
  int width = 0;
  int height = 0;
  std::vector<uint8_t> rgb;
};

Status CheckOptions(const ThumbnailOptions& o) {
  if (o.max_frames < 1 || o.max_frames > kMaxThumbnailFrames) {
    return InvalidArgumentError(
        fmt::format("thumbnail count {} is not 1 to {}", o.max_frames, kMaxThumbnailFrames));
  }
  if (o.max_side < 16 || o.max_side > kMaxThumbnailSide) {
    return InvalidArgumentError(
        fmt::format("thumbnail size {} is not 16 to {} pixels", o.max_side, kMaxThumbnailSide));
  }
  return Status::Ok();
}

Scaled ScaleFrame(const VideoFrame& f, int max_side) {
  const int longer = std::max(f.width, f.height);
  int w = f.width, h = f.height;
  if (longer > max_side) {
    w = std::max(1, static_cast<int>(std::lround(double(f.width) * max_side / longer)));
    h = std::max(1, static_cast<int>(std::lround(double(f.height) * max_side / longer)));
  }
  return Scaled{f.frame_number, f.timestamp, w, h,
                DownscaleRgb(f.rgb, f.width, f.height, f.row_stride, w, h)};
}

// Decodes with `vo` and keeps at most max_frames downscaled frames, evenly spaced over the
// frames the decoder selects (EvenKeeper): the step from the stated duration already spaces
// about max_frames + 1 of them over the video, and a container that misstates its length
// still gets a strip over all of it, in bounded memory.
Result<VideoThumbnails> Collect(std::span<const uint8_t> bytes, const VideoDecodeOptions& vo,
                                const ThumbnailOptions& options) {
  ASSIGN_OR_RETURN(std::unique_ptr<VideoDecoder> decoder, VideoDecoder::Open(bytes, vo));
  EvenKeeper<Scaled> keeper(static_cast<size_t>(options.max_frames));
  for (;;) {
    ASSIGN_OR_RETURN(std::optional<VideoFrame> frame, decoder->Next());
    if (!frame) break;
    if (keeper.Wants()) keeper.Keep(ScaleFrame(*frame, options.max_side));
  }
  if (keeper.held() == 0) return InvalidArgumentError("the video has no frame to show");
  VideoThumbnails out{decoder->info(), {}};
  for (Scaled& s : std::move(keeper).Take()) {
    ASSIGN_OR_RETURN(std::string png, EncodePngRgb(s.rgb, s.width, s.height));
    out.frames.push_back({s.frame_number, s.timestamp, s.width, s.height, std::move(png)});
  }
  return out;
}

}  // namespace

std::vector<uint8_t> DownscaleRgb(const uint8_t* rgb, int width, int height, size_t row_stride,
                                  int dst_width, int dst_height) {
  std::vector<uint8_t> out(static_cast<size_t>(dst_width) * dst_height * 3);
  for (int dy = 0; dy < dst_height; ++dy) {
    const int y0 = static_cast<int>(int64_t{dy} * height / dst_height);
    const int y1 = std::max(y0 + 1, static_cast<int>(int64_t{dy + 1} * height / dst_height));
    for (int dx = 0; dx < dst_width; ++dx) {
      const int x0 = static_cast<int>(int64_t{dx} * width / dst_width);
      const int x1 = std::max(x0 + 1, static_cast<int>(int64_t{dx + 1} * width / dst_width));
      uint64_t sum[3] = {0, 0, 0};
      for (int y = y0; y < y1; ++y) {
        const uint8_t* row = rgb + static_cast<size_t>(y) * row_stride;
        for (int x = x0; x < x1; ++x) {
          for (int c = 0; c < 3; ++c) sum[c] += row[x * 3 + c];
        }
      }
      const uint64_t count = static_cast<uint64_t>(y1 - y0) * (x1 - x0);
      uint8_t* px = &out[(static_cast<size_t>(dy) * dst_width + dx) * 3];
      for (int c = 0; c < 3; ++c) px[c] = static_cast<uint8_t>((sum[c] + count / 2) / count);
    }
  }
  return out;
}

Result<std::string> EncodePngRgb(const std::vector<uint8_t>& rgb, int width, int height) {
  if (width < 1 || height < 1 || rgb.size() != static_cast<size_t>(width) * height * 3) {
    return InvalidArgumentError(
        fmt::format("{} bytes are not a {}x{} RGB image", rgb.size(), width, height));
  }
  png_image image{};
  image.version = PNG_IMAGE_VERSION;
  image.width = static_cast<png_uint_32>(width);
  image.height = static_cast<png_uint_32>(height);
  image.format = PNG_FORMAT_RGB;
  // First the size, then the bytes: libpng's simplified API reports errors in image.message
  // and never longjmps out of the call.
  png_alloc_size_t size = 0;
  if (png_image_write_to_memory(&image, nullptr, &size, 0, rgb.data(), 0, nullptr) == 0) {
    const std::string why = image.message;
    png_image_free(&image);
    return InternalError(fmt::format("PNG encoding failed: {}", why));
  }
  std::string out(size, '\0');
  if (png_image_write_to_memory(&image, out.data(), &size, 0, rgb.data(), 0, nullptr) == 0) {
    const std::string why = image.message;
    png_image_free(&image);
    return InternalError(fmt::format("PNG encoding failed: {}", why));
  }
  out.resize(size);
  return out;
}

Result<VideoThumbnails> ExtractVideoThumbnails(std::span<const uint8_t> bytes,
                                               const ThumbnailOptions& options) {
  RETURN_IF_ERROR(CheckOptions(options));
  VideoDecodeOptions vo;
  vo.limits = options.limits;
  // A reviewer should see what does decode of a cut-off file, as a player would show it.
  vo.allow_truncated = true;
  double duration = 0;
  {
    // Opening reads only the container header: the duration decides the spacing.
    ASSIGN_OR_RETURN(std::unique_ptr<VideoDecoder> probe, VideoDecoder::Open(bytes, vo));
    duration = probe->info().duration_seconds;
  }
  vo.seconds_per_hash = duration > 0 ? duration / options.max_frames : 1.0;
  if (duration <= kKeyframesAfterSeconds) {
    // Short (or unstated): every frame is decoded, so the strip is exact, but only up to
    // kMaxExactFrames; a video longer than its header says goes on below, keyframes only.
    VideoDecodeOptions exact = vo;
    exact.limits.max_frames = std::min(vo.limits.max_frames, kMaxExactThumbnailFrames);
    Result<VideoThumbnails> r = Collect(bytes, exact, options);
    if (r.ok() || r.status().code() != StatusCode::kResourceExhausted) return r;
  }
  vo.speed = DecodeSpeed::kKeyframesOnly;
  Result<VideoThumbnails> r = Collect(bytes, vo, options);
  if (!r.ok() && r.status().code() == StatusCode::kUnimplemented) {
    vo.speed = DecodeSpeed::kExact;  // the stream flags no keyframe: decode every frame
    r = Collect(bytes, vo, options);
  }
  return r;
}

}  // namespace vigil::media
