// TIFF through libtiff: the first directory (page) only, read the way ImageMagick 6's
// coders/tiff.c chooses to read it, so the pixels match `convert FILE pnm:-`:
//   - strips (when the RowsPerStrip tag is present) or tiles are decoded by libtiff and the
//     samples imported with ImageMagick's arithmetic (tiff_samples.cc): grey 1/2/4/8/16-bit,
//     palette 1/2/4/8/16-bit, RGB and CMYK 8/16-bit, contiguous or planar;
//   - JPEG-compressed, CCITT G3, LogLuv and strip files without RowsPerStrip go through
//     libtiff's RGBA interface (TIFFReadRGBAImage), exactly as ImageMagick's "generic" method.
// YCbCr without JPEG and without chroma subsampling is imported raw and converted with
// ImageMagick's YCbCr formula, as ImageMagick does. Layouts ImageMagick would import in some
// other, often garbled, way (subsampled raw YCbCr, CIELab, odd bit depths or sample counts)
// fall back to the RGBA interface: they decode sensibly but are not guaranteed to match
// ImageMagick. Float and signed samples, and layouts libtiff's RGBA interface cannot handle
// (e.g. 32-bit integers), give kUnimplemented.
// Greyscale photometrics give one channel, everything else three; alpha is dropped.
//
// libtiff messages go to per-handle handlers (libtiff >= 4.5), never to stderr.
#include <fmt/format.h>
#include <tiffio.h>

#include <algorithm>
#include <cstdarg>
#include <cstring>
#include <memory>
#include <string>
#include <vector>

#include "media/decoders.h"
#include "media/tiff_samples.h"

namespace vigil::media::internal {
namespace {

struct Source {
  std::span<const uint8_t> bytes;
  uint64_t offset = 0;
  std::string first_error;
};

tmsize_t ReadProc(thandle_t handle, void* out, tmsize_t size) {
  auto* source = static_cast<Source*>(handle);
  if (size < 0 || source->offset >= source->bytes.size()) return 0;
  const uint64_t n =
      std::min<uint64_t>(static_cast<uint64_t>(size), source->bytes.size() - source->offset);
  std::memcpy(out, source->bytes.data() + source->offset, n);
  source->offset += n;
  return static_cast<tmsize_t>(n);
}
tmsize_t WriteProc(thandle_t, void*, tmsize_t) { return -1; }
toff_t SeekProc(thandle_t handle, toff_t offset, int whence) {
  auto* source = static_cast<Source*>(handle);
  uint64_t base = 0;
  if (whence == SEEK_CUR) base = source->offset;
  if (whence == SEEK_END) base = source->bytes.size();
  if (offset > UINT64_MAX - base) return static_cast<toff_t>(-1);
  source->offset = base + offset;  // may point past the end; reads there return 0 bytes
  return source->offset;
}
int CloseProc(thandle_t) { return 0; }
toff_t SizeProc(thandle_t handle) { return static_cast<Source*>(handle)->bytes.size(); }
int MapProc(thandle_t, void**, toff_t*) { return 0; }  // no mapping: libtiff copies strips
void UnmapProc(thandle_t, void*, toff_t) {}

int OnError(TIFF*, void* user_data, const char* module, const char* format, va_list args) {
  auto* source = static_cast<Source*>(user_data);
  if (source->first_error.empty()) {
    char text[512];
    std::vsnprintf(text, sizeof(text), format, args);
    source->first_error = fmt::format("{}: {}", module != nullptr ? module : "libtiff", text);
  }
  return 1;  // handled: do not call libtiff's global (stderr) handler
}
int OnWarning(TIFF*, void*, const char*, const char*, va_list) { return 1; }

struct TiffCloser {
  void operator()(TIFF* tiff) const { TIFFClose(tiff); }
};
using TiffHandle = std::unique_ptr<TIFF, TiffCloser>;

Status ReadError(const Source& source, std::string_view what) {
  if (source.first_error.empty()) return InvalidArgumentError(fmt::format("TIFF {}", what));
  return InvalidArgumentError(fmt::format("TIFF {}: {}", what, source.first_error));
}

struct Directory {
  uint32_t width = 0, height = 0;
  uint16_t photometric = PHOTOMETRIC_RGB, compression = 0, planar = 0, samples = 0, bits = 0,
           format = 0;
  bool tiled = false;
  bool has_rows_per_strip = false;
  uint32_t rows_per_strip = 0;
};

// Describes the samples as coders/tiff.c would import them. Returns false where ImageMagick
// would read the file some other way; the caller then uses libtiff's RGBA interface.
bool DescribeSamples(TIFF* tiff, const Directory& d, TiffSampleLayout* layout) {
  using Color = TiffSampleLayout::Color;
  uint16_t extra = 0;
  uint16_t* extra_info = nullptr;
  TIFFGetFieldDefaulted(tiff, TIFFTAG_EXTRASAMPLES, &extra, &extra_info);
  bool alpha = extra == 0 && d.samples == 4 && d.photometric == PHOTOMETRIC_RGB;
  bool associated = false;
  for (uint16_t i = 0; i < extra; ++i) {  // as tiff.c: any extra sample means alpha; last wins
    alpha = true;
    if (extra_info[i] == EXTRASAMPLE_ASSOCALPHA) associated = true;
    if (extra_info[i] == EXTRASAMPLE_UNASSALPHA) associated = false;
  }
  layout->bits = d.bits;
  layout->samples_per_pixel = d.samples;
  layout->planar = d.planar == PLANARCONFIG_SEPARATE && d.samples > 1;
  layout->associated_alpha = associated;
  const bool wide = d.bits == 8 || d.bits == 16;
  switch (d.photometric) {
    case PHOTOMETRIC_MINISBLACK:
    case PHOTOMETRIC_MINISWHITE:
      layout->color = Color::kGrey;
      if (d.samples == 1 && !alpha && (wide || d.bits == 1 || d.bits == 2 || d.bits == 4)) {
        layout->invert = d.photometric == PHOTOMETRIC_MINISWHITE && d.bits != 2 && d.bits != 4;
        return true;
      }
      layout->alpha_sample = 1;
      return d.samples == 2 && alpha && wide && !layout->planar;
    case PHOTOMETRIC_PALETTE: {
      layout->color = Color::kPalette;
      if (d.samples != 1 || alpha || !(wide || d.bits == 1 || d.bits == 2 || d.bits == 4)) {
        return false;
      }
      uint16_t *red = nullptr, *green = nullptr, *blue = nullptr;
      const size_t colors = size_t{1} << d.bits;
      if (TIFFGetField(tiff, TIFFTAG_COLORMAP, &red, &green, &blue) == 1 && red && green && blue) {
        layout->colormap = TiffColormap({red, colors}, {green, colors}, {blue, colors});
      } else {  // ImageMagick's default colormap: a grey ramp
        for (size_t i = 0; i < colors; ++i) {
          const auto v = static_cast<uint16_t>(i * (65535 / std::max<size_t>(colors - 1, 1)));
          layout->colormap.push_back({v, v, v});
        }
      }
      return true;
    }
    case PHOTOMETRIC_RGB:
      layout->color = Color::kRgb;
      layout->alpha_sample = alpha ? 3 : -1;
      return wide && d.samples >= (alpha ? 4 : 3);
    case PHOTOMETRIC_YCBCR: {
      // Uncompressed-style YCbCr: ImageMagick imports the raw samples and converts them with
      // its own YCbCr formula. That is only meaningful without chroma subsampling.
      uint16_t sub_h = 0, sub_v = 0;
      TIFFGetFieldDefaulted(tiff, TIFFTAG_YCBCRSUBSAMPLING, &sub_h, &sub_v);
      layout->color = Color::kYCbCr;
      layout->alpha_sample = alpha ? 3 : -1;
      return sub_h == 1 && sub_v == 1 && wide && d.samples >= (alpha ? 4 : 3);
    }
    case PHOTOMETRIC_SEPARATED:
      layout->color = Color::kCmyk;
      layout->alpha_sample = alpha ? 4 : -1;
      return wide && d.samples >= (alpha ? 5 : 4);
    default:
      return false;
  }
}

Status ReadStrips(TIFF* tiff, const Source& source, const Directory& d,
                  const TiffSampleLayout& layout, Image* image) {
  const size_t planes = layout.planar ? d.samples : 1;
  const tmsize_t scanline = TIFFScanlineSize(tiff);
  const uint32_t rows_per_strip = std::clamp<uint32_t>(d.rows_per_strip, 1, d.height);
  const uint32_t strips_per_plane = (d.height + rows_per_strip - 1) / rows_per_strip;
  if (TIFFNumberOfStrips(tiff) < strips_per_plane * planes) {
    return InvalidArgumentError("TIFF has fewer strips than its size requires");
  }
  const size_t strip_bytes = static_cast<size_t>(scanline) * rows_per_strip;
  std::vector<std::vector<uint8_t>> buffers(planes);
  for (auto& buffer : buffers) RETURN_IF_ERROR(ResizeBuffer(&buffer, strip_bytes));
  std::vector<const uint8_t*> rows(planes);
  const size_t out_stride = static_cast<size_t>(d.width) * layout.OutputChannels();
  for (uint32_t strip = 0; strip < strips_per_plane; ++strip) {
    const uint32_t y0 = strip * rows_per_strip;
    const uint32_t n = std::min(rows_per_strip, d.height - y0);
    for (size_t p = 0; p < planes; ++p) {
      const tmsize_t got =
          TIFFReadEncodedStrip(tiff, static_cast<uint32_t>(p * strips_per_plane + strip),
                               buffers[p].data(), static_cast<tmsize_t>(strip_bytes));
      if (got < 0 || static_cast<size_t>(got) < static_cast<size_t>(scanline) * n) {
        return ReadError(source, "strip data is truncated or corrupt");
      }
    }
    for (uint32_t r = 0; r < n; ++r) {
      for (size_t p = 0; p < planes; ++p) rows[p] = buffers[p].data() + r * scanline;
      ImportTiffPixels(layout, rows, d.width, image->pixels.data() + (y0 + r) * out_stride);
    }
  }
  return Status::Ok();
}

Status ReadTiles(TIFF* tiff, const Source& source, const Directory& d,
                 const TiffSampleLayout& layout, const DecodeLimits& limits, Image* image) {
  uint32_t tile_width = 0, tile_height = 0;
  TIFFGetField(tiff, TIFFTAG_TILEWIDTH, &tile_width);
  TIFFGetField(tiff, TIFFTAG_TILELENGTH, &tile_height);
  // A hostile header can declare one enormous tile for a tiny image; bound it like an image.
  RETURN_IF_ERROR(CheckDimensions("TIFF tile", tile_width, tile_height, limits));
  const size_t planes = layout.planar ? d.samples : 1;
  const tmsize_t tile_bytes = TIFFTileSize(tiff);
  const tmsize_t tile_row = TIFFTileRowSize(tiff);
  if (tile_bytes <= 0 || tile_row <= 0) return ReadError(source, "tile size is invalid");
  std::vector<std::vector<uint8_t>> buffers(planes);
  for (auto& buffer : buffers) {
    RETURN_IF_ERROR(ResizeBuffer(&buffer, static_cast<size_t>(tile_bytes)));
  }
  std::vector<const uint8_t*> rows(planes);
  const size_t channels = layout.OutputChannels();
  for (uint32_t y = 0; y < d.height; y += tile_height) {
    for (uint32_t x = 0; x < d.width; x += tile_width) {
      for (size_t p = 0; p < planes; ++p) {
        if (TIFFReadTile(tiff, buffers[p].data(), x, y, 0, static_cast<uint16_t>(p)) < 0) {
          return ReadError(source, "tile data is truncated or corrupt");
        }
      }
      const uint32_t n = std::min(tile_height, d.height - y);
      const uint32_t w = std::min(tile_width, d.width - x);
      for (uint32_t r = 0; r < n; ++r) {
        for (size_t p = 0; p < planes; ++p) rows[p] = buffers[p].data() + r * tile_row;
        ImportTiffPixels(layout, rows, w,
                         image->pixels.data() + ((y + r) * size_t{d.width} + x) * channels);
      }
    }
  }
  return Status::Ok();
}

// ImageMagick's ReadGenericMethod: TIFFReadRGBAImage (bottom-up raster), rows flipped back.
Status ReadRgba(TIFF* tiff, const Source& source, const Directory& d, Image* image) {
  std::vector<uint32_t> raster;
  RETURN_IF_ERROR(ResizeBuffer(&raster, size_t{d.width} * d.height));
  if (TIFFReadRGBAImage(tiff, d.width, d.height, raster.data(), 1) == 0) {
    return ReadError(source, "data is corrupt or uses an unsupported layout");
  }
  const size_t channels = static_cast<size_t>(image->channels);
  for (uint32_t y = 0; y < d.height; ++y) {
    const uint32_t* src = raster.data() + size_t{d.height - 1 - y} * d.width;
    uint8_t* out = image->pixels.data() + size_t{y} * d.width * channels;
    for (uint32_t x = 0; x < d.width; ++x) {
      *out++ = static_cast<uint8_t>(TIFFGetR(src[x]));
      if (channels == 1) continue;
      *out++ = static_cast<uint8_t>(TIFFGetG(src[x]));
      *out++ = static_cast<uint8_t>(TIFFGetB(src[x]));
    }
  }
  return Status::Ok();
}

}  // namespace

Result<Image> DecodeTiff(std::span<const uint8_t> bytes, const DecodeLimits& limits) {
  Source source;
  source.bytes = bytes;
  std::unique_ptr<TIFFOpenOptions, void (*)(TIFFOpenOptions*)> options(TIFFOpenOptionsAlloc(),
                                                                       TIFFOpenOptionsFree);
  if (options == nullptr) return ResourceExhaustedError("cannot allocate libtiff options");
  TIFFOpenOptionsSetErrorHandlerExtR(options.get(), OnError, &source);
  TIFFOpenOptionsSetWarningHandlerExtR(options.get(), OnWarning, &source);
  // Caps any single libtiff allocation (strip buffers, tag arrays) near what a picture within
  // the pixel limit can need, so a forged strip size cannot ask for gigabytes.
  const uint64_t max_alloc = limits.max_pixels > (uint64_t{1} << 58)
                                 ? INT64_MAX
                                 : limits.max_pixels * 10 + (uint64_t{64} << 20);
  TIFFOpenOptionsSetMaxSingleMemAlloc(options.get(), static_cast<tmsize_t>(max_alloc));
  // "m": no memory mapping, so libtiff never points into (or modifies) the caller's bytes.
  TiffHandle tiff(TIFFClientOpenExt("input", "rm", &source, ReadProc, WriteProc, SeekProc,
                                    CloseProc, SizeProc, MapProc, UnmapProc, options.get()));
  if (tiff == nullptr) return ReadError(source, "header is corrupt or truncated");

  Directory d;
  if (TIFFGetField(tiff.get(), TIFFTAG_IMAGEWIDTH, &d.width) != 1 ||
      TIFFGetField(tiff.get(), TIFFTAG_IMAGELENGTH, &d.height) != 1) {
    return InvalidArgumentError("TIFF has no image size");
  }
  RETURN_IF_ERROR(CheckDimensions("TIFF", d.width, d.height, limits));
  TIFFGetFieldDefaulted(tiff.get(), TIFFTAG_PHOTOMETRIC, &d.photometric);
  TIFFGetFieldDefaulted(tiff.get(), TIFFTAG_COMPRESSION, &d.compression);
  TIFFGetFieldDefaulted(tiff.get(), TIFFTAG_PLANARCONFIG, &d.planar);
  TIFFGetFieldDefaulted(tiff.get(), TIFFTAG_SAMPLESPERPIXEL, &d.samples);
  TIFFGetFieldDefaulted(tiff.get(), TIFFTAG_BITSPERSAMPLE, &d.bits);
  TIFFGetFieldDefaulted(tiff.get(), TIFFTAG_SAMPLEFORMAT, &d.format);
  d.tiled = TIFFIsTiled(tiff.get()) != 0;
  d.has_rows_per_strip = TIFFGetField(tiff.get(), TIFFTAG_ROWSPERSTRIP, &d.rows_per_strip) == 1;
  if (d.format != SAMPLEFORMAT_UINT) {
    return UnimplementedError("TIFF with signed or floating-point samples is not supported");
  }
  if (d.compression != COMPRESSION_NONE && TIFFIsCODECConfigured(d.compression) == 0) {
    return UnimplementedError(fmt::format("TIFF compression {} is not supported", d.compression));
  }
  // ImageMagick's own sanity check: one decoded row cannot be 2.53 times the whole file.
  const tmsize_t scanline = TIFFScanlineSize(tiff.get());
  if (scanline <= 0 || static_cast<double>(scanline) > 2.53 * static_cast<double>(bytes.size())) {
    return InvalidArgumentError("TIFF declares more data than the file can hold");
  }

  TiffSampleLayout layout;
  const bool generic = d.compression == COMPRESSION_JPEG || d.compression == COMPRESSION_OJPEG ||
                       d.compression == COMPRESSION_CCITTFAX3 ||
                       d.photometric == PHOTOMETRIC_LOGLUV || (!d.tiled && !d.has_rows_per_strip);
  const bool imported = !generic && DescribeSamples(tiff.get(), d, &layout);
  char why[1024] = "";
  if (!imported && TIFFRGBAImageOK(tiff.get(), why) == 0) {
    return UnimplementedError(fmt::format("TIFF layout is not supported: {}", why));
  }
  const bool grey =
      d.photometric == PHOTOMETRIC_MINISBLACK || d.photometric == PHOTOMETRIC_MINISWHITE;
  const int channels = imported ? layout.OutputChannels() : grey ? 1 : 3;
  ASSIGN_OR_RETURN(Image image,
                   AllocateImage(static_cast<int>(d.width), static_cast<int>(d.height), channels));
  if (!imported) {
    RETURN_IF_ERROR(ReadRgba(tiff.get(), source, d, &image));
  } else if (d.tiled) {
    RETURN_IF_ERROR(ReadTiles(tiff.get(), source, d, layout, limits, &image));
  } else {
    RETURN_IF_ERROR(ReadStrips(tiff.get(), source, d, layout, &image));
  }
  return image;
}

}  // namespace vigil::media::internal
