// Test-only encoders for TIFF, BMP and HEIF; see test_encoders.h.
#include <gtest/gtest.h>
#include <libheif/heif.h>
#include <tiffio.h>

#include <cstring>

#include "media/test_encoders.h"

namespace vigil::media::testing {
namespace {

// A growable in-memory file for libtiff's client I/O.
struct MemoryFile {
  Bytes data;
  uint64_t offset = 0;
};

tmsize_t TiffRead(thandle_t h, void* buf, tmsize_t size) {
  auto* f = static_cast<MemoryFile*>(h);
  const uint64_t n =
      std::min<uint64_t>(size, f->data.size() > f->offset ? f->data.size() - f->offset : 0);
  std::memcpy(buf, f->data.data() + f->offset, n);
  f->offset += n;
  return static_cast<tmsize_t>(n);
}
tmsize_t TiffWrite(thandle_t h, void* buf, tmsize_t size) {
  auto* f = static_cast<MemoryFile*>(h);
  if (f->data.size() < f->offset + size) f->data.resize(f->offset + size);
  std::memcpy(f->data.data() + f->offset, buf, size);
  f->offset += size;
  return size;
}
toff_t TiffSeek(thandle_t h, toff_t off, int whence) {
  auto* f = static_cast<MemoryFile*>(h);
  f->offset = (whence == SEEK_SET ? 0 : whence == SEEK_CUR ? f->offset : f->data.size()) + off;
  return f->offset;
}
int TiffClose(thandle_t) { return 0; }
toff_t TiffSize(thandle_t h) { return static_cast<MemoryFile*>(h)->data.size(); }
int TiffMap(thandle_t, void**, toff_t*) { return 0; }
void TiffUnmap(thandle_t, void*, toff_t) {}

void PutLe16(Bytes* out, uint32_t v) {
  out->push_back(static_cast<uint8_t>(v));
  out->push_back(static_cast<uint8_t>(v >> 8));
}
void PutLe32(Bytes* out, uint32_t v) {
  PutLe16(out, v & 0xffff);
  PutLe16(out, v >> 16);
}

}  // namespace

Bytes EncodeTiff(const TiffSpec& spec) {
  MemoryFile file;
  TIFF* tiff = TIFFClientOpen("test", "w", &file, TiffRead, TiffWrite, TiffSeek, TiffClose,
                              TiffSize, TiffMap, TiffUnmap);
  if (tiff == nullptr) {
    ADD_FAILURE() << "libtiff could not open the test image for writing";
    return {};
  }
  TIFFSetField(tiff, TIFFTAG_IMAGEWIDTH, spec.width);
  TIFFSetField(tiff, TIFFTAG_IMAGELENGTH, spec.height);
  TIFFSetField(tiff, TIFFTAG_PHOTOMETRIC, spec.photometric);
  TIFFSetField(tiff, TIFFTAG_BITSPERSAMPLE, spec.bits);
  TIFFSetField(tiff, TIFFTAG_SAMPLESPERPIXEL, spec.samples_per_pixel);
  TIFFSetField(tiff, TIFFTAG_COMPRESSION, spec.compression);
  TIFFSetField(tiff, TIFFTAG_SAMPLEFORMAT, spec.sample_format);
  TIFFSetField(tiff, TIFFTAG_PLANARCONFIG,
               spec.planar ? PLANARCONFIG_SEPARATE : PLANARCONFIG_CONTIG);
  if (!spec.extra_samples.empty()) {
    TIFFSetField(tiff, TIFFTAG_EXTRASAMPLES, static_cast<uint16_t>(spec.extra_samples.size()),
                 spec.extra_samples.data());
  }
  if (!spec.colormap.empty()) {
    const size_t n = spec.colormap.size() / 3;
    TIFFSetField(tiff, TIFFTAG_COLORMAP, spec.colormap.data(), spec.colormap.data() + n,
                 spec.colormap.data() + 2 * n);
  }
  const int planes = spec.planar ? spec.samples_per_pixel : 1;
  const int row_samples = spec.planar ? 1 : spec.samples_per_pixel;
  const size_t row_bytes = (static_cast<size_t>(spec.width) * row_samples * spec.bits + 7) / 8;
  const size_t plane_bytes = row_bytes * spec.height;
  bool ok = true;
  if (spec.tile_size > 0) {
    const int t = spec.tile_size;
    TIFFSetField(tiff, TIFFTAG_TILEWIDTH, t);
    TIFFSetField(tiff, TIFFTAG_TILELENGTH, t);
    const size_t tile_row = (static_cast<size_t>(t) * row_samples * spec.bits + 7) / 8;
    std::vector<uint8_t> tile(tile_row * t);
    const size_t bytes_per_sample_group = static_cast<size_t>(row_samples) * spec.bits / 8;
    for (int p = 0; p < planes; ++p) {
      for (int y = 0; y < spec.height; y += t) {
        for (int x = 0; x < spec.width; x += t) {
          std::fill(tile.begin(), tile.end(), 0);
          for (int r = 0; r < t && y + r < spec.height; ++r) {
            const int w = std::min(t, spec.width - x);
            std::memcpy(tile.data() + r * tile_row,
                        spec.data.data() + p * plane_bytes + (y + r) * row_bytes +
                            x * bytes_per_sample_group,
                        w * bytes_per_sample_group);
          }
          ok = ok && TIFFWriteTile(tiff, tile.data(), x, y, 0, static_cast<uint16_t>(p)) >= 0;
        }
      }
    }
  } else {
    const int rows_per_strip = spec.rows_per_strip > 0 ? spec.rows_per_strip : spec.height;
    TIFFSetField(tiff, TIFFTAG_ROWSPERSTRIP, rows_per_strip);
    const int strips = (spec.height + rows_per_strip - 1) / rows_per_strip;
    for (int p = 0; p < planes; ++p) {
      for (int s = 0; s < strips; ++s) {
        const int rows = std::min(rows_per_strip, spec.height - s * rows_per_strip);
        std::vector<uint8_t> strip(
            spec.data.begin() + p * plane_bytes + s * rows_per_strip * row_bytes,
            spec.data.begin() + p * plane_bytes + (s * rows_per_strip + rows) * row_bytes);
        ok = ok && TIFFWriteEncodedStrip(tiff, p * strips + s, strip.data(), strip.size()) >= 0;
      }
    }
  }
  ok = ok && TIFFWriteDirectory(tiff) != 0;
  TIFFClose(tiff);
  if (!ok) ADD_FAILURE() << "libtiff failed to encode the test image";
  return file.data;
}

Bytes BuildBmp(const BmpSpec& spec) {
  Bytes dib;
  PutLe32(&dib, spec.dib_size);
  if (spec.dib_size == 12) {
    PutLe16(&dib, static_cast<uint16_t>(spec.width));
    PutLe16(&dib, static_cast<uint16_t>(spec.height));
    PutLe16(&dib, 1);
    PutLe16(&dib, spec.bits_per_pixel);
  } else {
    PutLe32(&dib, static_cast<uint32_t>(spec.width));
    PutLe32(&dib, static_cast<uint32_t>(spec.height));
    PutLe16(&dib, 1);
    PutLe16(&dib, spec.bits_per_pixel);
    PutLe32(&dib, spec.compression);
    PutLe32(&dib, static_cast<uint32_t>(spec.pixel_data.size()));
    PutLe32(&dib, 2835);
    PutLe32(&dib, 2835);
    PutLe32(&dib, spec.colors_used);
    PutLe32(&dib, 0);
    if (spec.dib_size > 40 || spec.compression == 3) {
      for (uint32_t mask : spec.masks) PutLe32(&dib, mask);
    }
    while (dib.size() < spec.dib_size) dib.push_back(0);
  }
  for (const Rgb& c : spec.palette) {
    dib.push_back(c[2]);
    dib.push_back(c[1]);
    dib.push_back(c[0]);
    if (spec.dib_size != 12) dib.push_back(0);
  }
  Bytes out = {'B', 'M'};
  const uint32_t offset = 14 + static_cast<uint32_t>(dib.size());
  PutLe32(&out, offset + static_cast<uint32_t>(spec.pixel_data.size()));
  PutLe32(&out, 0);
  PutLe32(&out, offset);
  out.insert(out.end(), dib.begin(), dib.end());
  out.insert(out.end(), spec.pixel_data.begin(), spec.pixel_data.end());
  return out;
}

namespace {

heif_error AppendHeif(heif_context*, const void* data, size_t size, void* user) {
  auto* out = static_cast<Bytes*>(user);
  const auto* bytes = static_cast<const uint8_t*>(data);
  out->insert(out->end(), bytes, bytes + size);
  return heif_error{heif_error_Ok, heif_suberror_Unspecified, "ok"};
}

}  // namespace

Bytes EncodeHeif(int width, int height, std::span<const uint8_t> rgb, bool avif) {
  const heif_compression_format format = avif ? heif_compression_AV1 : heif_compression_HEVC;
  if (!heif_have_encoder_for_format(format)) return {};
  heif_context* context = heif_context_alloc();
  heif_encoder* encoder = nullptr;
  heif_image* image = nullptr;
  Bytes out;
  bool ok = heif_context_get_encoder_for_format(context, format, &encoder).code == heif_error_Ok;
  ok = ok &&
       heif_image_create(width, height, heif_colorspace_RGB, heif_chroma_interleaved_RGB, &image)
               .code == heif_error_Ok;
  ok = ok && heif_image_add_plane(image, heif_channel_interleaved, width, height, 8).code ==
                 heif_error_Ok;
  if (ok) {
    int stride = 0;
    uint8_t* plane = heif_image_get_plane(image, heif_channel_interleaved, &stride);
    for (int y = 0; y < height; ++y) {
      std::memcpy(plane + y * stride, rgb.data() + static_cast<size_t>(y) * width * 3, width * 3);
    }
    heif_encoder_set_lossy_quality(encoder, 90);
    ok = heif_context_encode_image(context, image, encoder, nullptr, nullptr).code == heif_error_Ok;
    heif_writer writer{1, AppendHeif};
    ok = ok && heif_context_write(context, &writer, &out).code == heif_error_Ok;
  }
  if (image != nullptr) heif_image_release(image);
  if (encoder != nullptr) heif_encoder_release(encoder);
  heif_context_free(context);
  if (!ok) ADD_FAILURE() << "libheif failed to encode the test image";
  return out;
}

}  // namespace vigil::media::testing
