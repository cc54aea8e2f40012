// GIF through giflib: the first image of the file, as ImageMagick 6 (coders/gif.c) gives it to
// `convert FILE pnm:-`, which writes every frame and the PDQ reference reads the first.
//
// Canvas and frame handling, chosen to match ImageMagick: the first frame is returned at its
// own size (the image descriptor's width x height). The logical screen size and the frame's
// left/top offset are ignored; nothing is composited onto a canvas, and later frames are never
// decoded (so an animation costs no more than its first frame).
//
// Colours: the frame's local colour table, else the global one. Indices past the end of the
// table take entry 0 (ImageMagick's ConstrainColormapIndex). When the graphic control
// extension's transparent index equals the table size, ImageMagick appends one black entry,
// so that index is black. Transparency itself is dropped: a transparent pixel keeps its
// table colour. A file with no colour table at all decodes black. Output is always 3 channels
// (GIF has no greyscale type; a grey palette still gives R = G = B).
#include <fmt/format.h>
#include <gif_lib.h>

#include <array>
#include <cstring>
#include <memory>
#include <vector>

#include "media/decoders.h"

namespace vigil::media::internal {
namespace {

struct Reader {
  std::span<const uint8_t> bytes;
  size_t offset = 0;
};

int ReadFromMemory(GifFileType* gif, GifByteType* out, int length) {
  auto* reader = static_cast<Reader*>(gif->UserData);
  const size_t n =
      std::min(static_cast<size_t>(std::max(length, 0)), reader->bytes.size() - reader->offset);
  std::memcpy(out, reader->bytes.data() + reader->offset, n);
  reader->offset += n;
  return static_cast<int>(n);
}

struct GifCloser {
  void operator()(GifFileType* gif) const { DGifCloseFile(gif, nullptr); }
};
using GifHandle = std::unique_ptr<GifFileType, GifCloser>;

Status GifError(int code) {
  switch (code) {
    case D_GIF_ERR_READ_FAILED:
    case D_GIF_ERR_EOF_TOO_SOON:
      return InvalidArgumentError("GIF data is truncated");
    case D_GIF_ERR_NOT_ENOUGH_MEM:
      return ResourceExhaustedError("GIF decoder ran out of memory");
    default: {
      const char* text = GifErrorString(code);
      return InvalidArgumentError(
          fmt::format("GIF data is corrupt: {}", text != nullptr ? text : "unknown error"));
    }
  }
}

// Skips extension blocks up to the first image descriptor, remembering the transparent index
// of the last graphic control extension (-1 if none). Fails at the trailer: no image at all.
Status SkipToFirstImage(GifFileType* gif, int* transparent_index) {
  *transparent_index = -1;
  for (;;) {
    GifRecordType record;
    if (DGifGetRecordType(gif, &record) == GIF_ERROR) return GifError(gif->Error);
    if (record == IMAGE_DESC_RECORD_TYPE) return Status::Ok();
    if (record == TERMINATE_RECORD_TYPE) return InvalidArgumentError("GIF contains no image");
    if (record != EXTENSION_RECORD_TYPE) continue;
    int code = 0;
    GifByteType* block = nullptr;
    if (DGifGetExtension(gif, &code, &block) == GIF_ERROR) return GifError(gif->Error);
    if (code == GRAPHICS_EXT_FUNC_CODE && block != nullptr && block[0] >= 4) {
      *transparent_index = (block[1] & 0x01) != 0 ? block[4] : -1;
    }
    while (block != nullptr) {
      if (DGifGetExtensionNext(gif, &block) == GIF_ERROR) return GifError(gif->Error);
    }
  }
}

// Rows in the order an interlaced GIF stores them: every 8th from 0, every 8th from 4, every
// 4th from 2, every 2nd from 1.
std::vector<int> StoredRowOrder(int height, bool interlaced) {
  std::vector<int> order;
  order.reserve(static_cast<size_t>(height));
  if (!interlaced) {
    for (int y = 0; y < height; ++y) order.push_back(y);
    return order;
  }
  constexpr std::array<std::pair<int, int>, 4> kPasses = {{{0, 8}, {4, 8}, {2, 4}, {1, 2}}};
  for (const auto& [start, step] : kPasses) {
    for (int y = start; y < height; y += step) order.push_back(y);
  }
  return order;
}

}  // namespace

Result<Image> DecodeGif(std::span<const uint8_t> bytes, const DecodeLimits& limits) {
  Reader reader;
  reader.bytes = bytes;
  int error = 0;
  GifHandle gif(DGifOpen(&reader, ReadFromMemory, &error));
  if (gif == nullptr) return GifError(error);

  int transparent_index = -1;
  RETURN_IF_ERROR(SkipToFirstImage(gif.get(), &transparent_index));
  if (DGifGetImageDesc(gif.get()) == GIF_ERROR) return GifError(gif->Error);
  const GifImageDesc& desc = gif->Image;
  RETURN_IF_ERROR(CheckDimensions("GIF", desc.Width, desc.Height, limits));

  // The colour table ImageMagick builds: file entries, plus a black one for a transparent
  // index just past the end. Index 0 of an empty table is black too.
  const ColorMapObject* map = desc.ColorMap != nullptr ? desc.ColorMap : gif->SColorMap;
  std::vector<GifColorType> table;
  if (map != nullptr && map->Colors != nullptr && map->ColorCount > 0) {
    table.assign(map->Colors, map->Colors + map->ColorCount);
  }
  if (transparent_index >= 0 && static_cast<size_t>(transparent_index) == table.size()) {
    table.push_back(GifColorType{0, 0, 0});
  }
  if (table.empty()) table.push_back(GifColorType{0, 0, 0});

  ASSIGN_OR_RETURN(Image image, AllocateImage(desc.Width, desc.Height, 3));
  std::vector<GifPixelType> line(static_cast<size_t>(desc.Width));
  for (int y : StoredRowOrder(desc.Height, desc.Interlace)) {
    if (DGifGetLine(gif.get(), line.data(), desc.Width) == GIF_ERROR) return GifError(gif->Error);
    uint8_t* out = image.pixels.data() + static_cast<size_t>(y) * desc.Width * 3;
    for (GifPixelType index : line) {
      const GifColorType& c = table[index < table.size() ? index : 0];
      *out++ = c.Red;
      *out++ = c.Green;
      *out++ = c.Blue;
    }
  }
  return image;
}

}  // namespace vigil::media::internal
