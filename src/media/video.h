// Video decoding: bytes of a video file in, the RGB24 frames vPDQ hashes out, one at a time.
//
// Frames are chosen exactly as Meta's `vpdq-hash-video` chooses them (docs/video.md): the
// first video stream; frames numbered 0, 1, 2, ... in decoder output order; every
// `frame_step`-th frame selected, where frame_step = (int)(float(seconds_per_hash) * fps),
// at least 1, and fps is the stream's average frame rate (else its r_frame_rate). Packet
// timestamps are not used. Each selected frame is converted at its native size to RGB24 by
// libswscale (SWS_AREA, default colourspace handling), which on x86-64 is what makes vPDQ
// hashes bit-exact with the reference.
//
// Limits (bytes, resolution, duration, frame count) are checked before decoding starts and
// again per frame, so a hostile file cannot make the decoder allocate or run without bound.
// Only containers a video can come in are opened (MP4/MOV, Matroska/WebM, AVI, GIF, FLV,
// MPEG-TS/PS, Ogg, ASF), and a container can never open another file or URL.
//
// Errors:
//   kInvalidArgument    empty, corrupt, truncated or non-video bytes (no video stream);
//   kUnimplemented      a container or codec this build does not decode (a still image, a
//                       playlist), or the fast mode on a stream that flags no keyframe;
//   kResourceExhausted  over VideoLimits;
//   kInternal           an unexpected FFmpeg failure (e.g. out of memory).
// Messages say what was wrong, not which file: callers add the name with WithContext().
//
// Thread safety: a VideoDecoder is used by one thread at a time; distinct decoders may run in
// parallel. FFmpeg's logging is process-wide and has no per-context switch: the first Open()
// installs, once, a log callback that drops every line (library code never writes to
// stderr; errors come back as Status). It replaces any FFmpeg log callback the process had
// set; this is the only global state the module touches.
#ifndef VIGIL_MEDIA_VIDEO_H_
#define VIGIL_MEDIA_VIDEO_H_

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string>

#include "core/result.h"

namespace vigil::media {

struct VideoLimits {
  uint64_t max_input_bytes = 1ull << 30;     // 1 GiB
  double max_duration_seconds = 4 * 3600.0;  // from the container header, then by frame count
  uint32_t max_dimension = 8192;             // either side of a frame
  uint64_t max_pixels = 8192ull * 4352;      // per frame (8K)
  int64_t max_frames = 2'000'000;            // frames decoded, whatever the header claims
};

// What to do when the decoder rejects a packet or frame.
enum class DecodeErrorPolicy {
  // Skip it, count it in VideoDecodeStats::decode_errors, go on with the next packet. The
  // video fails only if no frame at all could be decoded. Frames stay numbered by decoder
  // output, so after a skipped packet they are one lower than in an undamaged copy.
  kSkipAndCount,
  // Fail the whole video on the first error, as the reference does.
  kReference,
};

// When to drain the frames the decoder holds back at the end of the stream.
enum class FlushPolicy {
  kAlways,  // always: every decoded frame is seen
  // Only when the video is stream 0, as the reference does (its flush packet is only routed
  // to the decoder then): files with audio first lose the last few frames.
  kReference,
};

// Which frames are decoded at all.
enum class DecodeSpeed {
  kExact,  // every frame, as the reference: bit-exact selection and pixels
  // Only keyframe packets are sent to the decoder; each decoded keyframe at least frame_step
  // frames after the previously selected one is selected. Frame numbers come from the
  // presentation timestamp (round((pts - start) * fps)) since the other frames are not
  // counted. Much faster, fewer frames; hashes of the frames it does select are bit-exact.
  // Applies to long-GOP codecs (H.264, HEVC, VP8, VP9, AV1, MPEG-1/2/4, ...); others (GIF)
  // are decoded as kExact. A stream that flags no keyframe fails with kUnimplemented.
  kKeyframesOnly,
};

struct VideoDecodeOptions {
  VideoLimits limits;
  double seconds_per_hash = 1.0;  // >= 0; read in single precision like the reference
  bool every_frame = false;       // select every frame (same as seconds_per_hash = 0)
  DecodeErrorPolicy error_policy = DecodeErrorPolicy::kSkipAndCount;
  FlushPolicy flush_policy = FlushPolicy::kAlways;
  // A file whose data ends before its index says (e.g. a cut-off MP4) fails with
  // kInvalidArgument unless this is set; then the frames before the cut are returned.
  bool allow_truncated = false;
  DecodeSpeed speed = DecodeSpeed::kExact;
  // Decoder slice threads (0: FFmpeg's choice, one per core). 1 keeps a decode on one core:
  // vigil parallelises across items. Threads never change the hashes.
  int threads = 1;
};

struct VideoInfo {
  std::string container;  // FFmpeg demuxer name, e.g. "mov,mp4,m4a,3gp,3g2,mj2"
  std::string codec;      // decoder name, e.g. "h264"
  int stream_index = 0;   // index of the video stream among the container's streams
  int width = 0;          // from the stream header
  int height = 0;
  std::string pixel_format;  // e.g. "yuv420p"
  int frame_rate_num = 0;    // the frame rate used for selection, as a fraction
  int frame_rate_den = 1;
  double frames_per_second = 0;
  double duration_seconds = 0;  // from the container; 0 when it does not say
  int frame_step = 1;           // select every frame_step-th frame (the reference's frameMod)
  DecodeSpeed speed = DecodeSpeed::kExact;  // in effect for this codec
};

struct VideoDecodeStats {
  int64_t packets_read = 0;     // packets of the video stream
  int64_t frames_decoded = 0;   // frames the decoder output
  int64_t frames_selected = 0;  // frames returned to the caller
  int64_t decode_errors = 0;    // packets/frames skipped under kSkipAndCount
  bool truncated = false;       // data ended early (only with allow_truncated)
  bool drained = false;         // the decoder's held-back frames were flushed at the end
};

// A selected frame. `rgb` points into the decoder and stays valid until the next call to
// VideoDecoder::Next (or the end of the ForEachSampledFrame callback).
struct VideoFrame {
  int64_t frame_number = 0;      // 0-based decoder output index
  double timestamp = 0;          // (float)frame_number / (float)fps, as the reference computes it
  int64_t pts = 0;               // presentation time in stream time_base units (information only)
  const uint8_t* rgb = nullptr;  // RGB24, width * height pixels, rows `row_stride` bytes apart
  int width = 0;
  int height = 0;
  size_t row_stride = 0;
};

class VideoDecoder {
 public:
  // Opens a video held in `bytes`, which must outlive the decoder. Reads the container header
  // and stream parameters and checks every limit that can be known before decoding.
  static Result<std::unique_ptr<VideoDecoder>> Open(std::span<const uint8_t> bytes,
                                                    const VideoDecodeOptions& options);
  ~VideoDecoder();
  VideoDecoder(const VideoDecoder&) = delete;
  VideoDecoder& operator=(const VideoDecoder&) = delete;

  const VideoInfo& info() const;
  const VideoDecodeStats& stats() const;

  // Decodes until the next selected frame and returns it, or std::nullopt after the last one.
  // After an error the decoder is finished; further calls return the same error.
  Result<std::optional<VideoFrame>> Next();

  class Impl;
  // For Open() only: Impl is private to the module (video_decoder_impl.h).
  explicit VideoDecoder(std::unique_ptr<Impl> impl);

 private:
  std::unique_ptr<Impl> impl_;
};

struct VideoSummary {
  VideoInfo info;
  VideoDecodeStats stats;
};

// Calls `on_frame` for every selected frame in order. A non-OK status from `on_frame` stops
// decoding and is returned as is.
Result<VideoSummary> ForEachSampledFrame(std::span<const uint8_t> bytes,
                                         const VideoDecodeOptions& options,
                                         const std::function<Status(const VideoFrame&)>& on_frame);

}  // namespace vigil::media

#endif  // VIGIL_MEDIA_VIDEO_H_
