#include "media/video_ffmpeg.h"

extern "C" {
#include <libavutil/avstring.h>
#include <libavutil/error.h>
#include <libavutil/log.h>
#include <libavutil/mem.h>
}

#include <algorithm>
#include <cstdarg>
#include <cstdio>
#include <cstring>
#include <mutex>

namespace vigil::media::video_internal {
namespace {

// Large enough that a typical packet is read in one or two callbacks.
constexpr int kIoBufferSize = 64 * 1024;

void DropLogLine(void* /*avcl*/, int /*level*/, const char* /*format*/, va_list /*args*/) {}

}  // namespace

int SpanReader::Read(void* opaque, uint8_t* buf, int size) {
  auto* self = static_cast<SpanReader*>(opaque);
  if (self->pos_ >= self->bytes_.size()) return AVERROR_EOF;
  const size_t n =
      std::min<uint64_t>(static_cast<uint64_t>(size), self->bytes_.size() - self->pos_);
  std::memcpy(buf, self->bytes_.data() + self->pos_, n);
  self->pos_ += n;
  return static_cast<int>(n);
}

int64_t SpanReader::Seek(void* opaque, int64_t offset, int whence) {
  auto* self = static_cast<SpanReader*>(opaque);
  const auto size = static_cast<int64_t>(self->bytes_.size());
  int64_t base = 0;
  switch (whence & ~AVSEEK_FORCE) {
    case AVSEEK_SIZE:
      return size;
    case SEEK_SET:
      base = 0;
      break;
    case SEEK_CUR:
      base = static_cast<int64_t>(self->pos_);
      break;
    case SEEK_END:
      base = size;
      break;
    default:
      return AVERROR(EINVAL);
  }
  // Positions past the end are allowed (reads there return EOF); negative ones are not.
  if (offset < -base || (offset > 0 && base > INT64_MAX - offset)) return AVERROR(EINVAL);
  self->pos_ = static_cast<uint64_t>(base + offset);
  return base + offset;
}

Result<IoContextPtr> MakeSpanIoContext(SpanReader* reader) {
  auto* buffer = static_cast<uint8_t*>(av_malloc(kIoBufferSize));
  if (buffer == nullptr) return InternalError("out of memory for the video read buffer");
  IoContextPtr io(avio_alloc_context(buffer, kIoBufferSize, /*write_flag=*/0, reader,
                                     &SpanReader::Read, nullptr, &SpanReader::Seek));
  if (io == nullptr) {
    av_free(buffer);
    return InternalError("out of memory for the video reader");
  }
  return io;
}

void SilenceFfmpegLogging() {
  // FFmpeg offers no per-context way to silence its demuxers, so the process-wide callback is
  // replaced, once. Library code must not write to stderr; errors come back as Status.
  static std::once_flag once;
  std::call_once(once, [] { av_log_set_callback(&DropLogLine); });
}

bool IsVideoContainer(std::string_view demuxer_name) {
  // av_match_list: true when any comma-separated name of the demuxer is on the list.
  const std::string name(demuxer_name);
  return av_match_list(name.c_str(), kVideoContainerWhitelist, ',') > 0;
}

std::string FfmpegErrorText(int error) {
  char text[AV_ERROR_MAX_STRING_SIZE] = {};
  if (av_strerror(error, text, sizeof(text)) < 0) {
    std::snprintf(text, sizeof(text), "FFmpeg error %d", error);
  }
  return text;
}

}  // namespace vigil::media::video_internal
