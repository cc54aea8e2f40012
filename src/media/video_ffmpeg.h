// Private to media/video*: owning handles for FFmpeg objects, reading a byte span through a
// custom AVIOContext, silencing FFmpeg's logging, and error text.
#ifndef VIGIL_MEDIA_VIDEO_FFMPEG_H_
#define VIGIL_MEDIA_VIDEO_FFMPEG_H_

extern "C" {
#include <libavcodec/avcodec.h>
#include <libavformat/avformat.h>
#include <libavutil/frame.h>
#include <libswscale/swscale.h>
}

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>

#include "core/result.h"

namespace vigil::media::video_internal {

struct FormatContextDeleter {
  void operator()(AVFormatContext* p) const { avformat_close_input(&p); }
};
struct IoContextDeleter {
  // The read buffer belongs to the caller of avio_alloc_context, but FFmpeg may have replaced
  // it by then, so it is freed through the context.
  void operator()(AVIOContext* p) const {
    if (p != nullptr) av_freep(&p->buffer);
    avio_context_free(&p);
  }
};
struct CodecContextDeleter {
  void operator()(AVCodecContext* p) const { avcodec_free_context(&p); }
};
struct FrameDeleter {
  void operator()(AVFrame* p) const { av_frame_free(&p); }
};
struct PacketDeleter {
  void operator()(AVPacket* p) const { av_packet_free(&p); }
};
struct SwsContextDeleter {
  void operator()(SwsContext* p) const { sws_freeContext(p); }
};

using FormatContextPtr = std::unique_ptr<AVFormatContext, FormatContextDeleter>;
using IoContextPtr = std::unique_ptr<AVIOContext, IoContextDeleter>;
using CodecContextPtr = std::unique_ptr<AVCodecContext, CodecContextDeleter>;
using FramePtr = std::unique_ptr<AVFrame, FrameDeleter>;
using PacketPtr = std::unique_ptr<AVPacket, PacketDeleter>;
using SwsContextPtr = std::unique_ptr<SwsContext, SwsContextDeleter>;

// The read position in a caller-owned byte span, for AVIOContext callbacks. Must outlive the
// AVIOContext that points to it.
class SpanReader {
 public:
  explicit SpanReader(std::span<const uint8_t> bytes) : bytes_(bytes) {}
  size_t size() const { return bytes_.size(); }
  static int Read(void* opaque, uint8_t* buf, int size);
  static int64_t Seek(void* opaque, int64_t offset, int whence);

 private:
  std::span<const uint8_t> bytes_;
  uint64_t pos_ = 0;
};

// An AVIOContext reading from `reader` (not owned).
Result<IoContextPtr> MakeSpanIoContext(SpanReader* reader);

// Sends all FFmpeg log output nowhere. FFmpeg keeps its log callback in a process-wide
// variable, so this is the one global the module touches; it is set once and never changes.
void SilenceFfmpegLogging();

// The demuxers vigil opens videos with (FFmpeg's `format_whitelist` syntax), and whether a
// probed demuxer name is one of them.
inline constexpr char kVideoContainerWhitelist[] =
    "mov,mp4,m4a,3gp,3g2,mj2,matroska,webm,avi,gif,flv,mpegts,mpeg,ogg,asf";
bool IsVideoContainer(std::string_view demuxer_name);

// "Invalid data found when processing input" for an AVERROR code.
std::string FfmpegErrorText(int error);

}  // namespace vigil::media::video_internal

#endif  // VIGIL_MEDIA_VIDEO_FFMPEG_H_
