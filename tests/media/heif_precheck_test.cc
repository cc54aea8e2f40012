// The HEIF pre-check: sizes declared in coded data (HEVC SPS, AV1 sequence header, grid
// canvas) are checked before libheif decodes, and an SPS libde265 would complain about on
// stderr is refused. Inputs are built bit by bit here, so each test shows exactly what a
// hostile file would contain.
#include "media/heif_precheck.h"

#include <gtest/gtest.h>

#include <string_view>
#include <vector>

#include "media/media.h"

namespace vigil::media::internal {
namespace {

using Bytes = std::vector<uint8_t>;

class BitWriter {
 public:
  void Put(uint64_t value, int bits) {
    for (int i = bits - 1; i >= 0; --i) PutBit((value >> i) & 1);
  }
  void Ue(uint64_t value) {  // Exp-Golomb
    const uint64_t v = value + 1;
    int bits = 0;
    while ((v >> bits) > 1) ++bits;
    Put(0, bits);
    Put(v, bits + 1);
  }
  Bytes Finish() {  // rbsp_trailing_bits
    PutBit(1);
    while (count_ % 8 != 0) PutBit(0);
    return bytes_;
  }

 private:
  void PutBit(uint64_t bit) {
    if (count_ % 8 == 0) bytes_.push_back(0);
    bytes_.back() |= static_cast<uint8_t>(bit << (7 - count_ % 8));
    ++count_;
  }
  Bytes bytes_;
  size_t count_ = 0;
};

struct SpsFields {
  uint64_t width = 64, height = 64;
  uint64_t depth_inter = 1;
};

// An SPS NAL unit: 8x8 minimum coding blocks, 16x16 CTBs, 4x4 to 8x8 transforms.
Bytes Sps(const SpsFields& f) {
  BitWriter w;
  w.Put(0x4201, 16);                         // NAL header: type 33
  w.Put(0, 4);                               // vps id
  w.Put(0, 3);                               // one sub-layer
  w.Put(1, 1);                               // temporal id nesting
  w.Put(0, 32), w.Put(0, 32), w.Put(0, 32);  // profile_tier_level: 96 bits
  w.Ue(0);                                   // sps id
  w.Ue(1);                                   // 4:2:0
  w.Ue(f.width);
  w.Ue(f.height);
  w.Put(0, 1);                // no conformance window
  w.Ue(0), w.Ue(0), w.Ue(4);  // bit depths 8, 8; POC lsb bits 8
  w.Put(1, 1);                // sub-layer ordering info
  w.Ue(0), w.Ue(0), w.Ue(0);
  w.Ue(0), w.Ue(1), w.Ue(0), w.Ue(1);  // min CB 8, CTB 16, min TB 4, max TB 8
  w.Ue(f.depth_inter);
  w.Ue(1);  // depth intra
  return w.Finish();
}

TEST(ParseHevcSpsTest, ReadsPictureSize) {
  const HevcSps sps = ParseHevcSps(Sps({.width = 640, .height = 480}));
  EXPECT_TRUE(sps.valid_size);
  EXPECT_EQ(sps.width, 640);
  EXPECT_EQ(sps.height, 480);
  EXPECT_FALSE(sps.would_print_error);
}

TEST(ParseHevcSpsTest, FlagsTheSpsLibde265PrintsAbout) {
  EXPECT_TRUE(ParseHevcSps(Sps({.width = 60, .height = 64})).would_print_error);  // CB alignment
  EXPECT_TRUE(ParseHevcSps(Sps({.depth_inter = 5})).would_print_error);           // hierarchy depth
  EXPECT_FALSE(ParseHevcSps(Bytes{0x40, 0x01, 0x0c}).valid_size);   // a VPS, not an SPS
  EXPECT_FALSE(ParseHevcSps(Bytes{0x42, 0x01}).would_print_error);  // empty SPS
}

// --- ISO-BMFF builders ---

void Be(Bytes* out, uint64_t v, int bytes) {
  for (int i = bytes - 1; i >= 0; --i) out->push_back(static_cast<uint8_t>(v >> (8 * i)));
}
Bytes Box(std::string_view type, const Bytes& payload, int version_flags = -1) {
  Bytes out;
  out.reserve(payload.size() + 16);  // also keeps GCC 12's -Wstringop-overflow quiet
  Be(&out, payload.size() + 8 + (version_flags >= 0 ? 4 : 0), 4);
  out.insert(out.end(), type.begin(), type.end());
  if (version_flags >= 0) Be(&out, static_cast<uint64_t>(version_flags), 4);
  out.insert(out.end(), payload.begin(), payload.end());
  return out;
}
Bytes Cat(std::initializer_list<Bytes> parts) {
  Bytes out;
  for (const Bytes& p : parts) out.insert(out.end(), p.begin(), p.end());
  return out;
}

Bytes Ftyp() { return Box("ftyp", {'h', 'e', 'i', 'c', 0, 0, 0, 0, 'm', 'i', 'f', '1'}); }

// One item of `type` whose data is `data`, stored in idat (construction method 1).
Bytes MetaWithItem(std::string_view type, const Bytes& data, const Bytes& properties) {
  Bytes infe_payload = {0, 1, 0, 0};  // item id 1, protection index 0
  infe_payload.insert(infe_payload.end(), type.begin(), type.end());
  const Bytes iinf = Box("iinf", Cat({{0, 1}, Box("infe", infe_payload, 2 << 24)}), 0);
  Bytes iloc_payload = {0x44, 0x00, 0, 1, 0, 1, 0, 1, 0, 0, 0, 1};  // v1: 4-byte fields, method 1
  Be(&iloc_payload, 0, 4);                                          // extent offset in idat
  Be(&iloc_payload, data.size(), 4);                                // extent length
  const Bytes iloc = Box("iloc", iloc_payload, 1 << 24);
  const Bytes iprp = Box("iprp", Box("ipco", properties));
  return Box("meta", Cat({iinf, iloc, iprp, Box("idat", data)}), 0);
}

Status Precheck(const Bytes& file) { return PrecheckHeif(file, DecodeLimits{}); }

TEST(PrecheckHeifTest, HugeGridCanvasIsRefused) {
  const Bytes grid = {0, 0, 0, 0, 0xEA, 0x60, 0xEA, 0x60};  // 1x1 tiles, canvas 60000 x 60000
  const Bytes file = Cat({Ftyp(), MetaWithItem("grid", grid, {})});
  EXPECT_EQ(Precheck(file).code(), StatusCode::kResourceExhausted);
  // DecodeImage runs the check before libheif allocates the canvas.
  EXPECT_EQ(DecodeImage(file, DecodeLimits{}).status().code(), StatusCode::kResourceExhausted);
  const Bytes small = {0, 0, 0, 0, 0x01, 0x00, 0x01, 0x00};  // 256 x 256
  EXPECT_TRUE(Precheck(Cat({Ftyp(), MetaWithItem("grid", small, {})})).ok());
}

Bytes Hvcc(const Bytes& nal) {
  Bytes record(22, 0);
  record.push_back(1);   // one array
  record.push_back(33);  // of SPS
  Be(&record, 1, 2);
  Be(&record, nal.size(), 2);
  record.insert(record.end(), nal.begin(), nal.end());
  return Box("hvcC", record);
}

TEST(PrecheckHeifTest, HugeHevcPictureIsRefused) {
  const Bytes tiny_item = {0, 0, 0, 0};
  const auto file = [&](const SpsFields& f) {
    return Cat({Ftyp(), MetaWithItem("hvc1", tiny_item, Hvcc(Sps(f)))});
  };
  EXPECT_TRUE(Precheck(file({.width = 640, .height = 480})).ok());
  EXPECT_EQ(Precheck(file({.width = 40000, .height = 40000})).code(),
            StatusCode::kResourceExhausted);
  EXPECT_EQ(Precheck(file({.width = 60, .height = 64})).code(), StatusCode::kInvalidArgument);
}

TEST(PrecheckHeifTest, SpsInsideTheItemDataIsCheckedToo) {
  const Bytes sps = Sps({.width = 40000, .height = 40000});
  Bytes item;
  item.reserve(sps.size() + 4);
  Be(&item, sps.size(), 4);  // libheif's NAL length prefix
  item.insert(item.end(), sps.begin(), sps.end());
  EXPECT_EQ(Precheck(Cat({Ftyp(), MetaWithItem("hvc1", item, {})})).code(),
            StatusCode::kResourceExhausted);
}

// av1C: 4 bytes of fields, then a sequence header OBU (reduced still-picture header) with
// 16-bit frame size fields.
Bytes Av1c(uint64_t width, uint64_t height) {
  BitWriter w;
  w.Put(0, 3), w.Put(1, 1), w.Put(1, 1), w.Put(0, 5);  // profile, still, reduced, level
  w.Put(15, 4), w.Put(15, 4);                          // 16-bit width and height fields
  w.Put(width - 1, 16), w.Put(height - 1, 16);
  const Bytes header = w.Finish();
  Bytes record = {0x81, 0, 0, 0, 0x0A, static_cast<uint8_t>(header.size())};
  record.insert(record.end(), header.begin(), header.end());
  return Box("av1C", record);
}

TEST(PrecheckHeifTest, HugeAv1SequenceHeaderIsRefused) {
  const Bytes tiny_item = {0x12, 0x00};  // a temporal delimiter OBU
  EXPECT_TRUE(Precheck(Cat({Ftyp(), MetaWithItem("av01", tiny_item, Av1c(640, 480))})).ok());
  EXPECT_EQ(Precheck(Cat({Ftyp(), MetaWithItem("av01", tiny_item, Av1c(40000, 40000))})).code(),
            StatusCode::kResourceExhausted);
}

TEST(PrecheckHeifTest, GarbageAndTruncationAreLeftToLibheif) {
  const Bytes grid = {0, 0, 0, 0, 0xEA, 0x60, 0xEA, 0x60};
  const Bytes file = Cat({Ftyp(), MetaWithItem("grid", grid, Hvcc(Sps({})))});
  for (size_t n = 0; n < file.size(); ++n) {
    const Status status = Precheck(Bytes(file.begin(), file.begin() + n));
    EXPECT_TRUE(status.ok() || status.code() == StatusCode::kResourceExhausted) << n;
  }
}

}  // namespace
}  // namespace vigil::media::internal
