// Private to media/video*: the state of one VideoDecoder, shared by video_open.cc (container,
// stream and decoder set-up) and video_decoder.cc (the decode loop and frame selection).
#ifndef VIGIL_MEDIA_VIDEO_DECODER_IMPL_H_
#define VIGIL_MEDIA_VIDEO_DECODER_IMPL_H_

#include <cstdint>
#include <optional>
#include <span>
#include <string_view>

#include "core/result.h"
#include "media/video.h"
#include "media/video_ffmpeg.h"

namespace vigil::media {

class VideoDecoder::Impl {
 public:
  Impl(std::span<const uint8_t> bytes, const VideoDecodeOptions& options)
      : options_(options), reader_(bytes) {}

  Status Open();
  Result<std::optional<VideoFrame>> Next();

  VideoInfo info_;
  VideoDecodeStats stats_;

 private:
  Status OpenContainer();
  Status FindVideoStream();
  Status OpenDecoder();
  // Reads packets until one is sent to the decoder, or starts the end-of-stream drain.
  Status Feed();
  Status EndOfInput(int read_error);
  // Counts a decoder error under kSkipAndCount, or turns it into the video's error.
  Status DecodeError(int error, std::string_view during);
  // Decides whether the frame in decoded_ is selected; converts it when it is.
  Result<bool> Select();
  Status ConvertToRgb();

  enum class State { kReading, kDraining, kDone };

  VideoDecodeOptions options_;
  video_internal::SpanReader reader_;
  // Declaration order is destruction order reversed: the format context must close before
  // the I/O context it reads through is freed.
  video_internal::IoContextPtr io_;
  video_internal::FormatContextPtr format_;
  video_internal::CodecContextPtr codec_;
  video_internal::PacketPtr packet_;
  video_internal::FramePtr decoded_;
  video_internal::FramePtr rgb_;
  video_internal::SwsContextPtr sws_;
  AVStream* stream_ = nullptr;  // owned by format_
  State state_ = State::kReading;
  bool need_input_ = false;  // after a receive error, feed before receiving again
  bool last_packet_corrupt_ = false;
  int64_t last_selected_ = -1;
  VideoFrame frame_;
  Status error_;  // sticky once set
};

// kResourceExhausted when a frame of `width` x `height` is over `limits`; `what` starts the
// message ("the video", "a video frame").
Status CheckFrameSize(int width, int height, const VideoLimits& limits, std::string_view what);

}  // namespace vigil::media

#endif  // VIGIL_MEDIA_VIDEO_DECODER_IMPL_H_
