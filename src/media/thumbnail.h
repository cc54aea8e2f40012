// Frame thumbnails of a video for human review: a few evenly spaced frames, downscaled and
// encoded as PNG, so a reviewer can see what a video shows without playing it (the console
// shows them under the same blur and greyscale as images; docs/console.md).
//
// Frames are chosen by the video decoder's own selection (video.h): one frame every
// D / max_frames seconds from frame 0 when the container states a duration D (about
// max_frames + 1 frames), else one a second; of those, max_frames evenly spaced ones, first and
// last included (even_keeper.h: at most 2 * max_frames are held whatever the real length, so a
// header that misstates the length cannot hide the rest of the video or exhaust memory).
// Videos of at most kKeyframesAfterSeconds are decoded frame by frame (up to
// kMaxExactThumbnailFrames, past which they are treated as long); longer ones keyframes only
// (much faster; a stream that flags no keyframe falls back to every frame). Each frame is
// downscaled by area averaging so its longer side is at most max_side (never upscaled).
//
// Errors: those of VideoDecoder::Open/Next (kInvalidArgument corrupt or not a video,
// kUnimplemented a container or codec this build does not decode, kResourceExhausted over
// the limits), kInvalidArgument for options out of range, kInternal when PNG encoding fails.
//
// Thread safety: reentrant; no shared state beyond video.h's FFmpeg log callback.
#ifndef VIGIL_MEDIA_THUMBNAIL_H_
#define VIGIL_MEDIA_THUMBNAIL_H_

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "core/result.h"
#include "media/video.h"

namespace vigil::media {

inline constexpr int kMaxThumbnailFrames = 32;
inline constexpr int kMaxThumbnailSide = 480;
inline constexpr double kKeyframesAfterSeconds = 30.0;
// Frames decoded one by one before a "short" video is taken as longer than it says.
inline constexpr int64_t kMaxExactThumbnailFrames = 7200;

struct ThumbnailOptions {
  int max_frames = 8;  // 1 to kMaxThumbnailFrames
  int max_side = 160;  // pixels, 16 to kMaxThumbnailSide
  VideoLimits limits;
};

struct Thumbnail {
  int64_t frame_number = 0;  // decoder output index (see VideoFrame)
  double timestamp = 0;      // seconds
  int width = 0;
  int height = 0;
  std::string png;  // the encoded image
};

struct VideoThumbnails {
  VideoInfo info;                 // frame_step is the spacing used, in frames
  std::vector<Thumbnail> frames;  // ascending by frame number
};

Result<VideoThumbnails> ExtractVideoThumbnails(std::span<const uint8_t> bytes,
                                               const ThumbnailOptions& options);

// An RGB24 image (rows `row_stride` bytes apart) averaged down to dst_width x dst_height, which
// must not exceed the source's sides; rows of the result are packed.
std::vector<uint8_t> DownscaleRgb(const uint8_t* rgb, int width, int height, size_t row_stride,
                                  int dst_width, int dst_height);

// Packed RGB24 as a PNG file.
Result<std::string> EncodePngRgb(const std::vector<uint8_t>& rgb, int width, int height);

}  // namespace vigil::media

#endif  // VIGIL_MEDIA_THUMBNAIL_H_
