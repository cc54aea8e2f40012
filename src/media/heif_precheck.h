// Private to `media`: checks on a HEIF/AVIF file made before libheif decodes it, because
// libheif 1.15 sizes its buffers from the coded data, not from the image size it reports
// (which is what DecodeImage checks): an HEVC SPS, an AV1 sequence header, or a grid/overlay
// item can declare a picture far larger than the 'ispe' property says, and a 2 KB file then
// makes the decoder allocate gigabytes. We read those declarations ourselves and refuse files
// whose pictures exceed the limits.
//
// Thread safety: pure functions.
#ifndef VIGIL_MEDIA_HEIF_PRECHECK_H_
#define VIGIL_MEDIA_HEIF_PRECHECK_H_

#include <cstdint>
#include <span>

#include "core/status.h"
#include "media/media.h"

namespace vigil::media::internal {

// What we need from an HEVC sequence parameter set (hevc_sps_check.cc).
struct HevcSps {
  bool valid_size = false;  // libde265 got as far as a picture size it accepts
  int64_t width = 0;
  int64_t height = 0;
  bool would_print_error = false;  // libde265 would print "SPS error" to stderr and fail
};

// Parses an SPS NAL unit (with its 2-byte header) exactly as libde265 1.0.11 does, as far as
// the fields above; anything that is not an SPS, or that libde265 rejects early, gives {}.
HevcSps ParseHevcSps(std::span<const uint8_t> nal);

// Fails with kResourceExhausted when any coded picture, grid or overlay canvas in the file is
// over `limits`, and with kInvalidArgument for an HEVC SPS libde265 cannot decode (and would
// complain about on stderr) or an item table too large to be genuine.
Status PrecheckHeif(std::span<const uint8_t> file, const DecodeLimits& limits);

}  // namespace vigil::media::internal

#endif  // VIGIL_MEDIA_HEIF_PRECHECK_H_
