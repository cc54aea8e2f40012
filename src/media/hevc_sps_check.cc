// HEVC sequence parameter sets as libde265 reads them, for heif_precheck.cc. Two reasons to
// look at them before libheif does: the picture size they declare is what libde265 allocates
// (whatever the HEIF 'ispe' says), and libde265 1.0.11 writes "SPS error: ..." to stderr with
// fprintf, with no switch to silence it, when an SPS fails five sanity checks in
// seq_parameter_set::compute_derived_values(). Such an SPS can never be decoded, so the file is
// rejected first and libde265 never sees it.
//
// To stay exact, the SPS is parsed as libde265 parses it (sps.cc, vps.cc, bitstream.cc at tag
// v1.0.11): emulation-prevention bytes removed, bits past the end read as zeros, Exp-Golomb
// codes with more than 20 leading zeros rejected, and libde265's own early range checks
// applied (an SPS that fails those is rejected by libde265 silently; we leave it alone). The
// SPS syntax after the transform-depth fields is not parsed: libde265 prints only after
// parsing all of it, so we reject a few SPS that libde265 would reject silently instead. A
// valid SPS is never rejected.
#include <algorithm>
#include <cstdint>
#include <vector>

#include "media/heif_precheck.h"

namespace vigil::media::internal {
namespace {

// libde265's bitreader semantics: MSB first, zeros past the end.
class BitReader {
 public:
  explicit BitReader(std::span<const uint8_t> data) : data_(data) {}
  uint32_t Bits(int n) {
    uint32_t v = 0;
    for (int i = 0; i < n; ++i, ++pos_) {
      const size_t byte = pos_ / 8;
      const uint32_t bit = byte < data_.size() ? (data_[byte] >> (7 - pos_ % 8)) & 1 : 0;
      v = (v << 1) | bit;
    }
    return v;
  }
  void Skip(int n) { pos_ += static_cast<size_t>(n); }
  // get_uvlc(): -1 (UVLC_ERROR) after more than 20 leading zeros.
  int64_t Uvlc() {
    int zeros = 0;
    while (Bits(1) == 0) {
      if (++zeros > 20) return -1;
    }
    return zeros == 0 ? 0 : (int64_t{1} << zeros) - 1 + Bits(zeros);
  }

 private:
  std::span<const uint8_t> data_;
  size_t pos_ = 0;
};

// Parses an SPS payload (after the NAL header, emulation prevention already removed).
HevcSps ParseSps(std::span<const uint8_t> rbsp) {
  HevcSps sps;
  BitReader br(rbsp);
  br.Skip(4);  // video_parameter_set_id
  const int sub_layers = static_cast<int>(br.Bits(3)) + 1;
  if (sub_layers > 7) return sps;
  br.Skip(1);   // temporal_id_nesting
  br.Skip(96);  // general profile (88 bits) and level (8 bits)
  bool profile_present[8] = {}, level_present[8] = {};
  for (int i = 0; i < sub_layers - 1; ++i) {
    profile_present[i] = br.Bits(1) != 0;
    level_present[i] = br.Bits(1) != 0;
  }
  if (sub_layers > 1) br.Skip(2 * (8 - (sub_layers - 1)));
  for (int i = 0; i < sub_layers - 1; ++i) {
    if (profile_present[i]) br.Skip(88);
    if (level_present[i]) br.Skip(8);
  }
  const int64_t sps_id = br.Uvlc();
  if (sps_id < 0 || sps_id >= 16) return sps;
  const int64_t chroma_format = br.Uvlc();
  if (chroma_format == 3) br.Skip(1);  // separate_colour_plane_flag
  if (chroma_format < 0 || chroma_format > 3) return sps;
  const int64_t width = br.Uvlc(), height = br.Uvlc();
  if (width <= 0 || height <= 0 || width > 65535 || height > 65535) return sps;
  sps.valid_size = true;
  sps.width = width;
  sps.height = height;
  if (br.Bits(1) != 0) {  // conformance window
    for (int i = 0; i < 4; ++i) {
      if (br.Uvlc() < 0) return sps;
    }
  }
  const int64_t depth_luma = br.Uvlc(), depth_chroma = br.Uvlc();
  if (depth_luma < 0 || depth_chroma < 0 || depth_luma + 8 > 16 || depth_chroma + 8 > 16) {
    return sps;
  }
  const int64_t poc_bits = br.Uvlc();
  if (poc_bits < 0 || poc_bits + 4 > 16) return sps;
  const bool ordering_for_all = br.Bits(1) != 0;
  for (int i = ordering_for_all ? 0 : sub_layers - 1; i <= sub_layers - 1; ++i) {
    const int64_t buffering = br.Uvlc();
    if (buffering < 0 || buffering + 1 > 16) return sps;
    if (br.Uvlc() < 0 || br.Uvlc() < 0) return sps;
  }
  const int64_t min_cb = br.Uvlc(), diff_cb = br.Uvlc(), min_tb = br.Uvlc(), diff_tb = br.Uvlc(),
                depth_inter = br.Uvlc(), depth_intra = br.Uvlc();
  if (min_cb < 0 || diff_cb < 0 || min_tb < 0 || diff_tb < 0 || depth_inter < 0 ||
      depth_intra < 0) {
    return sps;
  }
  const int64_t log2_min_cb = min_cb + 3, log2_min_tb = min_tb + 2;
  const int64_t log2_ctb = log2_min_cb + diff_cb, log2_max_tb = log2_min_tb + diff_tb;
  if (log2_min_cb > 6 || log2_ctb > 6 || log2_min_tb > 5 || log2_max_tb > 5) return sps;
  // The checks of compute_derived_values() that print.
  sps.would_print_error =
      depth_inter > log2_ctb - log2_min_tb || depth_intra > log2_ctb - log2_min_tb ||
      width % (int64_t{1} << log2_min_cb) != 0 || height % (int64_t{1} << log2_min_cb) != 0 ||
      log2_min_tb > log2_min_cb || log2_max_tb > std::min<int64_t>(log2_ctb, 5);
  return sps;
}

// NAL unit payload without its 2-byte header and with 00 00 03 reduced to 00 00.
std::vector<uint8_t> Unescape(std::span<const uint8_t> nal) {
  std::vector<uint8_t> out;
  int zeros = 0;
  for (size_t i = 2; i < nal.size(); ++i) {
    if (zeros >= 2 && nal[i] == 3) {
      zeros = 0;
      continue;
    }
    zeros = nal[i] == 0 ? zeros + 1 : 0;
    out.push_back(nal[i]);
  }
  return out;
}

}  // namespace

HevcSps ParseHevcSps(std::span<const uint8_t> nal) {
  if (nal.size() < 2 || ((nal[0] >> 1) & 0x3f) != 33) return {};
  return ParseSps(Unescape(nal));
}

}  // namespace vigil::media::internal
