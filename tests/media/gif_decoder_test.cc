// GIF decoding: first frame only, at its own size, with ImageMagick's colour-table rules.
#include <gtest/gtest.h>

#include "media/media.h"
#include "media/test_encoders.h"

namespace vigil::media {
namespace {

using testing::EncodeGif;
using testing::GifFrame;
using testing::Rgb;

const std::vector<Rgb> kPalette = {{0, 0, 0}, {255, 0, 0}, {0, 255, 0}, {0, 0, 255}};

Image DecodeOk(const std::vector<uint8_t>& bytes) {
  Result<Image> result = DecodeImage(bytes, DecodeLimits{});
  EXPECT_TRUE(result.ok()) << result.status().ToString();
  return result.ok() ? std::move(result).value() : Image{};
}

GifFrame Frame(int left, int top, int w, int h, std::vector<uint8_t> indices) {
  GifFrame frame;
  frame.left = left;
  frame.top = top;
  frame.width = w;
  frame.height = h;
  frame.indices = std::move(indices);
  return frame;
}

std::vector<uint8_t> Expand(const std::vector<Rgb>& palette, const std::vector<uint8_t>& indices) {
  std::vector<uint8_t> out;
  for (uint8_t i : indices) out.insert(out.end(), palette[i].begin(), palette[i].end());
  return out;
}

TEST(GifDecoderTest, PaletteIndicesExpandToThreeChannels) {
  const std::vector<uint8_t> indices = {0, 1, 2, 3, 3, 2};
  const Image image = DecodeOk(EncodeGif(3, 2, kPalette, {Frame(0, 0, 3, 2, indices)}));
  EXPECT_EQ(image.width, 3);
  EXPECT_EQ(image.height, 2);
  EXPECT_EQ(image.channels, 3);
  EXPECT_EQ(image.pixels, Expand(kPalette, indices));
}

TEST(GifDecoderTest, GreyPaletteStillGivesThreeChannels) {
  const std::vector<Rgb> greys = {{0, 0, 0}, {85, 85, 85}, {170, 170, 170}, {255, 255, 255}};
  const Image image = DecodeOk(EncodeGif(2, 1, greys, {Frame(0, 0, 2, 1, {1, 2})}));
  EXPECT_EQ(image.channels, 3);
  EXPECT_EQ(image.pixels, (std::vector<uint8_t>{85, 85, 85, 170, 170, 170}));
}

TEST(GifDecoderTest, FirstFrameIsReturnedAtItsOwnSizeIgnoringCanvasAndOffset) {
  const std::vector<uint8_t> first = {1, 2, 3, 1};
  const std::vector<uint8_t> second(10 * 8, 3);
  const Image image =
      DecodeOk(EncodeGif(10, 8, kPalette, {Frame(4, 3, 2, 2, first), Frame(0, 0, 10, 8, second)}));
  EXPECT_EQ(image.width, 2);
  EXPECT_EQ(image.height, 2);
  EXPECT_EQ(image.pixels, Expand(kPalette, first));
}

TEST(GifDecoderTest, InterlacedRowsArePutBackInOrder) {
  std::vector<uint8_t> indices;
  for (int y = 0; y < 11; ++y) indices.insert(indices.end(), 2, static_cast<uint8_t>(y % 4));
  GifFrame frame = Frame(0, 0, 2, 11, indices);
  frame.interlaced = true;
  EXPECT_EQ(DecodeOk(EncodeGif(2, 11, kPalette, {frame})).pixels, Expand(kPalette, indices));
}

TEST(GifDecoderTest, TransparentPixelsKeepTheirPaletteColour) {
  GifFrame frame = Frame(0, 0, 2, 1, {1, 2});
  frame.transparent_index = 1;
  EXPECT_EQ(DecodeOk(EncodeGif(2, 1, kPalette, {frame})).pixels,
            (std::vector<uint8_t>{255, 0, 0, 0, 255, 0}));
}

TEST(GifDecoderTest, LocalPaletteOverridesGlobalAndIndicesPastItTakeEntryZero) {
  // A 2-entry local table is coded with 2-bit LZW codes, so indices 2 and 3 can occur; as in
  // ImageMagick they take entry 0.
  GifFrame frame = Frame(0, 0, 4, 1, {0, 1, 2, 3});
  frame.local_palette = {{10, 20, 30}, {40, 50, 60}};
  EXPECT_EQ(DecodeOk(EncodeGif(4, 1, kPalette, {frame})).pixels,
            (std::vector<uint8_t>{10, 20, 30, 40, 50, 60, 10, 20, 30, 10, 20, 30}));
}

TEST(GifDecoderTest, TransparentIndexJustPastThePaletteIsBlack) {
  // ImageMagick appends a black colour for a transparent index equal to the table size.
  GifFrame frame = Frame(0, 0, 3, 1, {0, 1, 2});
  frame.local_palette = {{10, 20, 30}, {40, 50, 60}};
  frame.transparent_index = 2;
  EXPECT_EQ(DecodeOk(EncodeGif(3, 1, kPalette, {frame})).pixels,
            (std::vector<uint8_t>{10, 20, 30, 40, 50, 60, 0, 0, 0}));
}

TEST(GifDecoderTest, NoColourTableDecodesBlack) {
  // Built by hand (giflib refuses to write this): 2x1 screen without a global table, one 2x1
  // image without a local table, LZW minimum code size 2, codes clear, 0, 1, end (3 bits each).
  const std::vector<uint8_t> gif = {'G', 'I', 'F',  '8',  '9', 'a', 2, 0, 1, 0, 0, 0, 0,  //
                                    ',', 0,   0,    0,    0,   2,   0, 1, 0, 0,           //
                                    2,   2,   0x44, 0x0A, 0,   ';'};
  EXPECT_EQ(DecodeOk(gif).pixels, std::vector<uint8_t>(6, 0));
}

TEST(GifDecoderTest, FileWithoutImagesIsInvalid) {
  const Result<Image> result = DecodeImage(EncodeGif(4, 4, kPalette, {}), DecodeLimits{});
  EXPECT_EQ(result.status().code(), StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace vigil::media
