// The scan's image classifier configuration: both kinds load, every bad entry is refused naming
// the file, the entry and the field; a missing or corrupt model names the model file.
#include "classify/image_classifiers.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <random>

#include "onnx_model.h"

namespace vigil::classify {
namespace {

namespace fs = std::filesystem;

class ImageClassifiersTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("vigil-imgcls-" + std::to_string(std::random_device{}()));
    fs::create_directories(dir_);
    std::ofstream(dir_ / "mean.onnx", std::ios::binary) << testing::MeanBrightnessOnnx(1, 4, 4);
  }
  void TearDown() override { fs::remove_all(dir_); }
  Result<ImageClassifierSet> Parse(const std::string& json) {
    return ParseImageClassifiers(json, "cls.json", dir_.string(), clock_);
  }
  static std::string Onnx(const std::string& extra) {
    return R"({"type": "onnx", "model": "mean", "version": "1", "path": "mean.onnx",
              "input_width": 4, "input_height": 4, "channels": 1)" +
           extra + "}";
  }
  std::shared_ptr<const Clock> clock_ = std::make_shared<SystemClock>();
  fs::path dir_;
};

TEST_F(ImageClassifiersTest, LoadsOnnxAndHttpEntriesWithTheirThresholds) {
  auto set = Parse(R"({"classifiers": [)" + Onnx(R"(, "threshold": 0.5, "priority": 70)") +
                   R"(, {"type": "http", "model": "vendor", "version": "3",
                         "url": "http://127.0.0.1:9/score", "threshold": 0.95}],
                       "max_video_frames": 8, "frame_interval_seconds": 2.5})");
  ASSERT_TRUE(set.ok()) << set.status().ToString();
  ASSERT_EQ(set->classifiers.size(), 2u);
  EXPECT_EQ(set->classifiers[0].type, "onnx");
  EXPECT_EQ(set->classifiers[0].classifier->model(), "mean");
  EXPECT_EQ(set->classifiers[0].threshold, 0.5);
  EXPECT_EQ(set->classifiers[0].priority, 70);
  EXPECT_EQ(set->classifiers[1].type, "http");
  EXPECT_EQ(set->classifiers[1].classifier->version(), "3");
  EXPECT_EQ(set->classifiers[1].threshold, 0.95);
  EXPECT_EQ(set->classifiers[1].priority, 60);  // the default
  EXPECT_EQ(set->max_video_frames, 8);
  EXPECT_EQ(set->frame_interval_seconds, 2.5);

  // The loaded network is real: a uniform grey frame of 51 scores 51/255 = 0.2.
  std::vector<uint8_t> pixels(16, 51);
  ClassifierInput in;
  in.frames.push_back({4, 4, 1, pixels});
  auto score = set->classifiers[0].classifier->Classify(in);
  ASSERT_TRUE(score.ok()) << score.status().ToString();
  EXPECT_NEAR(score->value, 0.2, 1e-6);
}

TEST_F(ImageClassifiersTest, BadEntriesAreRefusedNamingTheFileEntryAndField) {
  struct Case {
    std::string json;
    std::string message;
  };
  const std::vector<Case> cases = {
      {"[]", "cls.json: not a JSON object"},
      {"{", "cls.json: not a JSON object"},
      {"{}", "cls.json: 'classifiers' is required"},
      {R"({"classifiers": []})", "'classifiers' must be a non-empty array"},
      {R"({"classifiers": [)" + Onnx("") + "]}", "classifiers[0]: 'threshold' must be"},
      {R"({"classifiers": [)" + Onnx(R"(, "threshold": 1.5)") + "]}",
       "classifiers[0]: 'threshold' must be a number in [0, 1]"},
      {R"({"classifiers": [)" + Onnx(R"(, "threshold": "0.5")") + "]}", "'threshold' must be"},
      {R"({"classifiers": [)" + Onnx(R"(, "threshold": 0.5, "priority": 101)") + "]}",
       "classifiers[0]: 'priority' must be an integer in [0, 100]"},
      {R"({"classifiers": [{"type": "tflite", "threshold": 0.5}]})",
       "classifiers[0]: unknown type 'tflite'"},
      {R"({"classifiers": [{"threshold": 0.5}]})", "classifiers[0]: 'type' must be"},
      {R"({"classifiers": [7]})", "classifiers[0]: not an object"},
      {R"({"classifiers": [)" + Onnx(R"(, "threshold": 0.5)") + "," +
           Onnx(R"(, "threshold": 0.7)") + "]}",
       "classifiers[1]: model 'mean' twice"},
      {R"({"classifiers": [{"type": "http", "threshold": 0.5, "model": "v", "version": "1",
                           "url": "ftp://x/y"}]})",
       "classifiers[0]"},
      {R"({"classifiers": [{"type": "http", "threshold": 0.5, "model": "v", "version": "1",
                           "url": "http://x/y", "retries": 3}]})",
       "unknown field 'retries'"},
      {R"({"classifiers": [)" + Onnx(R"(, "threshold": 0.5)") + R"(], "max_video_frames": 0})",
       "'max_video_frames' must be an integer in [1, 10000]"},
      {R"({"classifiers": [)" + Onnx(R"(, "threshold": 0.5)") +
           R"(], "frame_interval_seconds": -1})",
       "'frame_interval_seconds' must be a number >= 0"},
      {R"({"classifiers": [)" + Onnx(R"(, "threshold": 0.5)") + R"(], "frames": 3})",
       "cls.json: unknown field 'frames'"},
  };
  for (const Case& c : cases) {
    auto set = Parse(c.json);
    ASSERT_FALSE(set.ok()) << c.json;
    EXPECT_EQ(set.status().code(), StatusCode::kInvalidArgument) << c.json;
    EXPECT_NE(set.status().message().find(c.message), std::string::npos)
        << set.status().message() << " / expected: " << c.message;
    EXPECT_NE(set.status().message().find("cls.json"), std::string::npos) << set.status().message();
  }
}

TEST_F(ImageClassifiersTest, MissingAndCorruptModelsNameTheModelFile) {
  std::ofstream(dir_ / "junk.onnx", std::ios::binary) << "not a protobuf \x01\x02";
  const std::string entry = R"({"classifiers": [{"type": "onnx", "model": "m", "version": "1",
      "input_width": 4, "input_height": 4, "threshold": 0.5, "path": ")";
  auto missing = Parse(entry + R"(gone.onnx"}]})");
  EXPECT_EQ(missing.status().code(), StatusCode::kNotFound);
  EXPECT_NE(missing.status().message().find((dir_ / "gone.onnx").string()), std::string::npos)
      << missing.status().message();
  EXPECT_NE(missing.status().message().find("classifiers[0]"), std::string::npos);
  auto corrupt = Parse(entry + R"(junk.onnx"}]})");
  EXPECT_EQ(corrupt.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(corrupt.status().message().find("junk.onnx"), std::string::npos)
      << corrupt.status().message();
}

TEST_F(ImageClassifiersTest, LoadReadsTheFileAndResolvesModelsBesideIt) {
  std::ofstream(dir_ / "cls.json") << R"({"classifiers": [)" + Onnx(R"(, "threshold": 0.5)") + "]}";
  auto set = LoadImageClassifiers((dir_ / "cls.json").string(), clock_);
  ASSERT_TRUE(set.ok()) << set.status().ToString();
  EXPECT_EQ(set->classifiers[0].classifier->model(), "mean");
  auto missing = LoadImageClassifiers((dir_ / "none.json").string(), clock_);
  EXPECT_EQ(missing.status().code(), StatusCode::kNotFound);
  EXPECT_NE(missing.status().message().find("none.json"), std::string::npos);
}

}  // namespace
}  // namespace vigil::classify
