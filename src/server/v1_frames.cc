// A video item's frame thumbnails for the console (docs/console.md): a strip of a few evenly
// spaced frames, extracted and downscaled here by the media module, so a reviewer sees what a
// video shows without playing it. The same safeguards as the item's media apply: only the
// holder of the case (and auditors and admins) get them, each request is an audited view, the
// item was charged to the holder's exposure when the case was claimed, and the console shows
// the frames blurred and grey until the item's audited reveal.
#include <fmt/format.h>

#include "media/media.h"
#include "media/thumbnail.h"
#include "server/item_media.h"
#include "server/routes.h"

namespace vigil::server::handlers {
namespace {

constexpr int64_t kDefaultFrames = 8;
constexpr int64_t kMaxFrames = 16;
constexpr int64_t kDefaultSide = 160;
constexpr int64_t kMaxSide = 320;

std::string Base64(std::string_view bytes) {
  static constexpr char kAlphabet[] =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  out.reserve((bytes.size() + 2) / 3 * 4);
  size_t i = 0;
  for (; i + 2 < bytes.size(); i += 3) {
    const uint32_t v =
        (uint8_t(bytes[i]) << 16) | (uint8_t(bytes[i + 1]) << 8) | uint8_t(bytes[i + 2]);
    for (int shift : {18, 12, 6, 0}) out.push_back(kAlphabet[(v >> shift) & 63]);
  }
  if (i < bytes.size()) {
    const bool two = i + 1 < bytes.size();
    const uint32_t v = (uint8_t(bytes[i]) << 16) | (two ? uint8_t(bytes[i + 1]) << 8 : 0);
    out.push_back(kAlphabet[(v >> 18) & 63]);
    out.push_back(kAlphabet[(v >> 12) & 63]);
    out.push_back(two ? kAlphabet[(v >> 6) & 63] : '=');
    out.push_back('=');
  }
  return out;
}

}  // namespace

Result<Reply> V1ItemFrames(Call& call) {
  if (!call.ctx.evidence) return NotFoundError(kNoMediaStore);
  ASSIGN_OR_RETURN(int64_t count, IntQuery(call, "count", kDefaultFrames, 1, kMaxFrames));
  ASSIGN_OR_RETURN(int64_t side, IntQuery(call, "size", kDefaultSide, 32, kMaxSide));
  ASSIGN_OR_RETURN(auto held, HeldItem(call));
  const cases::Item& item = held.first.items[held.second];
  ASSIGN_OR_RETURN(std::vector<uint8_t> bytes,
                   ReadItemMedia(call, item, held.first.id, held.second));
  // GIFs count as videos here: an animated one is hashed as a video (gif_as_video), and a still
  // one gives its one frame.
  const media::MediaType type = media::SniffMediaType(bytes);
  if (type != media::MediaType::kVideo && type != media::MediaType::kGif) {
    return FieldError(
        "n", fmt::format("item '{}' is not a video: it has no frames to show", item.item_id));
  }
  media::ThumbnailOptions options;
  options.max_frames = static_cast<int>(count);
  options.max_side = static_cast<int>(side);
  auto thumbs = media::ExtractVideoThumbnails(bytes, options);
  if (!thumbs.ok()) {
    const Status& s = thumbs.status();
    // A file that does not decode is the item as flagged, not a bad request: say so by name
    // and point to what still works.
    const StatusCode code =
        s.code() == StatusCode::kResourceExhausted || s.code() == StatusCode::kInternal
            ? s.code()
            : StatusCode::kUnimplemented;
    return Status(code, fmt::format("item '{}': its video cannot be decoded into frames ({}); "
                                    "review it by its hashes and matches",
                                    item.item_id, s.message()));
  }
  Json frames = Json::array();
  for (const media::Thumbnail& t : thumbs->frames) {
    frames.push_back({{"frame_number", t.frame_number},
                      {"timestamp", t.timestamp},
                      {"width", t.width},
                      {"height", t.height},
                      {"content_type", "image/png"},
                      {"data", Base64(t.png)}});
  }
  const media::VideoInfo& info = thumbs->info;
  Reply reply = JsonReply({{"case_id", held.first.id},
                           {"item", held.second},
                           {"item_id", item.item_id},
                           {"video",
                            {{"codec", info.codec},
                             {"width", info.width},
                             {"height", info.height},
                             {"frames_per_second", info.frames_per_second},
                             {"duration_seconds", info.duration_seconds},
                             {"frame_step", info.frame_step}}},
                           {"frames", frames}});
  reply.headers = {{"Cache-Control", "no-store"}};
  return reply;
}

}  // namespace vigil::server::handlers
