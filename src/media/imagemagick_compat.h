// Private to `media`: the sample arithmetic of ImageMagick 6 (Q16, non-HDRI, as built by Debian
// 12's imagemagick-6.q16 6.9.11-60), reproduced bit for bit.
//
// Why: the PDQ reference hasher never decodes images itself; it runs `convert FILE pnm:-` and
// hashes the PNM. To give the same hashes we must hand `hash` the same 8-bit samples that
// command prints. ImageMagick keeps every sample as a 16-bit "quantum" and converts to 8 bits
// only when writing, so any path that is not a plain 8-bit copy (16-bit PNG/TIFF, CMYK, HEIF
// YCbCr, BMP bit fields) goes through the functions below. Each one names the ImageMagick
// source it mirrors (magick/quantum.h, magick/colorspace.c, magick/quantum-private.h at tag
// 6.9.11-60). Floating-point steps are written in the same order and precision (double) as
// the original; the project builds with -ffp-contract=off, so no fused multiply-adds change
// the rounding.
//
// Thread safety: pure functions.
#ifndef VIGIL_MEDIA_IMAGEMAGICK_COMPAT_H_
#define VIGIL_MEDIA_IMAGEMAGICK_COMPAT_H_

#include <cstdint>

namespace vigil::media::internal {

inline constexpr double kQuantumRange = 65535.0;
inline constexpr double kQuantumScale = 1.0 / 65535.0;  // QuantumScale

// ScaleCharToQuantum: 8-bit to 16-bit, exact (v * 257).
constexpr uint16_t CharToQuantum(uint8_t v) { return static_cast<uint16_t>(v * 257u); }

// ScaleQuantumToChar (Q16, non-HDRI): round(q / 257) computed in integers, so 16-bit samples
// are rounded, not truncated. libpng's png_set_scale_16() gives the same result for all 65536
// inputs (checked exhaustively), which png_decoder.cc relies on.
constexpr uint8_t QuantumToChar(uint32_t q) {
  return static_cast<uint8_t>(((q + 128u) - ((q + 128u) >> 8)) >> 8);
}

// ClampToQuantum (non-HDRI): NaN and negatives to 0, saturate at 65535, else round half up.
inline uint16_t ClampToQuantum(double v) {
  if (!(v > 0.0)) return 0;  // also catches NaN
  if (v >= kQuantumRange) return 65535;
  return static_cast<uint16_t>(v + 0.5);
}

// ScaleAnyToQuantum (quantum-private.h): a `range`-bit sample (range = 2^bits - 1) to 16 bits.
inline uint16_t AnyToQuantum(uint32_t v, uint32_t range) {
  if (v > range) return 65535;
  return static_cast<uint16_t>(kQuantumRange * (v * (1.0 / range)) + 0.5);
}

// PerceptibleReciprocal (magick/image-private.h).
inline double PerceptibleReciprocal(double x) {
  const double sign = x < 0.0 ? -1.0 : 1.0;
  if (sign * x >= 1.0e-12) return 1.0 / x;
  return sign / 1.0e-12;
}

// ConvertCMYKToRGB (colorspace-private.h), applied when ImageMagick writes a CMYK image as
// PNM, followed by ClampToQuantum and ScaleQuantumToChar. Inputs are 16-bit quanta as
// ImageMagick holds them (for JPEG that is 65535 - 257 * sample: it inverts Adobe CMYK).
inline uint8_t CmykChannelToChar(uint16_t ink, uint16_t black) {
  const double k = black;
  const double value = kQuantumRange - (kQuantumScale * ink * (kQuantumRange - k) + k);
  return QuantumToChar(ClampToQuantum(value));
}

// ConvertYPbPrToRGB (colorspace.c), used for ImageMagick's YCbCr colourspace: full-range
// coefficients with ImageMagick's own precision. Takes 16-bit quanta; writes 8-bit R, G, B.
inline void YCbCrToRgb(uint16_t y16, uint16_t cb16, uint16_t cr16, uint8_t* rgb) {
  const double y = kQuantumScale * y16;
  const double pb = kQuantumScale * cb16;
  const double pr = kQuantumScale * cr16;
  const double red =
      kQuantumRange * (0.99999999999914679361 * y - 1.2188941887145875e-06 * (pb - 0.5) +
                       1.4019995886561440468 * (pr - 0.5));
  const double green =
      kQuantumRange * (0.99999975910502514331 * y - 0.34413567816504303521 * (pb - 0.5) -
                       0.71413649331646789076 * (pr - 0.5));
  const double blue =
      kQuantumRange * (1.00000124040004623180 * y + 1.77200006607230409200 * (pb - 0.5) +
                       2.1453384174593273e-06 * (pr - 0.5));
  rgb[0] = QuantumToChar(ClampToQuantum(red));
  rgb[1] = QuantumToChar(ClampToQuantum(green));
  rgb[2] = QuantumToChar(ClampToQuantum(blue));
}

}  // namespace vigil::media::internal

#endif  // VIGIL_MEDIA_IMAGEMAGICK_COMPAT_H_
