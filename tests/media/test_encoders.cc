// Test-only encoders; see test_encoders.h. Written for clarity over speed: inputs are tiny.
#include "media/test_encoders.h"

#include <gif_lib.h>
#include <gtest/gtest.h>
#include <libheif/heif.h>
#include <png.h>
#include <tiffio.h>
#include <webp/encode.h>
#include <webp/mux.h>

#include <cstdio>
#include <cstring>
#include <fstream>
#include <iterator>

// clang-format off
#include <jpeglib.h>
// clang-format on

namespace vigil::media::testing {
namespace {

void AppendToVector(png_structp png, png_bytep data, png_size_t length) {
  auto* out = static_cast<Bytes*>(png_get_io_ptr(png));
  out->insert(out->end(), data, data + length);
}

}  // namespace

Bytes EncodePng(const PngSpec& spec) {
  Bytes out;
  png_structp png = png_create_write_struct(PNG_LIBPNG_VER_STRING, nullptr, nullptr, nullptr);
  png_infop info = png_create_info_struct(png);
  if (setjmp(png_jmpbuf(png)) != 0) {
    png_destroy_write_struct(&png, &info);
    ADD_FAILURE() << "libpng failed to encode the test image";
    return {};
  }
  png_set_write_fn(png, &out, AppendToVector, nullptr);
  png_set_check_for_invalid_index(png, 0);  // tests write out-of-palette indices on purpose
  png_set_IHDR(png, info, spec.width, spec.height, spec.bit_depth, spec.color_type,
               spec.interlaced ? PNG_INTERLACE_ADAM7 : PNG_INTERLACE_NONE,
               PNG_COMPRESSION_TYPE_DEFAULT, PNG_FILTER_TYPE_DEFAULT);
  std::vector<png_color> palette;
  for (const Rgb& c : spec.palette) palette.push_back({c[0], c[1], c[2]});
  if (!palette.empty()) png_set_PLTE(png, info, palette.data(), static_cast<int>(palette.size()));
  if (!spec.trns.empty()) {
    if (spec.color_type == PNG_COLOR_TYPE_PALETTE) {
      png_set_tRNS(png, info, spec.trns.data(), static_cast<int>(spec.trns.size()), nullptr);
    } else {  // grey or RGB: 16-bit big-endian values
      png_color_16 colour{};
      colour.gray = static_cast<png_uint_16>((spec.trns[0] << 8) | spec.trns[1]);
      if (spec.trns.size() >= 6) {
        colour.red = colour.gray;
        colour.green = static_cast<png_uint_16>((spec.trns[2] << 8) | spec.trns[3]);
        colour.blue = static_cast<png_uint_16>((spec.trns[4] << 8) | spec.trns[5]);
      }
      png_set_tRNS(png, info, nullptr, 0, &colour);
    }
  }
  png_write_info(png, info);
  const int channels = png_get_channels(png, info);
  const size_t per_row = static_cast<size_t>(spec.width) * channels;
  std::vector<std::vector<uint8_t>> rows(spec.height);
  for (int y = 0; y < spec.height; ++y) {
    std::vector<uint8_t>& row = rows[y];
    uint32_t acc = 0;
    int nbits = 0;
    for (size_t i = 0; i < per_row; ++i) {
      const uint16_t v = spec.samples[y * per_row + i];
      if (spec.bit_depth == 16) {
        row.push_back(static_cast<uint8_t>(v >> 8));
        row.push_back(static_cast<uint8_t>(v));
      } else if (spec.bit_depth == 8) {
        row.push_back(static_cast<uint8_t>(v));
      } else {
        acc = (acc << spec.bit_depth) | v;
        nbits += spec.bit_depth;
        if (nbits == 8) row.push_back(static_cast<uint8_t>(acc)), acc = 0, nbits = 0;
      }
    }
    if (nbits > 0) row.push_back(static_cast<uint8_t>(acc << (8 - nbits)));
  }
  std::vector<png_bytep> pointers;
  for (auto& row : rows) pointers.push_back(row.data());
  png_write_image(png, pointers.data());
  png_write_end(png, nullptr);
  png_destroy_write_struct(&png, &info);
  return out;
}

Bytes EncodeJpeg(const JpegSpec& spec) {
  jpeg_compress_struct cinfo{};
  jpeg_error_mgr err{};
  cinfo.err = jpeg_std_error(&err);  // test inputs are valid: libjpeg's exit() would be a bug
  jpeg_create_compress(&cinfo);
  unsigned char* buffer = nullptr;
  unsigned long size = 0;
  jpeg_mem_dest(&cinfo, &buffer, &size);
  cinfo.image_width = spec.width;
  cinfo.image_height = spec.height;
  cinfo.input_components = spec.components;
  cinfo.in_color_space = spec.components == 1   ? JCS_GRAYSCALE
                         : spec.components == 3 ? JCS_RGB
                                                : JCS_CMYK;
  jpeg_set_defaults(&cinfo);
  if (spec.jpeg_color_space != 0) {
    jpeg_set_colorspace(&cinfo, static_cast<J_COLOR_SPACE>(spec.jpeg_color_space));
  }
  jpeg_set_quality(&cinfo, spec.quality, TRUE);
  if (spec.progressive) jpeg_simple_progression(&cinfo);
  jpeg_start_compress(&cinfo, TRUE);
  const size_t stride = static_cast<size_t>(spec.width) * spec.components;
  while (cinfo.next_scanline < cinfo.image_height) {
    JSAMPROW row = const_cast<JSAMPROW>(spec.samples.data() + cinfo.next_scanline * stride);
    jpeg_write_scanlines(&cinfo, &row, 1);
  }
  jpeg_finish_compress(&cinfo);
  Bytes out(buffer, buffer + size);
  jpeg_destroy_compress(&cinfo);
  std::free(buffer);
  return out;
}

namespace {

int AppendGif(GifFileType* gif, const GifByteType* data, int length) {
  auto* out = static_cast<Bytes*>(gif->UserData);
  out->insert(out->end(), data, data + length);
  return length;
}

struct MapObject {
  ColorMapObject* map = nullptr;
  explicit MapObject(const std::vector<Rgb>& colors) {
    if (colors.empty()) return;
    std::vector<GifColorType> entries;
    for (const Rgb& c : colors) entries.push_back({c[0], c[1], c[2]});
    map = GifMakeMapObject(static_cast<int>(entries.size()), entries.data());
  }
  ~MapObject() { GifFreeMapObject(map); }
};

}  // namespace

Bytes EncodeGif(int screen_width, int screen_height, const std::vector<Rgb>& global_palette,
                const std::vector<GifFrame>& frames) {
  Bytes out;
  int error = 0;
  GifFileType* gif = EGifOpen(&out, AppendGif, &error);
  MapObject global(global_palette);
  EGifSetGifVersion(gif, true);
  bool ok = EGifPutScreenDesc(gif, screen_width, screen_height, 8, 0, global.map) == GIF_OK;
  for (const GifFrame& frame : frames) {
    if (frame.transparent_index >= 0) {
      GraphicsControlBlock gcb{};
      gcb.TransparentColor = frame.transparent_index;
      GifByteType block[4];
      EGifGCBToExtension(&gcb, block);
      ok = ok && EGifPutExtension(gif, GRAPHICS_EXT_FUNC_CODE, 4, block) == GIF_OK;
    }
    MapObject local(frame.local_palette);
    ok = ok && EGifPutImageDesc(gif, frame.left, frame.top, frame.width, frame.height,
                                frame.interlaced, local.map) == GIF_OK;
    // giflib writes lines in the order given; an interlaced frame must be fed pass by pass.
    std::vector<int> order;
    const int passes[4][2] = {{0, 8}, {4, 8}, {2, 4}, {1, 2}};
    for (const auto& [start, step] : passes) {
      if (!frame.interlaced && start != 0) break;
      for (int y = start; y < frame.height; y += frame.interlaced ? step : 1) order.push_back(y);
    }
    for (int y : order) {
      std::vector<GifPixelType> line(frame.indices.begin() + y * frame.width,
                                     frame.indices.begin() + (y + 1) * frame.width);
      ok = ok && EGifPutLine(gif, line.data(), frame.width) == GIF_OK;
    }
  }
  ok = EGifCloseFile(gif, &error) == GIF_OK && ok;
  if (!ok) ADD_FAILURE() << "giflib failed to encode the test image";
  return out;
}

namespace {

Bytes EncodeWebp(int width, int height, std::span<const uint8_t> pixels, bool has_alpha,
                 bool lossless, int quality) {
  WebPConfig config;
  WebPConfigInit(&config);
  config.lossless = lossless ? 1 : 0;
  config.exact = 1;
  config.quality = static_cast<float>(quality);
  WebPPicture picture;
  WebPPictureInit(&picture);
  picture.width = width;
  picture.height = height;
  picture.use_argb = lossless ? 1 : 0;
  const bool imported = has_alpha ? WebPPictureImportRGBA(&picture, pixels.data(), width * 4)
                                  : WebPPictureImportRGB(&picture, pixels.data(), width * 3);
  WebPMemoryWriter writer;
  WebPMemoryWriterInit(&writer);
  picture.writer = WebPMemoryWrite;
  picture.custom_ptr = &writer;
  const bool ok = imported && WebPEncode(&config, &picture);
  Bytes out(writer.mem, writer.mem + writer.size);
  WebPMemoryWriterClear(&writer);
  WebPPictureFree(&picture);
  if (!ok) ADD_FAILURE() << "libwebp failed to encode the test image";
  return out;
}

}  // namespace

Bytes EncodeWebpLossless(int width, int height, std::span<const uint8_t> rgba) {
  return EncodeWebp(width, height, rgba, true, true, 100);
}

Bytes EncodeWebpLossy(int width, int height, std::span<const uint8_t> rgb, int quality) {
  return EncodeWebp(width, height, rgb, false, false, quality);
}

Bytes EncodeWebpAnimation(int canvas_width, int canvas_height, int x_offset, int y_offset,
                          int frame_width, int frame_height, std::span<const uint8_t> frame) {
  const Bytes first = EncodeWebpLossless(frame_width, frame_height, frame);
  const std::vector<uint8_t> white(static_cast<size_t>(canvas_width) * canvas_height * 4, 255);
  const Bytes second = EncodeWebpLossless(canvas_width, canvas_height, white);
  WebPMux* mux = WebPMuxNew();
  WebPMuxFrameInfo info{};
  info.id = WEBP_CHUNK_ANMF;
  info.duration = 100;
  info.dispose_method = WEBP_MUX_DISPOSE_NONE;
  info.blend_method = WEBP_MUX_NO_BLEND;
  info.bitstream = {first.data(), first.size()};
  info.x_offset = x_offset;
  info.y_offset = y_offset;
  bool ok = WebPMuxPushFrame(mux, &info, 1) == WEBP_MUX_OK;
  info.bitstream = {second.data(), second.size()};
  info.x_offset = info.y_offset = 0;
  ok = ok && WebPMuxPushFrame(mux, &info, 1) == WEBP_MUX_OK;
  WebPMuxAnimParams params{};
  params.loop_count = 0;
  ok = ok && WebPMuxSetAnimationParams(mux, &params) == WEBP_MUX_OK;
  ok = ok && WebPMuxSetCanvasSize(mux, canvas_width, canvas_height) == WEBP_MUX_OK;
  WebPData assembled{};
  ok = ok && WebPMuxAssemble(mux, &assembled) == WEBP_MUX_OK;
  Bytes out(assembled.bytes, assembled.bytes + assembled.size);
  WebPDataClear(&assembled);
  WebPMuxDelete(mux);
  if (!ok) ADD_FAILURE() << "libwebpmux failed to assemble the test animation";
  return out;
}

uint64_t Fnv1a64(std::span<const uint8_t> bytes) {
  uint64_t hash = 0xcbf29ce484222325ull;
  for (uint8_t b : bytes) hash = (hash ^ b) * 0x100000001b3ull;
  return hash;
}

Bytes ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return {};
  return Bytes(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

}  // namespace vigil::media::testing
