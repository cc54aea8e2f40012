// TIFF sample import with ImageMagick 6 semantics; see tiff_samples.h.
#include "media/tiff_samples.h"

#include <cstring>

#include "media/imagemagick_compat.h"

namespace vigil::media::internal {
namespace {

// Reads sample `index` of a row: MSB-first packing for sub-byte samples (libtiff has already
// applied FillOrder), native-endian 16-bit words (libtiff has already swapped byte order).
uint32_t RawSample(const uint8_t* row, size_t index, int bits) {
  switch (bits) {
    case 8:
      return row[index];
    case 16: {
      uint16_t v;
      std::memcpy(&v, row + 2 * index, 2);
      return v;
    }
    default: {
      const size_t bit = index * static_cast<size_t>(bits);
      const int shift = 8 - bits - static_cast<int>(bit % 8);
      return (row[bit / 8] >> shift) & ((1u << bits) - 1);
    }
  }
}

uint16_t ToQuantum(uint32_t raw, int bits) {
  switch (bits) {
    case 8:
      return CharToQuantum(static_cast<uint8_t>(raw));
    case 16:
      return static_cast<uint16_t>(raw);
    default:
      return AnyToQuantum(raw, (1u << bits) - 1);
  }
}

// Disassociates premultiplied alpha as ImportQuantumPixels does for AssociatedQuantumAlpha.
uint16_t Unpremultiply(uint16_t value, double reciprocal_alpha) {
  return ClampToQuantum(reciprocal_alpha * value);
}

}  // namespace

void ImportTiffPixels(const TiffSampleLayout& layout, std::span<const uint8_t* const> rows,
                      size_t count, uint8_t* out) {
  using Color = TiffSampleLayout::Color;
  const size_t spp = static_cast<size_t>(layout.samples_per_pixel);
  auto raw = [&](size_t x, int sample) -> uint32_t {
    if (layout.planar) return RawSample(rows[static_cast<size_t>(sample)], x, layout.bits);
    return RawSample(rows[0], x * spp + static_cast<size_t>(sample), layout.bits);
  };
  const bool unpremultiply = layout.associated_alpha && layout.alpha_sample >= 0;
  for (size_t x = 0; x < count; ++x) {
    double reciprocal_alpha = 1.0;
    if (unpremultiply) {
      const uint16_t alpha = ToQuantum(raw(x, layout.alpha_sample), layout.bits);
      reciprocal_alpha = PerceptibleReciprocal(kQuantumScale * alpha);
    }
    switch (layout.color) {
      case Color::kGrey: {
        uint16_t q = ToQuantum(raw(x, 0), layout.bits);
        if (layout.invert) q = static_cast<uint16_t>(65535 - q);
        if (unpremultiply) q = Unpremultiply(q, reciprocal_alpha);
        *out++ = QuantumToChar(q);
        break;
      }
      case Color::kPalette: {
        const uint32_t index = raw(x, 0);
        const auto& entry = layout.colormap[index < layout.colormap.size() ? index : 0];
        for (uint16_t q : entry) *out++ = QuantumToChar(q);
        break;
      }
      case Color::kRgb:
      case Color::kYCbCr: {
        std::array<uint16_t, 3> q;
        for (size_t c = 0; c < 3; ++c) {
          q[c] = ToQuantum(raw(x, static_cast<int>(c)), layout.bits);
          if (unpremultiply) q[c] = Unpremultiply(q[c], reciprocal_alpha);
        }
        if (layout.color == Color::kYCbCr) {
          YCbCrToRgb(q[0], q[1], q[2], out);  // ImageMagick converts when writing PNM
          out += 3;
        } else {
          for (uint16_t v : q) *out++ = QuantumToChar(v);
        }
        break;
      }
      case Color::kCmyk: {
        std::array<uint16_t, 4> ink;
        for (size_t c = 0; c < 4; ++c) {
          ink[c] = ToQuantum(raw(x, static_cast<int>(c)), layout.bits);
          if (unpremultiply) ink[c] = Unpremultiply(ink[c], reciprocal_alpha);
        }
        for (size_t c = 0; c < 3; ++c) *out++ = CmykChannelToChar(ink[c], ink[3]);
        break;
      }
    }
  }
}

std::vector<std::array<uint16_t, 3>> TiffColormap(std::span<const uint16_t> red,
                                                  std::span<const uint16_t> green,
                                                  std::span<const uint16_t> blue) {
  double range = 255.0;
  for (size_t i = 0; i < red.size(); ++i) {
    if (red[i] >= 256 || green[i] >= 256 || blue[i] >= 256) {
      range = 65535.0;
      break;
    }
  }
  std::vector<std::array<uint16_t, 3>> map(red.size());
  for (size_t i = 0; i < red.size(); ++i) {
    // Same expression as coders/tiff.c: ClampToQuantum(((double) QuantumRange*v)/range).
    map[i] = {ClampToQuantum((kQuantumRange * red[i]) / range),
              ClampToQuantum((kQuantumRange * green[i]) / range),
              ClampToQuantum((kQuantumRange * blue[i]) / range)};
  }
  return map;
}

}  // namespace vigil::media::internal
