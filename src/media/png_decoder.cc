// PNG through libpng, producing what ImageMagick 6 (coders/png.c) then `convert ... pnm:-`
// produces:
//   - greyscale and grey+alpha give one channel; RGB, RGBA and palette give three;
//   - alpha (an alpha channel or tRNS) is dropped and the stored colour under it is kept;
//   - palette indices are expanded through PLTE; an index past the end of PLTE takes entry 0,
//     as ImageMagick's ConstrainColormapIndex does (libpng's own expansion would give black);
//   - 1/2/4-bit grey is scaled to 8 bits (v * 255 / (2^d - 1)), as ImageMagick's colormap does;
//   - 16-bit samples are rounded to 8 bits with ImageMagick's ScaleQuantumToChar,
//     ((q + 128) - ((q + 128) >> 8)) >> 8. libpng's png_set_scale_16() computes exactly this
//     for every 16-bit value (verified exhaustively; see png_decoder_test.cc). NOTE: the PDQ
//     reference reads 16-bit PNGs through a 16-bit PNM that CImg truncates (v >> 8); we
//     deliberately round instead, so hashes of 16-bit PNGs may differ from the reference's.
//   - gAMA, cHRM, sRGB, iCCP and every other ancillary chunk are ignored (not even parsed).
//
// libpng reports errors through a callback that must not return: we longjmp back to the
// function that called setjmp, whose frame holds only trivially destructible locals.
#include <fmt/format.h>
#include <png.h>

#include <csetjmp>
#include <cstring>
#include <vector>

#include "media/decoders.h"

namespace vigil::media::internal {
namespace {

struct Reader {
  std::span<const uint8_t> bytes;
  size_t offset = 0;
  bool truncated = false;
  char message[256] = {};
};

void ReadFromMemory(png_structp png, png_bytep out, png_size_t length) {
  auto* reader = static_cast<Reader*>(png_get_io_ptr(png));
  if (reader->bytes.size() - reader->offset < length) {
    reader->truncated = true;
    png_error(png, "truncated");
  }
  std::memcpy(out, reader->bytes.data() + reader->offset, length);
  reader->offset += length;
}

[[noreturn]] void OnError(png_structp png, png_const_charp message) {
  auto* reader = static_cast<Reader*>(png_get_error_ptr(png));
  std::snprintf(reader->message, sizeof(reader->message), "%s", message);
  png_longjmp(png, 1);
}

void OnWarning(png_structp, png_const_charp) {}  // libpng's default prints to stderr

// Chunks we never need; libpng skips them (after the CRC check) instead of parsing them,
// which also avoids inflating zTXt/iTXt/iCCP payloads from hostile files.
constexpr png_byte kIgnoredChunks[] =
    "bKGD\0cHRM\0eXIf\0gAMA\0hIST\0iCCP\0iTXt\0oFFs\0pCAL\0pHYs\0sBIT\0sCAL\0sPLT\0sRGB\0"
    "sTER\0tEXt\0tIME\0tRNS\0zTXt";
constexpr int kIgnoredChunkCount = 19;

struct Header {
  png_uint_32 width = 0;
  png_uint_32 height = 0;
  int bit_depth = 0;
  int color_type = 0;
};

bool ReadHeader(png_structp png, png_infop info, Header* header) {
  if (setjmp(png_jmpbuf(png)) != 0) return false;
  // ImageMagick lets "benign" errors (e.g. a too-long tEXt keyword) pass as warnings.
  png_set_benign_errors(png, 1);
  // Our own CheckDimensions() is the limit; lift libpng's default 1,000,000 px cap so an
  // oversized header gives kResourceExhausted from us rather than a libpng error.
  png_set_user_limits(png, PNG_UINT_31_MAX, PNG_UINT_31_MAX);
  png_set_keep_unknown_chunks(png, PNG_HANDLE_CHUNK_NEVER, kIgnoredChunks, kIgnoredChunkCount);
  // Out-of-palette indices are mapped below as ImageMagick maps them; as ImageMagick does,
  // turn off libpng's own check, which would otherwise reject or warn about them.
  png_set_check_for_invalid_index(png, 0);
  png_read_info(png, info);
  png_get_IHDR(png, info, &header->width, &header->height, &header->bit_depth, &header->color_type,
               nullptr, nullptr, nullptr);
  return true;
}

// Sets the transforms and decodes all rows (any interlacing) through `rows`.
bool ReadRows(png_structp png, png_infop info, const Header& header, png_bytepp rows) {
  if (setjmp(png_jmpbuf(png)) != 0) return false;
  if (header.bit_depth == 16) png_set_scale_16(png);
  if ((header.color_type & PNG_COLOR_MASK_ALPHA) != 0) png_set_strip_alpha(png);
  if (header.color_type == PNG_COLOR_TYPE_GRAY && header.bit_depth < 8) {
    png_set_expand_gray_1_2_4_to_8(png);
  }
  if (header.color_type == PNG_COLOR_TYPE_PALETTE) png_set_packing(png);  // 1 index per byte
  png_set_interlace_handling(png);
  png_read_update_info(png, info);
  png_read_image(png, rows);
  png_read_end(png, nullptr);
  return true;
}

// Owns the libpng structures so every return path releases them.
struct PngReadHandle {
  png_structp png = nullptr;
  png_infop info = nullptr;
  explicit PngReadHandle(Reader* reader) {
    png = png_create_read_struct(PNG_LIBPNG_VER_STRING, reader, OnError, OnWarning);
    if (png != nullptr) info = png_create_info_struct(png);
    if (info != nullptr) png_set_read_fn(png, reader, ReadFromMemory);
  }
  ~PngReadHandle() { png_destroy_read_struct(&png, info != nullptr ? &info : nullptr, nullptr); }
  PngReadHandle(const PngReadHandle&) = delete;
  PngReadHandle& operator=(const PngReadHandle&) = delete;
};

Status ErrorStatus(const Reader& reader) {
  if (reader.truncated) return InvalidArgumentError("PNG data is truncated");
  return InvalidArgumentError(fmt::format("PNG data is corrupt: {}", reader.message));
}

}  // namespace

Result<Image> DecodePng(std::span<const uint8_t> bytes, const DecodeLimits& limits) {
  Reader reader;
  reader.bytes = bytes;
  PngReadHandle handle(&reader);
  if (handle.info == nullptr) return ResourceExhaustedError("cannot allocate libpng state");

  Header header;
  if (!ReadHeader(handle.png, handle.info, &header)) return ErrorStatus(reader);
  RETURN_IF_ERROR(CheckDimensions("PNG", header.width, header.height, limits));
  const bool palette = header.color_type == PNG_COLOR_TYPE_PALETTE;
  const bool grey = (header.color_type & PNG_COLOR_MASK_COLOR) == 0;
  ASSIGN_OR_RETURN(Image image, AllocateImage(static_cast<int>(header.width),
                                              static_cast<int>(header.height), grey ? 1 : 3));

  // Palette images decode to one index byte per pixel first, then expand below.
  std::vector<uint8_t> indices;
  const size_t row_bytes =
      palette ? header.width : header.width * static_cast<size_t>(image.channels);
  uint8_t* target = image.pixels.data();
  if (palette) {
    ASSIGN_OR_RETURN(Image index_plane, AllocateImage(image.width, image.height, 1));
    indices = std::move(index_plane.pixels);
    target = indices.data();
  }
  std::vector<png_bytep> rows(header.height);
  for (size_t y = 0; y < rows.size(); ++y) rows[y] = target + y * row_bytes;
  if (!ReadRows(handle.png, handle.info, header, rows.data())) return ErrorStatus(reader);

  if (palette) {
    png_colorp colors = nullptr;
    int count = 0;
    if (png_get_PLTE(handle.png, handle.info, &colors, &count) == 0 || count <= 0) {
      return InvalidArgumentError("PNG palette image has no PLTE chunk");
    }
    uint8_t* out = image.pixels.data();
    for (uint8_t index : indices) {
      const png_color& c = colors[index < count ? index : 0];
      *out++ = c.red;
      *out++ = c.green;
      *out++ = c.blue;
    }
  }
  return image;
}

}  // namespace vigil::media::internal
