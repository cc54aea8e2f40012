// The local ONNX image model through OpenCV DNN, on a network the test writes itself (mean
// brightness), with scores worked out by hand from the pixels and the normalisation.
#include "classify/onnx_classifier.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <random>

#include "onnx_model.h"

namespace vigil::classify {
namespace {

namespace fs = std::filesystem;

class OnnxClassifierTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("vigil-onnx-" + std::to_string(std::random_device{}()));
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }
  std::string Write(const std::string& name, const std::string& bytes) {
    const fs::path p = dir_ / name;
    std::ofstream(p, std::ios::binary) << bytes;
    return p.string();
  }
  OnnxModelConfig Config(const std::string& path, int channels, int side) {
    OnnxModelConfig c;
    c.model = "brightness";
    c.version = "1";
    c.path = path;
    c.input_width = side;
    c.input_height = side;
    c.channels = channels;
    return c;
  }
  static ClassifierInput Image(const std::vector<uint8_t>& pixels, int w, int h, int channels) {
    ClassifierInput in;
    in.kind = InputKind::kImage;
    in.frames.push_back({w, h, channels, pixels});
    return in;
  }
  fs::path dir_;
};

TEST_F(OnnxClassifierTest, ScoresTheMeanBrightnessOfAGreyImage) {
  auto c = OnnxImageClassifier::Create(
      Config(Write("m.onnx", testing::MeanBrightnessOnnx(1, 2, 2)), 1, 2));
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  const std::vector<uint8_t> px = {0, 255, 255, 0};  // mean 127.5, scaled by 1/255: 0.5
  auto s = (*c)->Classify(Image(px, 2, 2, 1));
  ASSERT_TRUE(s.ok()) << s.status().ToString();
  EXPECT_NEAR(s->value, 0.5, 1e-6);
  EXPECT_EQ(s->model, "brightness");
  const std::vector<uint8_t> px2 = {51, 102, 153, 204};  // mean 127.5 again
  EXPECT_NEAR((*(*c)->Classify(Image(px2, 2, 2, 1))).value, 0.5, 1e-6);
  const std::vector<uint8_t> dark = {0, 0, 0, 51};  // mean 12.75 / 255 = 0.05
  EXPECT_NEAR((*(*c)->Classify(Image(dark, 2, 2, 1))).value, 0.05, 1e-6);
}

TEST_F(OnnxClassifierTest, ResizesAndNormalisesAsConfigured) {
  auto config = Config(Write("m.onnx", testing::MeanBrightnessOnnx(1, 4, 4)), 1, 4);
  config.mean = {51, 51, 51};
  config.scale = 1.0 / 204;
  auto c = OnnxImageClassifier::Create(config);
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  // A uniform 10x6 image stays uniform when resized to 4x4: (153 - 51) / 204 = 0.5.
  std::vector<uint8_t> px(60, 153);
  EXPECT_NEAR((*(*c)->Classify(Image(px, 10, 6, 1))).value, 0.5, 1e-6);
  // RGB into a grey model: BT.601 luma of (200, 100, 0) = 59.8 + 58.7 = 118.5 -> 119;
  // (119 - 51) / 204 = 1/3.
  std::vector<uint8_t> rgb;
  for (int i = 0; i < 16; ++i) rgb.insert(rgb.end(), {200, 100, 0});
  EXPECT_NEAR((*(*c)->Classify(Image(rgb, 4, 4, 3))).value, 1.0 / 3, 1e-6);
}

TEST_F(OnnxClassifierTest, ChannelOrderFollowsSwapRb) {
  // A 3-channel model: its first output is the mean of the first channel.
  const std::string path = Write("rgb.onnx", testing::MeanBrightnessOnnx(3, 2, 2));
  std::vector<uint8_t> red;
  for (int i = 0; i < 4; ++i) red.insert(red.end(), {204, 0, 0});
  auto rgb = OnnxImageClassifier::Create(Config(path, 3, 2));
  ASSERT_TRUE(rgb.ok()) << rgb.status().ToString();
  EXPECT_NEAR((*(*rgb)->Classify(Image(red, 2, 2, 3))).value, 0.8, 1e-6);  // 204 / 255
  auto config = Config(path, 3, 2);
  config.swap_rb = true;
  auto bgr = OnnxImageClassifier::Create(config);
  ASSERT_TRUE(bgr.ok());
  EXPECT_NEAR((*(*bgr)->Classify(Image(red, 2, 2, 3))).value, 0.0, 1e-6);
  // Grey into an RGB model: repeated into every channel: 102 / 255 = 0.4.
  std::vector<uint8_t> grey(4, 102);
  EXPECT_NEAR((*(*rgb)->Classify(Image(grey, 2, 2, 1))).value, 0.4, 1e-6);
}

TEST_F(OnnxClassifierTest, AVideoScoresAsItsBrightestFrame) {
  auto c = OnnxImageClassifier::Create(
      Config(Write("m.onnx", testing::MeanBrightnessOnnx(1, 2, 2)), 1, 2));
  ASSERT_TRUE(c.ok());
  const std::vector<uint8_t> f0(4, 51), f1(4, 204), f2(4, 102);
  ClassifierInput video;
  video.kind = InputKind::kVideo;
  video.frames = {{2, 2, 1, f0}, {2, 2, 1, f1}, {2, 2, 1, f2}};
  auto s = (*c)->Classify(video);
  ASSERT_TRUE(s.ok());
  EXPECT_NEAR(s->value, 0.8, 1e-6);
  ASSERT_EQ(s->evidence.size(), 1u);
  EXPECT_EQ(s->evidence[0].frames, std::vector<int>{1});
}

TEST_F(OnnxClassifierTest, NonsenseScoresAndBadInputAreErrors) {
  auto config = Config(Write("m.onnx", testing::MeanBrightnessOnnx(1, 2, 2)), 1, 2);
  config.scale = 1;  // raw brightness, up to 255: not a score
  auto c = OnnxImageClassifier::Create(config);
  ASSERT_TRUE(c.ok());
  const std::vector<uint8_t> px(4, 200);
  EXPECT_EQ((*c)->Classify(Image(px, 2, 2, 1)).status().code(), StatusCode::kDataLoss);
  EXPECT_EQ((*c)->Classify(Image(px, 3, 2, 1)).status().code(), StatusCode::kInvalidArgument);
  ClassifierInput conv;
  conv.kind = InputKind::kConversation;
  EXPECT_EQ((*c)->Classify(conv).status().code(), StatusCode::kInvalidArgument);
}

TEST_F(OnnxClassifierTest, MissingAndCorruptModelsAreRefusedNamingTheFile) {
  auto missing = OnnxImageClassifier::Create(Config((dir_ / "none.onnx").string(), 1, 2));
  EXPECT_EQ(missing.status().code(), StatusCode::kNotFound);
  const std::string junk = Write("junk.onnx", "this is not a protobuf \x01\x02\x03");
  auto corrupt = OnnxImageClassifier::Create(Config(junk, 1, 2));
  EXPECT_EQ(corrupt.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(corrupt.status().message().find("junk.onnx"), std::string::npos);
  const std::string full = testing::MeanBrightnessOnnx(1, 2, 2);
  auto truncated =
      OnnxImageClassifier::Create(Config(Write("cut.onnx", full.substr(0, full.size() / 2)), 1, 2));
  EXPECT_EQ(truncated.status().code(), StatusCode::kInvalidArgument);
}

TEST(OnnxConfigTest, ParsesAndRefusesNamingTheField) {
  auto c = ParseOnnxModelConfig(
      R"({"model": "m", "version": "2", "path": "x.onnx", "input_width": 8, "input_height": 4,
          "channels": 1, "scale": 0.5, "mean": [1, 2, 3], "swap_rb": true})",
      "cfg.json", "/models");
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  EXPECT_EQ(c->path, "/models/x.onnx");
  EXPECT_EQ(c->input_width, 8);
  EXPECT_EQ(c->input_height, 4);
  EXPECT_EQ(c->channels, 1);
  EXPECT_EQ(c->scale, 0.5);
  EXPECT_EQ(c->mean[2], 3);
  EXPECT_TRUE(c->swap_rb);
  for (const char* bad :
       {R"({"version": "1", "path": "x", "input_width": 8, "input_height": 8})",
        R"({"model": "m", "version": "1", "path": "x", "input_width": 0, "input_height": 8})",
        R"({"model": "m", "version": "1", "path": "x", "input_width": 8, "input_height": 8,
            "channels": 2})",
        R"({"model": "m", "version": "1", "path": "x", "input_width": 8, "input_height": 8,
            "mean": [1]})",
        "not json"}) {
    auto r = ParseOnnxModelConfig(bad, "cfg.json");
    EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument) << bad;
    EXPECT_EQ(r.status().message().rfind("cfg.json: ", 0), 0u) << r.status().message();
  }
}

}  // namespace
}  // namespace vigil::classify
