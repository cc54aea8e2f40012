#include "core/file.h"

#include <gtest/gtest.h>

#include <cstdio>
#include <filesystem>
#include <fstream>

namespace vigil {
namespace {

class FileTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("vigil_file_test_" + std::to_string(::testing::UnitTest::GetInstance()->random_seed()) +
            "_" + ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::create_directories(dir_);
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }
  std::string Write(const std::string& name, const std::string& content) {
    auto p = dir_ / name;
    std::ofstream(p, std::ios::binary) << content;
    return p.string();
  }
  std::filesystem::path dir_;
};

TEST_F(FileTest, ReadsWholeFile) {
  auto path = Write("a.bin", std::string("ab\0cd", 5));
  auto bytes = ReadFileBytes(path, 100);
  ASSERT_TRUE(bytes.ok());
  EXPECT_EQ(bytes->size(), 5u);
  EXPECT_EQ((*bytes)[2], 0);
}

TEST_F(FileTest, MissingFileIsNotFoundNamingThePath) {
  auto r = ReadFileBytes((dir_ / "nope.jpg").string(), 100);
  EXPECT_EQ(r.status().code(), StatusCode::kNotFound);
  EXPECT_NE(r.status().message().find("nope.jpg"), std::string::npos);
}

TEST_F(FileTest, DirectoryIsInvalidArgument) {
  EXPECT_EQ(ReadFileBytes(dir_.string(), 100).status().code(), StatusCode::kInvalidArgument);
}

TEST_F(FileTest, OversizedFileIsRejectedBeforeReading) {
  auto path = Write("big.bin", std::string(1000, 'x'));
  auto r = ReadFileBytes(path, 999);
  EXPECT_EQ(r.status().code(), StatusCode::kResourceExhausted);
  EXPECT_NE(r.status().message().find("999"), std::string::npos);
  EXPECT_TRUE(ReadFileBytes(path, 1000).ok());
}

}  // namespace
}  // namespace vigil

#include "core/text.h"

namespace vigil {
namespace {

TEST(TextTest, Utf8ValidationRefusesMalformedSequences) {
  EXPECT_TRUE(IsValidUtf8("plain ascii"));
  EXPECT_TRUE(IsValidUtf8("caf\xC3\xA9 \xE2\x82\xAC \xF0\x9F\x98\x80"));  // é € 😀
  EXPECT_FALSE(IsValidUtf8("\xC3"));                                      // truncated
  EXPECT_FALSE(IsValidUtf8("\xC0\xAF"));                                  // overlong '/'
  EXPECT_FALSE(IsValidUtf8("\xED\xA0\x80"));                              // surrogate U+D800
  EXPECT_FALSE(IsValidUtf8("\xF4\x90\x80\x80"));                          // U+110000
  EXPECT_FALSE(IsValidUtf8("\xFF"));
}

}  // namespace
}  // namespace vigil
