// Real files from the shared PDQ corpus (../shared/testdata/pdq): sizes and channel counts for
// every image, and pixel checksums for a few, all taken from ImageMagick 6.9.11-60 (the
// decoder the PDQ reference hashes through), an independent reference for our decoders.
#include <gtest/gtest.h>

#include <filesystem>
#include <string>

#include "media/media.h"
#include "media/test_encoders.h"

namespace vigil::media {
namespace {

const std::filesystem::path kImages =
    std::filesystem::path(VIGIL_SHARED_DIR) / "testdata" / "pdq" / "images";

struct Expected {
  const char* file;
  int width;
  int height;
  int channels;  // 1 where the source is greyscale (ImageMagick writes those as PGM)
};

// Width and height from `identify -format '%w %h'`.
constexpr Expected kAllImages[] = {
    {"01_aqua.jpg", 1024, 640, 3},
    {"02_blinds.jpg", 1024, 640, 3},
    {"04_freshflower.jpg", 1024, 770, 3},
    {"05_garden.jpg", 1024, 640, 3},
    {"06_greenmeadow.jpg", 1024, 819, 3},
    {"08_raindrops.jpg", 1024, 640, 3},
    {"09_storm.jpg", 1024, 683, 3},
    {"10_twowings.jpg", 1024, 640, 3},
    {"12_yellowflower.jpg", 1024, 640, 3},
    {"13_elephants.jpg", 1024, 576, 3},
    {"15_autumn.jpg", 1024, 640, 3},
    {"17_coldripple.jpg", 1024, 640, 1},
    {"18_colorfulcups.jpg", 1024, 640, 3},
    {"19_darkesthour.jpg", 1024, 640, 3},
    {"21_fallenleaf.jpg", 1024, 640, 3},
    {"22_grey.jpg", 1024, 640, 1},
    {"23_kite.jpg", 1024, 640, 3},
    {"25_path.jpg", 1024, 640, 3},
    {"26_summer_1am.jpg", 1024, 640, 3},
    {"28_safelanding.jpg", 577, 1024, 3},
    {"30_volna.jpg", 1024, 576, 3},
    {"32_milkyway.png", 576, 1024, 3},
    {"34_infinite-sea_by_aury88.jpg", 1024, 1024, 3},
    {"35_kleiber_by_lukas_baubkus.jpg", 1024, 576, 3},
    {"36_painting-colors_by_herobrine7gamer.jpg", 1024, 683, 3},
    {"38_firstgeneration.jpg", 1024, 675, 3},
    {"39_goldfish.jpg", 1024, 675, 3},
    {"44_city.jpg", 1024, 675, 3},
    {"46_coffee.jpg", 600, 400, 3},
    {"48_rocket.png", 640, 427, 3},
    {"49_hubble_deep_field.jpg", 1000, 872, 3},
    {"52_moon.png", 512, 512, 1},
    {"54_brick.jpg", 512, 512, 1},
    {"55_ihc.png", 512, 512, 3},
    {"58_sway_wallpaper_blue_1366x768.png", 640, 360, 3},
    {"59_ubuntu-mate-cold-no-logo.png", 640, 427, 3},
    {"e1_gray_blinds.jpg", 1024, 640, 1},
    {"e2_rgba_freshflower.png", 400, 301, 3},
    {"e3_tiny_aqua.jpg", 40, 30, 3},
    {"e4_progressive_garden.jpg", 1024, 640, 3},
    {"e5_cmyk_greenmeadow.jpg", 1024, 819, 3},
    {"e6_palette_storm.png", 800, 534, 3},
    {"e7_16bit_twowings.png", 320, 200, 3},
};

class RealFilesTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!std::filesystem::is_directory(kImages)) {
      GTEST_SKIP() << "shared test data not found at " << kImages;
    }
  }
  static Result<Image> Decode(const std::string& file) {
    const std::vector<uint8_t> bytes = testing::ReadFile((kImages / file).string());
    EXPECT_FALSE(bytes.empty()) << file;
    return DecodeImage(bytes, DecodeLimits{});
  }
};

TEST_F(RealFilesTest, EveryCorpusImageDecodesWithTheRightShape) {
  for (const Expected& e : kAllImages) {
    SCOPED_TRACE(e.file);
    const Result<Image> image = Decode(e.file);
    ASSERT_TRUE(image.ok()) << image.status().ToString();
    EXPECT_EQ(image->width, e.width);
    EXPECT_EQ(image->height, e.height);
    EXPECT_EQ(image->channels, e.channels);
    EXPECT_EQ(image->pixels.size(), size_t(e.width) * e.height * e.channels);
  }
}

// FNV-1a (64-bit) of the pixel bytes ImageMagick gives: `convert FILE -depth 16 pnm:-`, each
// 16-bit sample rounded to 8 bits with ScaleQuantumToChar. For 8-bit sources that equals
// `convert FILE -depth 8 pnm:-`. For the 16-bit PNG it does not: ImageMagick 6.9.11's
// `-depth 8` truncates (floor(q / 257)) and the PDQ reference truncates again (q >> 8); we
// round on purpose, as media.h documents.
TEST_F(RealFilesTest, PixelsMatchImageMagickChecksums) {
  struct Checksum {
    const char* file;
    uint64_t fnv1a;
  };
  constexpr Checksum kChecksums[] = {
      {"01_aqua.jpg", 0x59a309651271ef8full},                // baseline 4:2:0 JPEG
      {"e1_gray_blinds.jpg", 0x623ed7cf8af4d806ull},         // greyscale JPEG
      {"e3_tiny_aqua.jpg", 0xaf12a3c0ef333394ull},           // 40x30 JPEG
      {"e4_progressive_garden.jpg", 0xf89bf6b999e0c037ull},  // progressive JPEG
      {"e5_cmyk_greenmeadow.jpg", 0x2f6a4f695345fcd1ull},    // Adobe CMYK (YCCK) JPEG
      {"e2_rgba_freshflower.png", 0x6dc91d487560d87full},    // RGBA PNG, alpha dropped
      {"e6_palette_storm.png", 0xca8c69fc171d811cull},       // palette PNG
      {"e7_16bit_twowings.png", 0x806d8b8214bb71e6ull},      // 16-bit PNG, rounded
      {"48_rocket.png", 0x34b9b35d9b0edb19ull},              // RGB PNG
      {"52_moon.png", 0x9c266fef1f52b8e1ull},                // greyscale PNG
  };
  for (const Checksum& c : kChecksums) {
    SCOPED_TRACE(c.file);
    const Result<Image> image = Decode(c.file);
    ASSERT_TRUE(image.ok()) << image.status().ToString();
    EXPECT_EQ(testing::Fnv1a64(image->pixels), c.fnv1a);
  }
}

}  // namespace
}  // namespace vigil::media
