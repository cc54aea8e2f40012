// VideoDecoder: the decode loop (send/receive, error policy, end-of-stream flush) and the
// reference's frame selection and RGB24 conversion. docs/video.md explains each decision.
#include <fmt/format.h>

#include <algorithm>
#include <cmath>

#include "media/video_decoder_impl.h"

extern "C" {
#include <libavutil/pixdesc.h>
}

namespace vigil::media {

using video_internal::FfmpegErrorText;

Result<std::optional<VideoFrame>> VideoDecoder::Impl::Next() {
  if (!error_.ok()) return error_;
  auto fail = [this](Status status) {
    error_ = status;
    state_ = State::kDone;
    return status;
  };
  while (state_ != State::kDone) {
    if (need_input_ && state_ == State::kReading) {
      need_input_ = false;
      Status fed = Feed();
      if (!fed.ok()) return fail(fed);
      continue;
    }
    const int ret = avcodec_receive_frame(codec_.get(), decoded_.get());
    if (ret == AVERROR(EAGAIN)) {
      if (state_ == State::kDraining) {
        state_ = State::kDone;  // cannot happen after a flush; end rather than spin
        break;
      }
      need_input_ = true;
      continue;
    }
    if (ret == AVERROR_EOF) {
      state_ = State::kDone;
      break;
    }
    if (ret < 0) {
      Status skipped = DecodeError(ret, "decoding a frame");
      if (!skipped.ok()) return fail(skipped);
      // Feed before receiving again, so a decoder that repeats its error cannot spin.
      if (state_ == State::kDraining) state_ = State::kDone;
      need_input_ = true;
      continue;
    }
    ++stats_.frames_decoded;
    Result<bool> selected = Select();
    av_frame_unref(decoded_.get());
    if (!selected.ok()) return fail(selected.status());
    if (*selected) return std::optional<VideoFrame>(frame_);
  }
  if (stats_.frames_decoded == 0 && info_.speed == DecodeSpeed::kKeyframesOnly &&
      stats_.packets_read > 0 && stats_.decode_errors == 0) {
    return fail(
        UnimplementedError(fmt::format("the fast mode decodes keyframes only and this {} stream "
                                       "flags none; use DecodeSpeed::kExact",
                                       info_.codec)));
  }
  if (stats_.frames_decoded == 0) {
    return fail(InvalidArgumentError(
        stats_.decode_errors > 0
            ? fmt::format("no frame of the {} video could be decoded ({} decode errors)",
                          info_.codec, stats_.decode_errors)
            : fmt::format("the {} video has no frames", info_.codec)));
  }
  return std::optional<VideoFrame>();
}

Status VideoDecoder::Impl::Feed() {
  AVPacket* packet = packet_.get();
  const bool reference = options_.error_policy == DecodeErrorPolicy::kReference;
  while (true) {
    const int ret = av_read_frame(format_.get(), packet);
    if (ret < 0) return EndOfInput(ret);
    if (packet->stream_index != stream_->index) {
      av_packet_unref(packet);
      continue;
    }
    ++stats_.packets_read;
    // The demuxer flags a packet corrupt when the file ends inside it (MP4) or its transport
    // lost data (MPEG-TS). The reference decodes it anyway and usually fails in the decoder.
    last_packet_corrupt_ = (packet->flags & AV_PKT_FLAG_CORRUPT) != 0;
    if (last_packet_corrupt_ && !reference) {
      av_packet_unref(packet);
      ++stats_.decode_errors;
      continue;
    }
    if (info_.speed == DecodeSpeed::kKeyframesOnly && !(packet->flags & AV_PKT_FLAG_KEY)) {
      av_packet_unref(packet);
      continue;
    }
    const int sent = avcodec_send_packet(codec_.get(), packet);
    av_packet_unref(packet);
    if (sent == AVERROR(EAGAIN)) {
      return InternalError("the decoder refused a packet although its output was drained");
    }
    if (sent < 0) return DecodeError(sent, "sending a packet to the decoder");
    return Status::Ok();
  }
}

Status VideoDecoder::Impl::EndOfInput(int read_error) {
  // The reference takes any read error for the end of the file. vigil calls a file truncated
  // when reading fails or its last video packet was cut short, and refuses it by default.
  const bool truncated = read_error != AVERROR_EOF || last_packet_corrupt_;
  if (truncated && options_.error_policy != DecodeErrorPolicy::kReference) {
    if (!options_.allow_truncated) {
      return InvalidArgumentError(fmt::format(
          "video is truncated: its data ends early ({}) after {} frames",
          read_error != AVERROR_EOF ? FfmpegErrorText(read_error) : "last packet cut short",
          stats_.frames_decoded));
    }
    stats_.truncated = true;
  }
  // The reference flushes by passing its (empty) packet through its packet filter, which only
  // lets it reach the decoder when the video is stream 0.
  const bool drain = options_.flush_policy == FlushPolicy::kAlways || stream_->index == 0;
  if (!drain) {
    state_ = State::kDone;
    return Status::Ok();
  }
  const int ret = avcodec_send_packet(codec_.get(), nullptr);
  if (ret < 0 && ret != AVERROR_EOF) return DecodeError(ret, "flushing the decoder");
  stats_.drained = true;
  state_ = State::kDraining;
  return Status::Ok();
}

Status VideoDecoder::Impl::DecodeError(int error, std::string_view during) {
  if (error == AVERROR(ENOMEM)) return InternalError("out of memory while decoding the video");
  const std::string what = fmt::format("{} video: error {} after {} frames: {}", info_.codec,
                                       during, stats_.frames_decoded, FfmpegErrorText(error));
  if (options_.error_policy == DecodeErrorPolicy::kReference) return InvalidArgumentError(what);
  ++stats_.decode_errors;
  return Status::Ok();
}

Result<bool> VideoDecoder::Impl::Select() {
  const AVFrame& frame = *decoded_;
  RETURN_IF_ERROR(CheckFrameSize(frame.width, frame.height, options_.limits, "a video frame"));
  if (stats_.frames_decoded > options_.limits.max_frames) {
    return ResourceExhaustedError(
        fmt::format("video has over {} frames", options_.limits.max_frames));
  }
  const int64_t step = info_.frame_step;
  int64_t number = stats_.frames_decoded - 1;
  const bool keyframes_only = info_.speed == DecodeSpeed::kKeyframesOnly;
  if (keyframes_only) {
    // Only keyframes were decoded, so the output index says nothing; number by time instead.
    const int64_t pts = frame.best_effort_timestamp;
    const int64_t start = stream_->start_time != AV_NOPTS_VALUE ? stream_->start_time : 0;
    number = pts == AV_NOPTS_VALUE
                 ? last_selected_ + step
                 : std::llround(static_cast<double>(pts - start) * av_q2d(stream_->time_base) *
                                info_.frames_per_second);
    number = std::max<int64_t>(number, last_selected_ + 1);
  }
  // The header's duration was checked at open; this catches files whose header says less
  // than they hold (or nothing), measured with the reference's clock (frame number / fps).
  if (static_cast<double>(number) / info_.frames_per_second >
      options_.limits.max_duration_seconds) {
    return ResourceExhaustedError(
        fmt::format("video runs past the limit of {:.0f} s (frame {} at {:.3f} fps)",
                    options_.limits.max_duration_seconds, number, info_.frames_per_second));
  }
  const bool selected =
      keyframes_only ? last_selected_ < 0 || number >= last_selected_ + step : number % step == 0;
  if (!selected) return false;
  last_selected_ = number;
  RETURN_IF_ERROR(ConvertToRgb());
  ++stats_.frames_selected;
  frame_.frame_number = number;
  frame_.timestamp =
      static_cast<double>(static_cast<float>(number) / static_cast<float>(info_.frames_per_second));
  frame_.pts = frame.best_effort_timestamp;
  frame_.rgb = rgb_->data[0];
  frame_.width = rgb_->width;
  frame_.height = rgb_->height;
  frame_.row_stride = static_cast<size_t>(rgb_->linesize[0]);
  return true;
}

Status VideoDecoder::Impl::ConvertToRgb() {
  const AVFrame& src = *decoded_;
  // The reference converts every frame with one context made from the stream header; the
  // frame's own format and size are used here so that a mid-stream change cannot misread
  // memory. They are the header's for ordinary files. Same size in and out: swscale's
  // unscaled (SIMD) converters, SWS_AREA as the reference asks.
  sws_.reset(sws_getCachedContext(sws_.release(), src.width, src.height,
                                  static_cast<AVPixelFormat>(src.format), src.width, src.height,
                                  AV_PIX_FMT_RGB24, SWS_AREA, nullptr, nullptr, nullptr));
  if (sws_ == nullptr) {
    const char* name = av_get_pix_fmt_name(static_cast<AVPixelFormat>(src.format));
    return UnimplementedError(
        fmt::format("cannot convert {} video frames to RGB", name ? name : "unknown-format"));
  }
  if (rgb_ == nullptr || rgb_->width != src.width || rgb_->height != src.height) {
    // Allocated as the reference allocates its target frame (av_frame_get_buffer, default
    // alignment): swscale's SIMD paths may depend on the destination's padded line size.
    rgb_.reset(av_frame_alloc());
    if (rgb_ == nullptr) return InternalError("out of memory");
    rgb_->format = AV_PIX_FMT_RGB24;
    rgb_->width = src.width;
    rgb_->height = src.height;
    const int ret = av_frame_get_buffer(rgb_.get(), 0);
    if (ret < 0) {
      rgb_.reset();
      return InternalError(fmt::format("RGB frame buffer: {}", FfmpegErrorText(ret)));
    }
  }
  const int rows =
      sws_scale(sws_.get(), src.data, src.linesize, 0, src.height, rgb_->data, rgb_->linesize);
  if (rows != src.height) {
    return InternalError(fmt::format("RGB conversion wrote {} of {} rows", rows, src.height));
  }
  return Status::Ok();
}

VideoDecoder::VideoDecoder(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
VideoDecoder::~VideoDecoder() = default;

Result<std::unique_ptr<VideoDecoder>> VideoDecoder::Open(std::span<const uint8_t> bytes,
                                                         const VideoDecodeOptions& options) {
  auto impl = std::make_unique<Impl>(bytes, options);
  RETURN_IF_ERROR(impl->Open());
  return std::make_unique<VideoDecoder>(std::move(impl));
}

const VideoInfo& VideoDecoder::info() const { return impl_->info_; }
const VideoDecodeStats& VideoDecoder::stats() const { return impl_->stats_; }
Result<std::optional<VideoFrame>> VideoDecoder::Next() { return impl_->Next(); }

Result<VideoSummary> ForEachSampledFrame(std::span<const uint8_t> bytes,
                                         const VideoDecodeOptions& options,
                                         const std::function<Status(const VideoFrame&)>& on_frame) {
  ASSIGN_OR_RETURN(std::unique_ptr<VideoDecoder> decoder, VideoDecoder::Open(bytes, options));
  while (true) {
    ASSIGN_OR_RETURN(std::optional<VideoFrame> frame, decoder->Next());
    if (!frame) break;
    RETURN_IF_ERROR(on_frame(*frame));
  }
  return VideoSummary{decoder->info(), decoder->stats()};
}

}  // namespace vigil::media
