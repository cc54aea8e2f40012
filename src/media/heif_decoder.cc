// HEIC and AVIF through libheif (HEVC via libde265, AV1 via libaom), the primary image only,
// reproducing ImageMagick 6's coders/heic.c, which is unusual and therefore worth spelling out:
// it asks libheif for 8-bit YCbCr 4:2:0 planes (HDR converted to 8 bits, the file's rotation
// and mirror transforms applied), upsamples chroma by nearest neighbour (sample [y/2][x/2]),
// and converts to RGB with its own full-range YCbCr formula (ConvertYPbPrToRGB), regardless of
// the colour matrix and range signalled in the file. We do exactly the same, so HEIF hashes
// match the reference even where that conversion is not the "correct" one. Alpha is ignored.
//
// Before libheif sees the file, heif_precheck.cc bounds the picture sizes declared inside the
// coded data, which libheif 1.15 trusts more than the image size it reports to us.
#include <fmt/format.h>
#include <libheif/heif.h>

#include <algorithm>
#include <cctype>
#include <limits>
#include <memory>

#include "media/decoders.h"
#include "media/heif_precheck.h"
#include "media/imagemagick_compat.h"

namespace vigil::media::internal {
namespace {

Status HeifError(const heif_error& error) {
  std::string message =
      fmt::format("HEIF: {}", error.message != nullptr ? error.message : "unknown error");
  // libheif ends some messages with a newline; Status messages are single lines.
  while (!message.empty() && std::isspace(static_cast<unsigned char>(message.back()))) {
    message.pop_back();
  }
  if (error.subcode == heif_suberror_Security_limit_exceeded) {
    return ResourceExhaustedError(std::move(message));
  }
  switch (error.code) {
    case heif_error_Memory_allocation_error:
      return ResourceExhaustedError(std::move(message));
    case heif_error_Unsupported_filetype:
    case heif_error_Unsupported_feature:
    case heif_error_Plugin_loading_error:
      return UnimplementedError(std::move(message));
    default:
      return InvalidArgumentError(std::move(message));
  }
}

struct ContextDeleter {
  void operator()(heif_context* c) const { heif_context_free(c); }
};
struct HandleDeleter {
  void operator()(heif_image_handle* h) const { heif_image_handle_release(h); }
};
struct ImageDeleter {
  void operator()(heif_image* i) const { heif_image_release(i); }
};
struct OptionsDeleter {
  void operator()(heif_decoding_options* o) const { heif_decoding_options_free(o); }
};

}  // namespace

Result<Image> DecodeHeif(std::span<const uint8_t> bytes, const DecodeLimits& limits) {
  // libheif sizes its buffers from the coded data, which may claim far more than the image
  // size it reports; look at those claims first (heif_precheck.h).
  RETURN_IF_ERROR(PrecheckHeif(bytes, limits));
  std::unique_ptr<heif_context, ContextDeleter> context(heif_context_alloc());
  if (context == nullptr) return ResourceExhaustedError("cannot allocate libheif context");
  // libheif also refuses oversized images itself, including grid canvases assembled from small
  // tiles (it rejects sides >= its limit there, hence the + 1); CheckDimensions below bounds
  // the pixel count before anything is decoded.
  heif_context_set_maximum_image_size_limit(
      context.get(), static_cast<int>(std::min<uint64_t>(uint64_t{limits.max_dimension} + 1,
                                                         std::numeric_limits<int>::max())));
  heif_error error = heif_context_read_from_memory_without_copy(context.get(), bytes.data(),
                                                                bytes.size(), nullptr);
  if (error.code != heif_error_Ok) return HeifError(error);

  heif_image_handle* raw_handle = nullptr;
  error = heif_context_get_primary_image_handle(context.get(), &raw_handle);
  if (error.code != heif_error_Ok) return HeifError(error);
  std::unique_ptr<heif_image_handle, HandleDeleter> handle(raw_handle);
  RETURN_IF_ERROR(CheckDimensions("HEIF", heif_image_handle_get_width(handle.get()),
                                  heif_image_handle_get_height(handle.get()), limits));

  std::unique_ptr<heif_decoding_options, OptionsDeleter> options(heif_decoding_options_alloc());
  if (options == nullptr) return ResourceExhaustedError("cannot allocate libheif options");
  options->convert_hdr_to_8bit = 1;
  // AV1 through libaom rather than dav1d (libheif's default): dav1d's logger writes to stderr
  // on corrupt data and libheif 1.15 offers no way to redirect it. AV1 decoding is bit-exact
  // by specification, so the pixels are the same. Plugins that cannot decode the image's
  // format ignore this choice (HEVC still goes to libde265).
  options->decoder_id = "aom";
  heif_image* raw_image = nullptr;
  error = heif_decode_image(handle.get(), &raw_image, heif_colorspace_YCbCr, heif_chroma_420,
                            options.get());
  if (error.code != heif_error_Ok) return HeifError(error);
  std::unique_ptr<heif_image, ImageDeleter> decoded(raw_image);

  // As heic.c: the output size is the decoded luma plane's (after transforms).
  const int width = heif_image_get_width(decoded.get(), heif_channel_Y);
  const int height = heif_image_get_height(decoded.get(), heif_channel_Y);
  RETURN_IF_ERROR(CheckDimensions("HEIF", width, height, limits));
  int y_stride = 0, cb_stride = 0, cr_stride = 0;
  const uint8_t* luma = heif_image_get_plane_readonly(decoded.get(), heif_channel_Y, &y_stride);
  const uint8_t* cb = heif_image_get_plane_readonly(decoded.get(), heif_channel_Cb, &cb_stride);
  const uint8_t* cr = heif_image_get_plane_readonly(decoded.get(), heif_channel_Cr, &cr_stride);
  if (luma == nullptr || cb == nullptr || cr == nullptr ||
      heif_image_get_bits_per_pixel_range(decoded.get(), heif_channel_Y) != 8 ||
      heif_image_get_width(decoded.get(), heif_channel_Cb) < (width + 1) / 2 ||
      heif_image_get_height(decoded.get(), heif_channel_Cb) < (height + 1) / 2 ||
      heif_image_get_width(decoded.get(), heif_channel_Cr) < (width + 1) / 2 ||
      heif_image_get_height(decoded.get(), heif_channel_Cr) < (height + 1) / 2) {
    return InternalError("libheif returned planes other than the 8-bit 4:2:0 requested");
  }

  ASSIGN_OR_RETURN(Image image, AllocateImage(width, height, 3));
  uint8_t* out = image.pixels.data();
  for (int y = 0; y < height; ++y) {
    const uint8_t* y_row = luma + static_cast<ptrdiff_t>(y) * y_stride;
    const uint8_t* cb_row = cb + static_cast<ptrdiff_t>(y / 2) * cb_stride;
    const uint8_t* cr_row = cr + static_cast<ptrdiff_t>(y / 2) * cr_stride;
    for (int x = 0; x < width; ++x, out += 3) {
      YCbCrToRgb(CharToQuantum(y_row[x]), CharToQuantum(cb_row[x / 2]),
                 CharToQuantum(cr_row[x / 2]), out);
    }
  }
  return image;
}

}  // namespace vigil::media::internal
