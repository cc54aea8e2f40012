// Hostile and broken input, for every format: DecodeImage must return a clear Status and never
// crash, hang, allocate from an absurd header, or silently return wrong pixels.
#include <gtest/gtest.h>
#include <png.h>
#include <tiffio.h>
#include <zlib.h>

#include <functional>
#include <random>
#include <string>

#include "media/media.h"
#include "media/test_encoders.h"

namespace vigil::media {
namespace {

using namespace testing;  // NOLINT(google-build-using-namespace): the test encoders

void PutBe32(std::vector<uint8_t>* b, size_t at, uint32_t v) {
  for (int i = 0; i < 4; ++i) (*b)[at + i] = static_cast<uint8_t>(v >> (24 - 8 * i));
}
void PutLe32(std::vector<uint8_t>* b, size_t at, uint32_t v) {
  for (int i = 0; i < 4; ++i) (*b)[at + i] = static_cast<uint8_t>(v >> (8 * i));
}
void PutLe16(std::vector<uint8_t>* b, size_t at, uint16_t v) {
  (*b)[at] = static_cast<uint8_t>(v);
  (*b)[at + 1] = static_cast<uint8_t>(v >> 8);
}
size_t Find(const std::vector<uint8_t>& b, std::string_view what, size_t from = 0) {
  for (size_t i = from; i + what.size() <= b.size(); ++i) {
    if (std::equal(what.begin(), what.end(), b.begin() + i,
                   [](char c, uint8_t u) { return static_cast<uint8_t>(c) == u; })) {
      return i;
    }
  }
  ADD_FAILURE() << "marker not found: " << what;
  return 0;
}

std::vector<uint8_t> Pattern(size_t n) {
  std::vector<uint8_t> out(n);
  for (size_t i = 0; i < n; ++i) out[i] = static_cast<uint8_t>((i * 73) ^ (i >> 3));
  return out;
}

// One valid small file per format, and how to make its header declare an absurd size.
struct Case {
  std::string name;
  std::function<Bytes()> make;
  std::function<void(Bytes*)> make_huge;  // must give kResourceExhausted
};

std::vector<Case> Cases() {
  std::vector<Case> cases;
  cases.push_back({"Png",
                   [] {
                     PngSpec spec;
                     spec.width = 9;
                     spec.height = 7;
                     spec.color_type = PNG_COLOR_TYPE_RGB;
                     for (uint8_t v : Pattern(9 * 7 * 3)) spec.samples.push_back(v);
                     return EncodePng(spec);
                   },
                   [](Bytes* b) {  // IHDR width/height, then a valid CRC so only size is wrong
                     PutBe32(b, 16, 100000);
                     PutBe32(b, 20, 100000);
                     PutBe32(b, 29, static_cast<uint32_t>(crc32(0, b->data() + 12, 17)));
                   }});
  cases.push_back({"Jpeg",
                   [] {
                     JpegSpec spec;
                     spec.width = 24;
                     spec.height = 16;
                     spec.samples = Pattern(24 * 16 * 3);
                     return EncodeJpeg(spec);
                   },
                   [](Bytes* b) {  // SOF0: FF C0, length, precision, height, width
                     const size_t sof = Find(*b, "\xFF\xC0");
                     (*b)[sof + 5] = (*b)[sof + 7] = 0xFD;
                     (*b)[sof + 6] = (*b)[sof + 8] = 0xE8;  // 65000 x 65000
                   }});
  cases.push_back(
      {"Gif",
       [] {
         GifFrame frame;
         frame.width = 8;
         frame.height = 6;
         for (uint8_t v : Pattern(48)) frame.indices.push_back(v % 4);
         return EncodeGif(8, 6, {{0, 0, 0}, {9, 9, 9}, {99, 0, 0}, {0, 99, 0}}, {frame});
       },
       [](Bytes* b) {  // image descriptor: ',' left top width height
         const size_t desc = Find(*b, ",", 13 + 12);
         PutLe16(b, desc + 5, 65535);
         PutLe16(b, desc + 7, 65535);
       }});
  cases.push_back({"Webp", [] { return EncodeWebpLossless(6, 5, Pattern(6 * 5 * 4)); },
                   [](Bytes* b) {  // VP8L: 14-bit width-1 and height-1 after the 0x2F byte
                     const size_t sig = Find(*b, "VP8L") + 8;
                     uint32_t bits = (*b)[sig + 1] | ((*b)[sig + 2] << 8) | ((*b)[sig + 3] << 16) |
                                     (uint32_t{(*b)[sig + 4]} << 24);
                     bits |= 0x0FFFFFFF;  // 16384 x 16384
                     PutLe32(b, sig + 1, bits);
                   }});
  cases.push_back({"Bmp",
                   [] {
                     BmpSpec spec;
                     spec.width = 5;
                     spec.height = 3;
                     spec.pixel_data = Pattern(16 * 3);
                     return BuildBmp(spec);
                   },
                   [](Bytes* b) {
                     PutLe32(b, 18, 100000);
                     PutLe32(b, 22, 100000);
                   }});
  cases.push_back({"Tiff",
                   [] {
                     TiffSpec spec;
                     spec.width = 7;
                     spec.height = 5;
                     spec.compression = COMPRESSION_LZW;
                     spec.data = Pattern(7 * 5 * 3);
                     return EncodeTiff(spec);
                   },
                   [](Bytes* b) {  // rewrite the ImageWidth/ImageLength IFD entries as LONGs
                     const uint32_t ifd =
                         (*b)[4] | ((*b)[5] << 8) | ((*b)[6] << 16) | (uint32_t{(*b)[7]} << 24);
                     const uint16_t n = static_cast<uint16_t>((*b)[ifd] | ((*b)[ifd + 1] << 8));
                     for (uint16_t i = 0; i < n; ++i) {
                       const size_t entry = ifd + 2 + 12 * size_t{i};
                       const uint16_t tag =
                           static_cast<uint16_t>((*b)[entry] | ((*b)[entry + 1] << 8));
                       if (tag != TIFFTAG_IMAGEWIDTH && tag != TIFFTAG_IMAGELENGTH) continue;
                       PutLe16(b, entry + 2, TIFF_LONG);
                       PutLe32(b, entry + 8, 100000);
                     }
                   }});
  cases.push_back({"Heif",
                   [] {
                     std::vector<uint8_t> rgb = Pattern(16 * 16 * 3);
                     return EncodeHeif(16, 16, rgb, /*avif=*/false);
                   },
                   [](Bytes* b) {  // 'ispe': version/flags, then 32-bit width and height
                     const size_t ispe = Find(*b, "ispe");
                     PutBe32(b, ispe + 8, 100000);
                     PutBe32(b, ispe + 12, 100000);
                   }});
  return cases;
}

class BadInputTest : public ::testing::TestWithParam<Case> {
 protected:
  // Skips the test when this build cannot encode a sample (HEIF without an encoder plugin).
  void SetUp() override {
    sample_ = GetParam().make();
    if (sample_.empty()) GTEST_SKIP() << "no encoder for " << GetParam().name;
  }
  const Bytes& Sample() const { return sample_; }

 private:
  Bytes sample_;
};

bool IsExpectedFailure(StatusCode code) {
  return code == StatusCode::kInvalidArgument || code == StatusCode::kUnimplemented ||
         code == StatusCode::kResourceExhausted;
}

TEST_P(BadInputTest, ValidSampleDecodes) {
  const Result<Image> image = DecodeImage(Sample(), DecodeLimits{});
  EXPECT_TRUE(image.ok()) << image.status().ToString();
}

TEST_P(BadInputTest, EveryTruncationFailsCleanlyOrDecodesTheSamePixels) {
  const Bytes bytes = Sample();
  const Result<Image> whole = DecodeImage(bytes, DecodeLimits{});
  ASSERT_TRUE(whole.ok());
  int failures = 0;
  for (size_t keep = 0; keep < bytes.size(); ++keep) {
    const Result<Image> part = DecodeImage(std::span(bytes.data(), keep), DecodeLimits{});
    if (part.ok()) {
      // Only trailing bytes the decoder never needs may go (e.g. a GIF trailer).
      EXPECT_EQ(part->pixels, whole->pixels) << "prefix of " << keep << " bytes";
    } else {
      ++failures;
      EXPECT_EQ(part.status().code(), StatusCode::kInvalidArgument)
          << keep << ": " << part.status().ToString();
      EXPECT_FALSE(part.status().message().empty());
    }
  }
  EXPECT_GT(failures, static_cast<int>(bytes.size()) / 2);
}

TEST_P(BadInputTest, AbsurdDeclaredSizeIsRejectedBeforeAllocation) {
  Bytes bytes = Sample();
  GetParam().make_huge(&bytes);
  const Result<Image> result = DecodeImage(bytes, DecodeLimits{});
  EXPECT_EQ(result.status().code(), StatusCode::kResourceExhausted) << result.status().ToString();
}

TEST_P(BadInputTest, TightLimitsAreEnforced) {
  const Bytes bytes = Sample();
  DecodeLimits limits;
  limits.max_dimension = 4;
  EXPECT_EQ(DecodeImage(bytes, limits).status().code(), StatusCode::kResourceExhausted);
  limits = DecodeLimits{};
  limits.max_pixels = 10;
  EXPECT_EQ(DecodeImage(bytes, limits).status().code(), StatusCode::kResourceExhausted);
  limits = DecodeLimits{};
  limits.max_input_bytes = bytes.size() - 1;
  EXPECT_EQ(DecodeImage(bytes, limits).status().code(), StatusCode::kResourceExhausted);
}

TEST_P(BadInputTest, CorruptedHeaderBytesNeverCrash) {
  const Bytes original = Sample();
  for (size_t i = 0; i < std::min<size_t>(original.size(), 96); ++i) {
    for (uint8_t mask : {0xFF, 0x80, 0x01}) {
      Bytes bytes = original;
      bytes[i] ^= mask;
      const Result<Image> result = DecodeImage(bytes, DecodeLimits{});
      if (!result.ok()) {
        EXPECT_TRUE(IsExpectedFailure(result.status().code()))
            << i << ": " << result.status().ToString();
      } else {
        EXPECT_EQ(result->pixels.size(), size_t(result->width) * result->height * result->channels);
      }
    }
  }
}

TEST_P(BadInputTest, RandomMutationsNeverCrashOrPrint) {
  const Bytes original = Sample();
  std::mt19937 rng(12345);
  ::testing::internal::CaptureStderr();
  for (int round = 0; round < 300; ++round) {
    Bytes bytes = original;
    const int edits = 1 + static_cast<int>(rng() % 8);
    for (int e = 0; e < edits; ++e) bytes[rng() % bytes.size()] = static_cast<uint8_t>(rng());
    const Result<Image> result = DecodeImage(bytes, DecodeLimits{});
    if (!result.ok()) {
      EXPECT_TRUE(IsExpectedFailure(result.status().code())) << result.status().ToString();
    }
  }
  // Codec libraries print warnings to stderr by default; media must silence all of them.
  EXPECT_EQ(::testing::internal::GetCapturedStderr(), "");
}

TEST_P(BadInputTest, MagicFollowedByRandomBytesIsInvalid) {
  const Bytes original = Sample();
  std::mt19937 rng(7);
  for (int round = 0; round < 50; ++round) {
    Bytes bytes(original.begin(), original.begin() + 16);  // keep the magic
    for (int i = 0; i < 200; ++i) bytes.push_back(static_cast<uint8_t>(rng()));
    const Result<Image> result = DecodeImage(bytes, DecodeLimits{});
    if (!result.ok()) {
      EXPECT_TRUE(IsExpectedFailure(result.status().code())) << result.status().ToString();
    }
  }
}

INSTANTIATE_TEST_SUITE_P(AllFormats, BadInputTest, ::testing::ValuesIn(Cases()),
                         [](const auto& info) { return info.param.name; });

TEST(BadInputTest, EmptyInputIsInvalid) {
  const Result<Image> result = DecodeImage({}, DecodeLimits{});
  EXPECT_EQ(result.status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(result.status().message(), "input is empty");
}

TEST(BadInputTest, TextAndRandomBytesAreNotImages) {
  const std::string text = "This is a plain text file, not an image.\n";
  EXPECT_EQ(DecodeImage(std::span(reinterpret_cast<const uint8_t*>(text.data()), text.size()),
                        DecodeLimits{})
                .status()
                .code(),
            StatusCode::kInvalidArgument);
  std::mt19937 rng(99);
  for (int round = 0; round < 100; ++round) {
    Bytes bytes(1 + rng() % 4096);
    for (uint8_t& b : bytes) b = static_cast<uint8_t>(rng());
    const Result<Image> result = DecodeImage(bytes, DecodeLimits{});
    if (!result.ok()) {
      EXPECT_TRUE(IsExpectedFailure(result.status().code()));
    }
  }
}

TEST(BadInputTest, VideoContainersAreUnimplemented) {
  const Bytes mp4 = {0,   0,   0, 0x18, 'f', 't', 'y', 'p', 'i', 's', 'o',
                     'm', 0,   0, 2,    0,   'i', 's', 'o', 'm', 'm', 'p',
                     '4', '1', 0, 0,    0,   8,   'f', 'r', 'e', 'e'};
  const Result<Image> result = DecodeImage(mp4, DecodeLimits{});
  EXPECT_EQ(result.status().code(), StatusCode::kUnimplemented);
  const Bytes mkv = {0x1A, 0x45, 0xDF, 0xA3, 0x01, 0, 0, 0, 0, 0, 0, 0x1F, 0x42, 0x86, 0x81, 1};
  EXPECT_EQ(DecodeImage(mkv, DecodeLimits{}).status().code(), StatusCode::kUnimplemented);
}

TEST(BadInputTest, ZeroSizedImagesAreInvalid) {
  BmpSpec bmp;
  bmp.width = 3;
  bmp.height = 0;
  bmp.pixel_data = Pattern(12);
  EXPECT_EQ(DecodeImage(BuildBmp(bmp), DecodeLimits{}).status().code(),
            StatusCode::kInvalidArgument);
  GifFrame frame;
  frame.width = 2;
  frame.height = 2;
  frame.indices = {0, 1, 1, 0};
  Bytes gif = EncodeGif(2, 2, {{0, 0, 0}, {1, 1, 1}}, {frame});
  const size_t desc = Find(gif, ",", 13 + 6);
  PutLe16(&gif, desc + 5, 0);
  EXPECT_EQ(DecodeImage(gif, DecodeLimits{}).status().code(), StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace vigil::media
