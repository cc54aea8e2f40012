// JPEG through libjpeg(-turbo), configured as ImageMagick 6 configures it: library defaults
// (JDCT_ISLOW accurate integer IDCT, fancy upsampling, no block smoothing change), output RGB
// for colour, one channel for greyscale, and CMYK/YCCK converted the way ImageMagick does
// (coders/jpeg.c inverts every CMYK sample, then the PNM writer applies ConvertCMYKToRGB).
// EXIF orientation and ICC profiles are ignored, as `convert FILE pnm:-` ignores them.
//
// libjpeg reports fatal errors through error_exit, which must not return: we longjmp back to
// the decoding function. To keep that well defined, the functions that call setjmp hold only
// trivially destructible locals; all C++ objects live in DecodeJpeg's frame, which longjmp
// never crosses.
#include <fmt/format.h>

#include <csetjmp>
#include <cstdio>
#include <vector>

// clang-format off
#include <jpeglib.h>  // needs <cstdio> first
#include <jerror.h>
// clang-format on

#include "media/decoders.h"
#include "media/imagemagick_compat.h"

namespace vigil::media::internal {
namespace {

// A progressive JPEG can hold thousands of tiny scans that each make libjpeg walk the whole
// coefficient buffer: a few kilobytes of input costing minutes of CPU. libjpeg-turbo's own
// tools cap scans for this reason; real encoders emit fewer than 20.
constexpr int kMaxProgressiveScans = 1000;

struct ErrorManager {
  jpeg_error_mgr pub;  // first, so libjpeg's pointer can be cast back
  std::jmp_buf jump;
  char message[JMSG_LENGTH_MAX];
  int msg_code;
  bool reading_header;       // input ending here is always truncation
  bool saw_end_of_input;     // libjpeg ran out of bytes and inserted a fake EOI marker
  unsigned components_seen;  // bit i: component i appeared in a scan (sequential files)
  bool fully_refined;        // progressive files: every coefficient reached full precision
  bool truncated;
  bool too_many_scans;
};

[[noreturn]] void OnFatalError(j_common_ptr cinfo) {
  auto* err = reinterpret_cast<ErrorManager*>(cinfo->err);
  err->msg_code = cinfo->err->msg_code;
  (*cinfo->err->format_message)(cinfo, err->message);
  std::longjmp(err->jump, 1);
}

[[noreturn]] void FailTruncated(ErrorManager* err) {
  err->truncated = true;
  std::longjmp(err->jump, 1);
}

// Warnings and trace messages are dropped (libjpeg's default prints them to stderr). Running
// out of input is the one warning that matters: libjpeg pads the rest of the image with grey
// and carries on, and a truncated upload must not be hashed as if it were whole. But libjpeg
// also reports end of input when only the final EOI marker is missing (its bit reader reads
// ahead), and such files decode to exactly the pixels of the complete file, as ImageMagick
// shows. So end of input is fatal in the header, or when the entropy decoder then actually
// lacks data (it warns "premature end of data segment" and friends); after the last scan it
// is judged by CheckComplete(). Corrupt-data warnings without end of input are tolerated as
// ImageMagick tolerates them, so such files still hash like the reference.
void OnMessage(j_common_ptr cinfo, int msg_level) {
  if (msg_level >= 0) return;
  auto* err = reinterpret_cast<ErrorManager*>(cinfo->err);
  switch (cinfo->err->msg_code) {
    case JWRN_JPEG_EOF:
      err->saw_end_of_input = true;
      if (err->reading_header) FailTruncated(err);
      break;
    case JWRN_HIT_MARKER:
    case JWRN_MUST_RESYNC:
    case JWRN_HUFF_BAD_CODE:
    case JWRN_ARITH_BAD_CODE:
      if (err->saw_end_of_input) FailTruncated(err);
      break;
    default:
      break;
  }
}

void OnProgress(j_common_ptr cinfo) {
  auto* dinfo = reinterpret_cast<j_decompress_ptr>(cinfo);
  auto* err = reinterpret_cast<ErrorManager*>(cinfo->err);
  if (dinfo->input_scan_number > kMaxProgressiveScans) {
    err->too_many_scans = true;
    std::longjmp(err->jump, 1);
  }
  for (int i = 0; i < dinfo->comps_in_scan && i < MAX_COMPS_IN_SCAN; ++i) {
    const jpeg_component_info* component = dinfo->cur_comp_info[i];
    if (component != nullptr && component->component_index < 32) {
      err->components_seen |= 1u << component->component_index;
    }
  }
}

// Progressive files: has every coefficient of every component been refined to full precision
// (coef_bits 0; -1 means never received)? Must be called before jpeg_finish_decompress, which
// frees coef_bits.
bool FullyRefined(const jpeg_decompress_struct& cinfo) {
  if (cinfo.coef_bits == nullptr) return false;
  for (int c = 0; c < cinfo.num_components; ++c) {
    for (int k = 0; k < DCTSIZE2; ++k) {
      if (cinfo.coef_bits[c][k] != 0) return false;
    }
  }
  return true;
}

// After a decode that hit end of input without the entropy decoder lacking bits: were all
// scans there? A progressive file is complete when fully refined, a sequential one when
// every component was in some scan. Arithmetic-coded data pads silently, so there end of
// input always counts as truncation.
bool CheckComplete(const jpeg_decompress_struct& cinfo, const ErrorManager& err) {
  if (!err.saw_end_of_input) return true;
  if (cinfo.arith_code) return false;
  if (cinfo.progressive_mode) return err.fully_refined;
  const unsigned all = cinfo.num_components >= 32 ? ~0u : (1u << cinfo.num_components) - 1;
  return (err.components_seen & all) == all;
}

// Phase 1: parse markers up to the first scan. Returns false after a libjpeg error.
bool ReadHeader(jpeg_decompress_struct* cinfo, ErrorManager* err, std::span<const uint8_t> bytes) {
  if (setjmp(err->jump) != 0) return false;
  err->reading_header = true;
  // libjpeg's API takes an unsigned long size.
  jpeg_mem_src(cinfo, bytes.data(),
               static_cast<unsigned long>(bytes.size()));  // NOLINT(google-runtime-int)
  jpeg_read_header(cinfo, TRUE);
  err->reading_header = false;
  // ImageMagick leaves dct_method, do_fancy_upsampling and out_color_space at the library
  // defaults; we state the first two explicitly so a changed default cannot drift silently.
  cinfo->dct_method = JDCT_ISLOW;
  cinfo->do_fancy_upsampling = TRUE;
  jpeg_calc_output_dimensions(cinfo);
  return true;
}

// Phase 2: decode every scanline into `out` (width * height * channels bytes). For CMYK
// output, `row` holds one row of 4-byte samples before conversion to RGB.
bool ReadPixels(jpeg_decompress_struct* cinfo, ErrorManager* err, uint8_t* out, uint8_t* row) {
  if (setjmp(err->jump) != 0) return false;
  jpeg_start_decompress(cinfo);
  const JDIMENSION width = cinfo->output_width;
  const bool cmyk = cinfo->out_color_space == JCS_CMYK;
  const size_t out_stride = static_cast<size_t>(width) * (cmyk ? 3 : cinfo->output_components);
  while (cinfo->output_scanline < cinfo->output_height) {
    uint8_t* dest = out + static_cast<size_t>(cinfo->output_scanline) * out_stride;
    JSAMPROW rows[1] = {cmyk ? row : dest};
    if (jpeg_read_scanlines(cinfo, rows, 1) != 1) return false;
    if (!cmyk) continue;
    for (JDIMENSION x = 0; x < width; ++x) {
      const uint8_t* s = row + 4 * static_cast<size_t>(x);
      const uint16_t black = static_cast<uint16_t>(65535 - CharToQuantum(s[3]));
      for (int c = 0; c < 3; ++c) {
        const uint16_t ink = static_cast<uint16_t>(65535 - CharToQuantum(s[c]));
        dest[3 * static_cast<size_t>(x) + c] = CmykChannelToChar(ink, black);
      }
    }
  }
  if (cinfo->progressive_mode) err->fully_refined = FullyRefined(*cinfo);
  jpeg_finish_decompress(cinfo);
  return true;
}

Status ErrorStatus(const ErrorManager& err, std::string_view phase) {
  // A fatal error after the input ran out (e.g. a marker segment cut in half) is truncation.
  if (err.truncated || err.saw_end_of_input) return InvalidArgumentError("JPEG data is truncated");
  if (err.too_many_scans) {
    return InvalidArgumentError(
        fmt::format("JPEG has more than {} progressive scans", kMaxProgressiveScans));
  }
  std::string message = fmt::format("JPEG {}: {}", phase, err.message);
  switch (err.msg_code) {
    case JERR_BAD_PRECISION:  // 12-bit samples: this libjpeg build decodes 8-bit only
      return UnimplementedError(std::move(message));
    case JERR_OUT_OF_MEMORY:
      return ResourceExhaustedError(std::move(message));
    default:
      return InvalidArgumentError(std::move(message));
  }
}

// jpeg_create_decompress reports failure (out of memory) through error_exit too, so it runs
// under setjmp like every other libjpeg call.
bool Create(jpeg_decompress_struct* cinfo, ErrorManager* err) {
  if (setjmp(err->jump) != 0) return false;
  jpeg_create_decompress(cinfo);
  return true;
}

// Owns the libjpeg objects so every return path releases them.
struct Decompressor {
  jpeg_decompress_struct cinfo{};
  ErrorManager err{};
  jpeg_progress_mgr progress{};
  bool created = false;
  Decompressor() {
    cinfo.err = jpeg_std_error(&err.pub);
    err.pub.error_exit = OnFatalError;
    err.pub.emit_message = OnMessage;
    created = Create(&cinfo, &err);
    progress.progress_monitor = OnProgress;
    cinfo.progress = &progress;
  }
  ~Decompressor() {
    if (created) jpeg_destroy_decompress(&cinfo);
  }
  Decompressor(const Decompressor&) = delete;
  Decompressor& operator=(const Decompressor&) = delete;
};

}  // namespace

Result<Image> DecodeJpeg(std::span<const uint8_t> bytes, const DecodeLimits& limits) {
  Decompressor d;
  if (!d.created) return ResourceExhaustedError("cannot allocate libjpeg state");
  if (!ReadHeader(&d.cinfo, &d.err, bytes)) return ErrorStatus(d.err, "header");
  RETURN_IF_ERROR(CheckDimensions("JPEG", d.cinfo.image_width, d.cinfo.image_height, limits));

  // Grey stays one channel; RGB, and CMYK after conversion, give three.
  const J_COLOR_SPACE space = d.cinfo.out_color_space;
  if (space != JCS_GRAYSCALE && space != JCS_RGB && space != JCS_CMYK) {
    return UnimplementedError(
        fmt::format("JPEG with {} components is not supported", d.cinfo.num_components));
  }
  const int channels = space == JCS_GRAYSCALE ? 1 : 3;
  ASSIGN_OR_RETURN(Image image, AllocateImage(static_cast<int>(d.cinfo.output_width),
                                              static_cast<int>(d.cinfo.output_height), channels));
  std::vector<uint8_t> cmyk_row;
  if (d.cinfo.out_color_space == JCS_CMYK) {
    RETURN_IF_ERROR(ResizeBuffer(&cmyk_row, 4 * size_t{d.cinfo.output_width}));
  }
  if (!ReadPixels(&d.cinfo, &d.err, image.pixels.data(), cmyk_row.data())) {
    return ErrorStatus(d.err, "data");
  }
  if (!CheckComplete(d.cinfo, d.err)) return InvalidArgumentError("JPEG data is truncated");
  return image;
}

}  // namespace vigil::media::internal
