// Size checks on HEIF/AVIF coded data before libheif decodes it; see heif_precheck.h.
#include "media/heif_precheck.h"

#include <fmt/format.h>

#include <vector>

#include "media/decoders.h"
#include "media/heif_container.h"

namespace vigil::media::internal {
namespace {

// Only the start of a parameter set is parsed; the fields we need come well before this.
constexpr size_t kHeaderBytes = 1024;

Status CheckSize(std::string_view what, int64_t width, int64_t height, const DecodeLimits& limits) {
  if (width <= 0 || height <= 0) return Status::Ok();  // libheif reports those itself
  return CheckDimensions(what, width, height, limits);
}

Status CheckHevcNal(std::span<const uint8_t> nal, const DecodeLimits& limits) {
  const HevcSps sps = ParseHevcSps(nal);
  if (sps.would_print_error) {
    return InvalidArgumentError("HEIF: HEVC sequence parameter set is invalid");
  }
  if (!sps.valid_size) return Status::Ok();
  return CheckSize("HEIF (HEVC parameter set)", sps.width, sps.height, limits);
}

// HEVCDecoderConfigurationRecord (ISO/IEC 14496-15): 22 bytes of fields, then arrays of
// NAL units with 16-bit lengths. libheif passes all of them to libde265.
Status CheckHvcc(std::span<const uint8_t> record, const DecodeLimits& limits) {
  if (record.size() < 23) return Status::Ok();
  const size_t arrays = record[22];
  size_t at = 23;
  for (size_t a = 0; a < arrays && at + 3 <= record.size(); ++a) {
    const size_t count = (size_t{record[at + 1]} << 8) | record[at + 2];
    at += 3;
    for (size_t n = 0; n < count && at + 2 <= record.size(); ++n) {
      const size_t length = (size_t{record[at]} << 8) | record[at + 1];
      at += 2;
      if (length > record.size() - at) return Status::Ok();
      RETURN_IF_ERROR(CheckHevcNal(record.subspan(at, length), limits));
      at += length;
    }
  }
  return Status::Ok();
}

// An hvc1 item's data as libheif's libde265 plugin reads it: NAL units with 4-byte lengths.
// If a length overruns the data the plugin fails before decoding anything, so we stop too.
Status CheckHevcItem(const HeifItem& item, const DecodeLimits& limits) {
  ExtentReader reader(item.extents);
  std::vector<uint8_t> bytes;
  while (reader.Read(4, &bytes)) {
    const uint64_t length = (uint64_t{bytes[0]} << 24) | (uint64_t{bytes[1]} << 16) |
                            (uint64_t{bytes[2]} << 8) | bytes[3];
    const size_t head = static_cast<size_t>(std::min<uint64_t>(length, kHeaderBytes));
    if (!reader.Read(head, &bytes) || !reader.Skip(length - head)) return Status::Ok();
    RETURN_IF_ERROR(CheckHevcNal(bytes, limits));
  }
  return Status::Ok();
}

// AV1 bit reader (spec section 4.10): f(n) most significant bit first; `ok` turns false when
// reading past the end.
struct Av1Bits {
  std::span<const uint8_t> data;
  size_t pos = 0;
  bool ok = true;
  uint64_t F(int n) {
    uint64_t v = 0;
    for (int i = 0; i < n; ++i, ++pos) {
      if (pos / 8 >= data.size()) {
        ok = false;
        return 0;
      }
      v = (v << 1) | ((data[pos / 8] >> (7 - pos % 8)) & 1);
    }
    return v;
  }
  void Uvlc() {
    int zeros = 0;
    while (ok && F(1) == 0) ++zeros;
    if (zeros < 32) F(zeros);
  }
};

// sequence_header_obu() (AV1 spec 5.5.1) up to max_frame_width/height, which bound every
// frame libaom will accept.
Status CheckAv1SequenceHeader(std::span<const uint8_t> payload, const DecodeLimits& limits) {
  Av1Bits b{payload};
  b.F(3);             // seq_profile
  b.F(1);             // still_picture
  if (b.F(1) != 0) {  // reduced_still_picture_header
    b.F(5);
  } else {
    bool decoder_model_info = false;
    int buffer_delay_bits = 0;
    if (b.F(1) != 0) {  // timing_info_present_flag
      b.F(32);
      b.F(32);
      if (b.F(1) != 0) b.Uvlc();  // equal_picture_interval
      decoder_model_info = b.F(1) != 0;
      if (decoder_model_info) {
        buffer_delay_bits = static_cast<int>(b.F(5)) + 1;
        b.F(32);
        b.F(10);
      }
    }
    const bool display_delay = b.F(1) != 0;
    const int operating_points = static_cast<int>(b.F(5)) + 1;
    for (int i = 0; i < operating_points && b.ok; ++i) {
      b.F(12);
      if (b.F(5) > 7) b.F(1);  // seq_level_idx, seq_tier
      if (decoder_model_info && b.F(1) != 0) b.F(2 * buffer_delay_bits + 1);
      if (display_delay && b.F(1) != 0) b.F(4);
    }
  }
  const int width_bits = static_cast<int>(b.F(4)) + 1;
  const int height_bits = static_cast<int>(b.F(4)) + 1;
  const int64_t width = static_cast<int64_t>(b.F(width_bits)) + 1;
  const int64_t height = static_cast<int64_t>(b.F(height_bits)) + 1;
  if (!b.ok) return Status::Ok();  // libaom rejects a truncated header
  return CheckSize("HEIF (AV1 sequence header)", width, height, limits);
}

// Reads OBU headers (spec 5.3) and checks every sequence header.
Status CheckAv1Obus(const std::vector<std::span<const uint8_t>>& extents,
                    const DecodeLimits& limits) {
  ExtentReader reader(extents);
  std::vector<uint8_t> bytes;
  while (reader.Read(1, &bytes)) {
    const uint8_t header = bytes[0];
    const int type = (header >> 3) & 15;
    if ((header & 4) != 0 && !reader.Skip(1)) return Status::Ok();  // extension header
    if ((header & 2) == 0) return Status::Ok();  // no size field: AVIF requires one
    uint64_t size = 0;
    for (int i = 0; i < 8; ++i) {  // leb128
      if (!reader.Read(1, &bytes)) return Status::Ok();
      size |= uint64_t{bytes[0] & 0x7fu} << (7 * i);
      if ((bytes[0] & 0x80) == 0) break;
    }
    const size_t head = static_cast<size_t>(std::min<uint64_t>(size, kHeaderBytes));
    if (!reader.Read(head, &bytes) || !reader.Skip(size - head)) return Status::Ok();
    if (type == 1) RETURN_IF_ERROR(CheckAv1SequenceHeader(bytes, limits));
  }
  return Status::Ok();
}

// 'grid' (ISO/IEC 23008-12 6.6.2.3.2) and 'iovl' (6.6.2.2.2) items carry the canvas size
// libheif allocates: after version and flags (and, for iovl, four 16-bit fill values), a
// width and height of 16 bits, or 32 when flags bit 0 is set.
Status CheckCanvasItem(const HeifItem& item, bool overlay, const DecodeLimits& limits) {
  ExtentReader reader(item.extents);
  std::vector<uint8_t> bytes;
  if (!reader.Read(2, &bytes)) return Status::Ok();
  const size_t field = (bytes[1] & 1) != 0 ? 4 : 2;
  if (!reader.Skip(overlay ? 8 : 2) || !reader.Read(2 * field, &bytes)) return Status::Ok();
  int64_t width = 0, height = 0;
  for (size_t i = 0; i < field; ++i) {
    width = (width << 8) | bytes[i];
    height = (height << 8) | bytes[field + i];
  }
  return CheckSize(overlay ? "HEIF overlay canvas" : "HEIF grid canvas", width, height, limits);
}

bool TypeIs(const HeifItem& item, const char (&name)[5]) {
  return std::equal(item.type.begin(), item.type.end(), name);
}

}  // namespace

Status PrecheckHeif(std::span<const uint8_t> file, const DecodeLimits& limits) {
  const HeifContainer container = ReadHeifContainer(file);
  if (container.too_large) return InvalidArgumentError("HEIF item table is implausibly large");
  for (std::span<const uint8_t> hvcc : container.hvcc) RETURN_IF_ERROR(CheckHvcc(hvcc, limits));
  for (std::span<const uint8_t> av1c : container.av1c) {
    // AV1CodecConfigurationRecord: 4 bytes of fields, then configOBUs.
    if (av1c.size() > 4) RETURN_IF_ERROR(CheckAv1Obus({av1c.subspan(4)}, limits));
  }
  for (const HeifItem& item : container.items) {
    if (TypeIs(item, "hvc1")) RETURN_IF_ERROR(CheckHevcItem(item, limits));
    if (TypeIs(item, "av01")) RETURN_IF_ERROR(CheckAv1Obus(item.extents, limits));
    if (TypeIs(item, "grid")) RETURN_IF_ERROR(CheckCanvasItem(item, false, limits));
    if (TypeIs(item, "iovl")) RETURN_IF_ERROR(CheckCanvasItem(item, true, limits));
  }
  return Status::Ok();
}

}  // namespace vigil::media::internal
