// VideoDecoder set-up: the container (from memory, allow-listed demuxers, no nested opens),
// the first video stream, the frame rate and step, the limits, and the decoder.
#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <climits>
#include <cmath>
#include <vector>

#include "media/video_decoder_impl.h"

extern "C" {
#include <libavutil/pixdesc.h>
}

namespace vigil::media {

using video_internal::FfmpegErrorText;

namespace {

// Reads the reference's frameMod: (int)(secondsPerHash * fps), with secondsPerHash parsed by
// std::stof (so single precision) and the product in double.
Result<int> FrameStep(const VideoDecodeOptions& options, double fps) {
  const double seconds = options.seconds_per_hash;
  if (!std::isfinite(seconds) || seconds < 0) {
    return InvalidArgumentError(
        fmt::format("seconds per hash must be a non-negative number, got {}", seconds));
  }
  if (options.every_frame) return 1;
  const double step = static_cast<double>(static_cast<float>(seconds)) * fps;
  if (step >= static_cast<double>(INT_MAX)) {
    return InvalidArgumentError(fmt::format(
        "seconds per hash {} at {:.3f} fps selects no frame after the first", seconds, fps));
  }
  return std::max(1, static_cast<int>(step));
}

// Codecs whose keyframes can be decoded alone and whose other frames cost real work to decode.
// GIF is not one: its frames are painted over one another and only the first is flagged key.
bool KeyframesDecodeAlone(AVCodecID id) {
  switch (id) {
    case AV_CODEC_ID_H264:
    case AV_CODEC_ID_HEVC:
    case AV_CODEC_ID_VP8:
    case AV_CODEC_ID_VP9:
    case AV_CODEC_ID_AV1:
    case AV_CODEC_ID_MPEG4:
    case AV_CODEC_ID_MPEG1VIDEO:
    case AV_CODEC_ID_MPEG2VIDEO:
    case AV_CODEC_ID_H263:
    case AV_CODEC_ID_VC1:
    case AV_CODEC_ID_WMV3:
    case AV_CODEC_ID_THEORA:
      return true;
    default:
      return false;
  }
}

// "QuickTime / MOV" rather than the demuxer's list of names.
std::string_view FormatName(const AVInputFormat& format) {
  return format.long_name != nullptr ? format.long_name : format.name;
}

}  // namespace

Status CheckFrameSize(int width, int height, const VideoLimits& limits, std::string_view what) {
  const uint64_t pixels = static_cast<uint64_t>(width) * static_cast<uint64_t>(height);
  if (static_cast<uint32_t>(std::max(width, height)) > limits.max_dimension ||
      pixels > limits.max_pixels) {
    return ResourceExhaustedError(
        fmt::format("{} is {}x{}, over the limit of {} pixels per side and {} pixels per frame",
                    what, width, height, limits.max_dimension, limits.max_pixels));
  }
  return Status::Ok();
}

Status VideoDecoder::Impl::Open() {
  const VideoLimits& limits = options_.limits;
  const size_t size = reader_.size();
  if (size == 0) return InvalidArgumentError("video is empty (0 bytes)");
  if (size > limits.max_input_bytes) {
    return ResourceExhaustedError(
        fmt::format("video is {} bytes, over the limit of {} bytes", size, limits.max_input_bytes));
  }
  video_internal::SilenceFfmpegLogging();
  RETURN_IF_ERROR(OpenContainer());
  RETURN_IF_ERROR(FindVideoStream());
  RETURN_IF_ERROR(OpenDecoder());
  packet_.reset(av_packet_alloc());
  decoded_.reset(av_frame_alloc());
  if (packet_ == nullptr || decoded_ == nullptr) return InternalError("out of memory");
  return Status::Ok();
}

Status VideoDecoder::Impl::OpenContainer() {
  ASSIGN_OR_RETURN(io_, video_internal::MakeSpanIoContext(&reader_));
  // Probe first so that a recognised but unwanted format (a JPEG, a playlist) gets its own
  // message; no file name is given, so only content decides.
  const AVInputFormat* input_format = nullptr;
  int ret = av_probe_input_buffer2(io_.get(), &input_format, "", nullptr, 0, 0);
  if (ret < 0 || input_format == nullptr) {
    return InvalidArgumentError(
        fmt::format("not a video: no container format recognised ({})", FfmpegErrorText(ret)));
  }
  if (!video_internal::IsVideoContainer(input_format->name)) {
    return UnimplementedError(
        fmt::format("container '{}' is not a supported video format", input_format->name));
  }
  AVFormatContext* raw = avformat_alloc_context();
  if (raw == nullptr) return InternalError("out of memory");
  raw->pb = io_.get();
  raw->flags |= AVFMT_FLAG_CUSTOM_IO;
  // A container must not make FFmpeg open other files or URLs (MOV data references, etc.).
  raw->io_open = [](AVFormatContext*, AVIOContext**, const char*, int, AVDictionary**) {
    return AVERROR(EPERM);
  };
  AVDictionary* open_options = nullptr;
  av_dict_set(&open_options, "format_whitelist", video_internal::kVideoContainerWhitelist, 0);
  ret = avformat_open_input(&raw, nullptr, input_format, &open_options);  // frees raw on error
  av_dict_free(&open_options);
  format_.reset(raw);
  if (ret < 0) {
    return InvalidArgumentError(fmt::format("cannot read the {} container: {}",
                                            FormatName(*input_format), FfmpegErrorText(ret)));
  }
  // Stream probing decodes a few frames, so the decoders it opens get the pixel limit too.
  const unsigned streams = format_->nb_streams;
  std::vector<AVDictionary*> stream_options(streams, nullptr);
  for (AVDictionary*& dict : stream_options) {
    av_dict_set_int(&dict, "max_pixels", static_cast<int64_t>(options_.limits.max_pixels), 0);
  }
  ret = avformat_find_stream_info(format_.get(), streams ? stream_options.data() : nullptr);
  for (AVDictionary*& dict : stream_options) av_dict_free(&dict);
  if (ret < 0) {
    return InvalidArgumentError(fmt::format("cannot read the stream parameters of the {} file: {}",
                                            FormatName(*input_format), FfmpegErrorText(ret)));
  }
  info_.container = input_format->name;
  return Status::Ok();
}

Status VideoDecoder::Impl::FindVideoStream() {
  // The first video stream, whatever its disposition (as the reference; cover art included).
  for (unsigned i = 0; i < format_->nb_streams; ++i) {
    if (format_->streams[i]->codecpar->codec_type == AVMEDIA_TYPE_VIDEO) {
      stream_ = format_->streams[i];
      break;
    }
  }
  if (stream_ == nullptr) {
    std::vector<std::string_view> kinds;
    for (unsigned i = 0; i < format_->nb_streams; ++i) {
      const char* kind = av_get_media_type_string(format_->streams[i]->codecpar->codec_type);
      kinds.push_back(kind != nullptr ? kind : "unknown");
    }
    return InvalidArgumentError(fmt::format(
        "not a video: the {} file has no video stream ({})", FormatName(*format_->iformat),
        kinds.empty() ? "no streams" : fmt::format("streams: {}", fmt::join(kinds, ", "))));
  }
  const AVCodecParameters* par = stream_->codecpar;
  info_.stream_index = stream_->index;
  info_.width = par->width;
  info_.height = par->height;
  const char* pix = av_get_pix_fmt_name(static_cast<AVPixelFormat>(par->format));
  info_.pixel_format = pix ? pix : "unknown";
  if (par->width <= 0 || par->height <= 0) {
    return InvalidArgumentError("the video stream does not say its frame size");
  }
  RETURN_IF_ERROR(CheckFrameSize(par->width, par->height, options_.limits, "the video"));

  AVRational rate = stream_->avg_frame_rate;
  if (rate.num == 0 || rate.den == 0) rate = stream_->r_frame_rate;  // as the reference
  const double fps = rate.den != 0 ? static_cast<double>(rate.num) / rate.den : 0;
  if (!(fps > 0) || !std::isfinite(fps)) {
    return InvalidArgumentError("the video stream has no usable frame rate");
  }
  info_.frame_rate_num = rate.num;
  info_.frame_rate_den = rate.den;
  info_.frames_per_second = fps;
  ASSIGN_OR_RETURN(info_.frame_step, FrameStep(options_, fps));

  if (format_->duration != AV_NOPTS_VALUE && format_->duration > 0) {
    info_.duration_seconds = static_cast<double>(format_->duration) / AV_TIME_BASE;
  } else if (stream_->duration != AV_NOPTS_VALUE && stream_->duration > 0) {
    info_.duration_seconds = static_cast<double>(stream_->duration) * av_q2d(stream_->time_base);
  }
  if (info_.duration_seconds > options_.limits.max_duration_seconds) {
    return ResourceExhaustedError(fmt::format("video lasts {:.1f} s, over the limit of {:.0f} s",
                                              info_.duration_seconds,
                                              options_.limits.max_duration_seconds));
  }
  return Status::Ok();
}

Status VideoDecoder::Impl::OpenDecoder() {
  const AVCodecParameters* par = stream_->codecpar;
  const AVCodec* codec = avcodec_find_decoder(par->codec_id);
  if (codec == nullptr) {
    return UnimplementedError(fmt::format("no decoder for video codec '{}' in this build",
                                          avcodec_get_name(par->codec_id)));
  }
  info_.codec = codec->name;
  info_.speed = options_.speed == DecodeSpeed::kKeyframesOnly && KeyframesDecodeAlone(codec->id)
                    ? DecodeSpeed::kKeyframesOnly
                    : DecodeSpeed::kExact;
  codec_.reset(avcodec_alloc_context3(codec));
  if (codec_ == nullptr) return InternalError("out of memory");
  int ret = avcodec_parameters_to_context(codec_.get(), par);
  if (ret < 0) return InternalError(fmt::format("codec parameters: {}", FfmpegErrorText(ret)));
  // Slice threads only, as the reference: frame threading would add latency and memory per
  // thread. Neither changes the decoded pixels.
  if ((codec->capabilities & AV_CODEC_CAP_SLICE_THREADS) && options_.threads != 1) {
    codec_->thread_count = std::max(0, options_.threads);
    codec_->thread_type = FF_THREAD_SLICE;
  } else {
    codec_->thread_count = 1;
  }
  codec_->max_pixels = static_cast<int64_t>(options_.limits.max_pixels);
  ret = avcodec_open2(codec_.get(), codec, nullptr);
  if (ret < 0) {
    return InvalidArgumentError(
        fmt::format("cannot open the {} decoder: {}", codec->name, FfmpegErrorText(ret)));
  }
  return Status::Ok();
}

}  // namespace vigil::media
