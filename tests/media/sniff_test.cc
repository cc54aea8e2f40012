// SniffMediaType: the type comes from magic bytes only.
#include <gtest/gtest.h>

#include <string>
#include <string_view>
#include <vector>

#include "media/media.h"

namespace vigil::media {
namespace {

// Bytes of a string literal, embedded NULs included.
template <size_t N>
std::vector<uint8_t> B(const char (&s)[N]) {
  return {s, s + N - 1};
}

// An ISO-BMFF ftyp box with the given major and compatible brands, then a little padding.
std::vector<uint8_t> Ftyp(std::string_view major, std::vector<std::string_view> compatible) {
  const uint32_t size = 16 + 4 * static_cast<uint32_t>(compatible.size());
  std::vector<uint8_t> out = {0, 0, static_cast<uint8_t>(size >> 8), static_cast<uint8_t>(size)};
  for (std::string_view part : {std::string_view("ftyp"), major, std::string_view("\0\0\0\0", 4)}) {
    out.insert(out.end(), part.begin(), part.end());
  }
  for (std::string_view brand : compatible) out.insert(out.end(), brand.begin(), brand.end());
  out.resize(out.size() + 16, 0);
  return out;
}

TEST(SniffMediaTypeTest, RecognisesEachImageFormatByMagic) {
  EXPECT_EQ(SniffMediaType(B("\xFF\xD8\xFF\xE0\0\x10JFIF")), MediaType::kJpeg);
  EXPECT_EQ(SniffMediaType(B("\x89PNG\r\n\x1A\n\0\0\0\rIHDR")), MediaType::kPng);
  EXPECT_EQ(SniffMediaType(B("GIF87a\x01\0\x01\0")), MediaType::kGif);
  EXPECT_EQ(SniffMediaType(B("GIF89a\x01\0\x01\0")), MediaType::kGif);
  EXPECT_EQ(SniffMediaType(B("RIFF\x24\0\0\0WEBPVP8 ")), MediaType::kWebp);
  EXPECT_EQ(SniffMediaType(B("BM\x46\0\0\0\0\0\0\0\x36\0\0\0\x28\0\0\0")), MediaType::kBmp);
  EXPECT_EQ(SniffMediaType(B("II*\0\x08\0\0\0")), MediaType::kTiff);
  EXPECT_EQ(SniffMediaType(B("MM\0*\0\0\0\x08")), MediaType::kTiff);
  EXPECT_EQ(SniffMediaType(B("II+\0\x08\0\0\0")), MediaType::kTiff);  // BigTIFF
}

TEST(SniffMediaTypeTest, RecognisesHeifAndAvifBrands) {
  EXPECT_EQ(SniffMediaType(Ftyp("heic", {"mif1", "heic"})), MediaType::kHeif);
  EXPECT_EQ(SniffMediaType(Ftyp("heix", {"mif1"})), MediaType::kHeif);
  EXPECT_EQ(SniffMediaType(Ftyp("mif1", {"heic"})), MediaType::kHeif);
  EXPECT_EQ(SniffMediaType(Ftyp("avif", {"avif", "mif1", "miaf"})), MediaType::kHeif);
  // Unknown major brand: a HEIF compatible brand decides.
  EXPECT_EQ(SniffMediaType(Ftyp("miaf", {"isom", "avif"})), MediaType::kHeif);
}

TEST(SniffMediaTypeTest, RecognisesVideoContainers) {
  EXPECT_EQ(SniffMediaType(Ftyp("isom", {"isom", "iso2", "avc1", "mp41"})), MediaType::kVideo);
  EXPECT_EQ(SniffMediaType(Ftyp("mp42", {"mp42", "isom"})), MediaType::kVideo);
  EXPECT_EQ(SniffMediaType(Ftyp("qt  ", {"qt  "})), MediaType::kVideo);
  EXPECT_EQ(SniffMediaType(Ftyp("abcd", {"mp41"})), MediaType::kVideo);
  EXPECT_EQ(SniffMediaType(B("\x1A\x45\xDF\xA3\x9F\x42\x86\x81\x01webm")), MediaType::kVideo);
  EXPECT_EQ(SniffMediaType(B("RIFF\0\x10\0\0AVI LIST")), MediaType::kVideo);
  EXPECT_EQ(SniffMediaType(B("FLV\x01\x05\0\0\0\x09")), MediaType::kVideo);
  EXPECT_EQ(SniffMediaType(B("\0\0\x01\xBA\x44\0\x04\0")), MediaType::kVideo);
  EXPECT_EQ(SniffMediaType(B("\0\0\0\x20moov\0\0\0\0")), MediaType::kVideo);
}

TEST(SniffMediaTypeTest, UnknownForTextEmptyAndNearMisses) {
  EXPECT_EQ(SniffMediaType({}), MediaType::kUnknown);
  EXPECT_EQ(SniffMediaType(B("hello, world\n")), MediaType::kUnknown);
  EXPECT_EQ(SniffMediaType(B("BMW drivers club newsletter")), MediaType::kUnknown);
  EXPECT_EQ(SniffMediaType(B("\xFF\xD8")), MediaType::kUnknown);              // too short for JPEG
  EXPECT_EQ(SniffMediaType(B("RIFF\0\0\0\0WAVEfmt ")), MediaType::kUnknown);  // audio
  EXPECT_EQ(SniffMediaType(B("GIF90a")), MediaType::kUnknown);
  EXPECT_EQ(SniffMediaType(Ftyp("abcd", {"efgh"})), MediaType::kUnknown);
}

TEST(SniffMediaTypeTest, IgnoresTrailingBytesAndNeverReadsPastTheEnd) {
  // Every prefix of a valid header must be safe to sniff (run under ASan in CI builds).
  const std::vector<uint8_t> heic = Ftyp("heic", {"mif1"});
  for (size_t n = 0; n <= heic.size(); ++n) {
    SniffMediaType(std::span<const uint8_t>(heic.data(), n));
  }
  EXPECT_EQ(SniffMediaType(std::span<const uint8_t>(heic.data(), 15)), MediaType::kUnknown);
}

TEST(MediaTypeNameTest, NamesEveryType) {
  EXPECT_EQ(MediaTypeName(MediaType::kUnknown), "unknown");
  EXPECT_EQ(MediaTypeName(MediaType::kJpeg), "jpeg");
  EXPECT_EQ(MediaTypeName(MediaType::kPng), "png");
  EXPECT_EQ(MediaTypeName(MediaType::kGif), "gif");
  EXPECT_EQ(MediaTypeName(MediaType::kWebp), "webp");
  EXPECT_EQ(MediaTypeName(MediaType::kBmp), "bmp");
  EXPECT_EQ(MediaTypeName(MediaType::kTiff), "tiff");
  EXPECT_EQ(MediaTypeName(MediaType::kHeif), "heif");
  EXPECT_EQ(MediaTypeName(MediaType::kVideo), "video");
}

}  // namespace
}  // namespace vigil::media
