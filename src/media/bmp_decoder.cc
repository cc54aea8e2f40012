// BMP: a small parser of our own (no Debian library decodes BMP without pulling in a toolkit),
// written to produce what ImageMagick 6's coders/bmp.c produces, and to trust nothing in the
// header: every offset and size is checked against the input before it is used.
//
// Supported: Windows BMP with 12-byte (OS/2 1.x) to 124-byte (V5) headers; 1/4/8-bit palette,
// 16-bit (RGB555 or bit fields), 24-bit, 32-bit (BGRX or bit fields); BI_RLE8 and BI_RLE4;
// bottom-up and top-down (negative height) row order. BI_JPEG and BI_PNG payloads give
// kUnimplemented (ImageMagick 6 rejects them too). Alpha is dropped; output is 3 channels.
//
// ImageMagick details reproduced: palette indices past the palette take entry 0; bit-field
// samples are widened to 16 bits the way bmp.c does (e.g. 5-bit fields replicate their top
// bits) and then rounded to 8 bits with ScaleQuantumToChar; RLE decoding follows bmp.c's
// DecodeImage, including its handling of delta escapes and an early end-of-bitmap (the rest
// of the image keeps index 0).
#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <vector>

#include "media/decoders.h"
#include "media/imagemagick_compat.h"

namespace vigil::media::internal {
namespace {

enum Compression : uint32_t { kRgb = 0, kRle8 = 1, kRle4 = 2, kBitFields = 3, kJpeg = 4, kPng = 5 };

struct Header {
  uint32_t offset_bits = 0;
  uint32_t dib_size = 0;
  int64_t width = 0;
  int64_t height = 0;
  uint16_t planes = 0;
  uint16_t bits_per_pixel = 0;
  uint32_t compression = kRgb;
  uint32_t number_colors = 0;
  uint32_t red_mask = 0, green_mask = 0, blue_mask = 0;
};

// Little-endian reads that fail instead of running past the end.
class ByteReader {
 public:
  explicit ByteReader(std::span<const uint8_t> bytes) : bytes_(bytes) {}
  bool Has(size_t n) const { return bytes_.size() - offset_ >= n; }
  uint16_t U16() {
    const uint16_t v = static_cast<uint16_t>(bytes_[offset_] | (bytes_[offset_ + 1] << 8));
    offset_ += 2;
    return v;
  }
  uint32_t U32() {
    const uint32_t v = uint32_t{bytes_[offset_]} | (uint32_t{bytes_[offset_ + 1]} << 8) |
                       (uint32_t{bytes_[offset_ + 2]} << 16) |
                       (uint32_t{bytes_[offset_ + 3]} << 24);
    offset_ += 4;
    return v;
  }

 private:
  std::span<const uint8_t> bytes_;
  size_t offset_ = 0;
};

Result<Header> ParseHeader(std::span<const uint8_t> bytes) {
  ByteReader in(bytes);
  if (!in.Has(18)) return InvalidArgumentError("BMP header is truncated");
  Header h;
  in.U16();  // "BM"
  in.U32();  // file size: often wrong in the wild, and ImageMagick only warns
  in.U32();  // reserved
  h.offset_bits = in.U32();
  h.dib_size = in.U32();
  if (h.dib_size == 12) {
    if (!in.Has(8)) return InvalidArgumentError("BMP header is truncated");
    h.width = static_cast<int16_t>(in.U16());
    h.height = static_cast<int16_t>(in.U16());
    h.planes = in.U16();
    h.bits_per_pixel = in.U16();
    return h;
  }
  if (h.dib_size < 16 || !in.Has(h.dib_size > 16 ? 36 : 16)) {
    return InvalidArgumentError("BMP header is truncated or has an invalid size");
  }
  h.width = static_cast<int32_t>(in.U32());
  h.height = static_cast<int32_t>(in.U32());
  h.planes = in.U16();
  h.bits_per_pixel = in.U16();
  h.compression = in.U32();
  if (h.dib_size > 16) {
    in.U32();  // image size
    in.U32();  // x pixels per metre
    in.U32();  // y pixels per metre
    h.number_colors = in.U32();
    in.U32();  // important colours
  }
  // Masks sit right after the 40-byte header: inside it for V2+ headers, appended to it for a
  // BITMAPINFOHEADER with BI_BITFIELDS.
  if (h.dib_size > 40 || h.compression == kBitFields) {
    if (!in.Has(12)) return InvalidArgumentError("BMP bit-field masks are truncated");
    h.red_mask = in.U32();
    h.green_mask = in.U32();
    h.blue_mask = in.U32();
  }
  return h;
}

// The same checks, in the same order, as coders/bmp.c, so a file ImageMagick refuses is
// refused here too.
Status ValidateHeader(const Header& h, size_t input_size) {
  if (h.width <= 0 || h.height == 0) {
    return InvalidArgumentError(
        fmt::format("BMP header declares an empty image ({}x{})", h.width, h.height));
  }
  if (h.planes != 1) return InvalidArgumentError("BMP plane count is not 1");
  const uint16_t bpp = h.bits_per_pixel;
  if (bpp != 1 && bpp != 4 && bpp != 8 && bpp != 16 && bpp != 24 && bpp != 32) {
    return InvalidArgumentError(fmt::format("BMP has unsupported {} bits per pixel", bpp));
  }
  if (h.number_colors > input_size || (bpp < 16 && h.number_colors > (1u << bpp))) {
    return InvalidArgumentError("BMP declares an impossible number of colours");
  }
  if ((h.compression == kRle8 && bpp != 8) || (h.compression == kRle4 && bpp != 4) ||
      (h.compression == kBitFields && bpp < 16)) {
    return InvalidArgumentError("BMP compression does not match its bits per pixel");
  }
  if (h.compression == kJpeg || h.compression == kPng) {
    return UnimplementedError("BMP with an embedded JPEG or PNG is not supported");
  }
  if (h.compression > kBitFields) return InvalidArgumentError("BMP compression is unknown");
  if (h.offset_bits == 0) return InvalidArgumentError("BMP pixel data offset is zero");
  return Status::Ok();
}

// bmp.c's DecodeImage: RLE8/RLE4 into one palette index per byte, rows in file order
// (bottom-up). `out` holds columns * rows zeros on entry. Returns false where bmp.c fails
// ("UnableToRunlengthDecodeImage").
bool DecodeRle(std::span<const uint8_t> data, bool rle4, size_t columns, size_t rows,
               std::vector<uint8_t>* out) {
  const int64_t end = static_cast<int64_t>(out->size());
  int64_t p = 0, x = 0, y = 0;  // p may leave [0, end]; checked before every write burst
  size_t in = 0;
  auto next = [&]() -> int { return in < data.size() ? data[in++] : -1; };
  while (y < static_cast<int64_t>(rows)) {
    if (p < 0 || p > end) break;
    int count = next();
    if (count < 0) break;
    if (count > 0) {  // encoded run
      count = static_cast<int>(std::min<int64_t>(count, end - p));
      const int byte = next();
      if (byte < 0) break;
      for (int i = 0; i < count; ++i) {
        (*out)[p++] = static_cast<uint8_t>(!rle4 ? byte : (i & 1) ? byte & 0x0f : byte >> 4);
      }
      x += count;
      continue;
    }
    count = next();
    if (count < 0) break;
    if (count == 1) return true;  // end of bitmap: the remaining pixels stay index 0
    if (count == 0) {             // end of line
      x = 0;
      ++y;
      p = y * static_cast<int64_t>(columns);
    } else if (count == 2) {  // delta; bmp.c adds EOF (-1) unchecked, and so do we
      x += next();
      y += next();
      p = y * static_cast<int64_t>(columns) + x;
    } else {  // absolute run of `count` literal indices, padded to 16 bits
      count = static_cast<int>(std::min<int64_t>(count, end - p));
      int byte = 0;
      for (int i = 0; i < count; ++i) {
        if (!rle4 || (i & 1) == 0) {
          byte = next();
          if (byte < 0) break;
        }
        (*out)[p++] = static_cast<uint8_t>(!rle4 ? byte : (i & 1) ? byte & 0x0f : byte >> 4);
      }
      x += count;
      const bool pad = rle4 ? ((count & 3) == 1 || (count & 3) == 2) : (count & 1) != 0;
      if (pad && next() < 0) break;
    }
  }
  return y >= static_cast<int64_t>(rows);
}

// A bit-field channel as bmp.c reads it: shift so the mask's top bit is bit 31, take the top
// 16 bits, then widen short fields by replicating their high bits.
struct Field {
  uint32_t mask = 0;
  uint32_t shift = 0;
  uint32_t bits = 0;
  explicit Field(uint32_t m) : mask(m) {
    if (mask == 0) return;
    while (((mask << shift) & 0x80000000u) == 0) ++shift;
    for (uint32_t s = shift; s < 32 && ((mask << s) & 0x80000000u) != 0; ++s) ++bits;
  }
  uint8_t From16(uint32_t pixel, bool green) const {
    uint32_t v = ((pixel & mask) << shift) >> 16;
    if (bits == 5) v |= (v & 0xe000) >> 5;
    if (green && bits == 6) v |= (v & 0xc000) >> 6;
    if (bits <= 8) v |= (v & 0xff00) >> 8;
    return QuantumToChar(v & 0xffff);
  }
  uint8_t From32(uint32_t pixel) const {
    uint32_t v = ((pixel & mask) << shift) >> 16;
    if (bits == 8) v |= v >> 8;
    return QuantumToChar(v & 0xffff);
  }
};

}  // namespace

Result<Image> DecodeBmp(std::span<const uint8_t> bytes, const DecodeLimits& limits) {
  ASSIGN_OR_RETURN(Header h, ParseHeader(bytes));
  RETURN_IF_ERROR(ValidateHeader(h, bytes.size()));
  const int64_t height = h.height < 0 ? -h.height : h.height;
  RETURN_IF_ERROR(CheckDimensions("BMP", h.width, height, limits));
  const size_t columns = static_cast<size_t>(h.width), rows = static_cast<size_t>(height);

  // Palette (1/4/8 bpp): BGR entries, 4 bytes each except in OS/2 headers.
  std::vector<std::array<uint8_t, 3>> palette;
  if (h.bits_per_pixel < 16) {
    const size_t colors = h.number_colors != 0 ? h.number_colors : size_t{1} << h.bits_per_pixel;
    const size_t entry = (h.dib_size == 12 || h.dib_size == 64) ? 3 : 4;
    const size_t start = 14 + size_t{h.dib_size};
    if (start > bytes.size() || (bytes.size() - start) / entry < colors) {
      return InvalidArgumentError("BMP palette is truncated");
    }
    for (size_t i = 0; i < colors; ++i) {
      const uint8_t* e = bytes.data() + start + i * entry;
      palette.push_back({e[2], e[1], e[0]});
    }
  }

  const bool rle = h.compression == kRle8 || h.compression == kRle4;
  const size_t bits = rle ? 8 : h.bits_per_pixel;  // RLE decodes to one index per byte
  const size_t stride = rle ? columns : 4 * ((columns * bits + 31) / 32);
  // bmp.c's plausibility check: even compressed data cannot expand more than 256-fold.
  if (4 * ((columns * bits + 31) / 32) * rows / 256 > bytes.size()) {
    return InvalidArgumentError("BMP declares far more pixels than the file can hold");
  }
  if (h.offset_bits > bytes.size()) return InvalidArgumentError("BMP pixel data is truncated");
  const std::span<const uint8_t> data = bytes.subspan(h.offset_bits);
  std::vector<uint8_t> rle_indices;
  const uint8_t* pixels = data.data();
  if (rle) {
    RETURN_IF_ERROR(ResizeBuffer(&rle_indices, columns * rows));
    if (!DecodeRle(data, h.compression == kRle4, columns, rows, &rle_indices)) {
      return InvalidArgumentError("BMP run-length data is corrupt or truncated");
    }
    pixels = rle_indices.data();
  } else if (data.size() / stride < rows) {
    return InvalidArgumentError("BMP pixel data is truncated");
  }

  uint32_t red = h.red_mask, green = h.green_mask, blue = h.blue_mask;
  if (h.compression == kRgb) {
    red = h.bits_per_pixel == 16 ? 0x7c00u : 0x00ff0000u;
    green = h.bits_per_pixel == 16 ? 0x03e0u : 0x0000ff00u;
    blue = h.bits_per_pixel == 16 ? 0x001fu : 0x000000ffu;
  }
  const Field r(red), g(green), b(blue);

  ASSIGN_OR_RETURN(Image image,
                   AllocateImage(static_cast<int>(columns), static_cast<int>(rows), 3));
  auto color = [&](size_t index) -> const std::array<uint8_t, 3>& {
    return palette[index < palette.size() ? index : 0];
  };
  for (size_t file_row = 0; file_row < rows; ++file_row) {
    const uint8_t* p = pixels + file_row * stride;
    const size_t y = h.height < 0 ? file_row : rows - 1 - file_row;
    uint8_t* q = image.pixels.data() + y * columns * 3;
    for (size_t x = 0; x < columns; ++x, q += 3) {
      switch (bits) {
        case 1:
          std::copy_n(color((p[x / 8] >> (7 - x % 8)) & 1).data(), 3, q);
          break;
        case 4:
          std::copy_n(color((p[x / 2] >> (x % 2 ? 0 : 4)) & 0x0f).data(), 3, q);
          break;
        case 8:
          std::copy_n(color(p[x]).data(), 3, q);
          break;
        case 16: {
          const uint32_t v = uint32_t{p[2 * x]} | (uint32_t{p[2 * x + 1]} << 8);
          q[0] = r.From16(v, false);
          q[1] = g.From16(v, true);
          q[2] = b.From16(v, false);
          break;
        }
        case 24:
          q[0] = p[3 * x + 2], q[1] = p[3 * x + 1], q[2] = p[3 * x];
          break;
        case 32: {
          const uint8_t* s = p + 4 * x;
          const uint32_t v = uint32_t{s[0]} | (uint32_t{s[1]} << 8) | (uint32_t{s[2]} << 16) |
                             (uint32_t{s[3]} << 24);
          q[0] = r.From32(v);
          q[1] = g.From32(v);
          q[2] = b.From32(v);
          break;
        }
      }
    }
  }
  return image;
}

}  // namespace vigil::media::internal
