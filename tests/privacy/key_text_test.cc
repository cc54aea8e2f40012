// Where key material is read from: the file wins over the variable, each named as the source;
// neither is the caller's message; an unreadable or oversized file is an error naming it.
#include "privacy/key_text.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

namespace vigil::privacy {
namespace {

class KeyTextTest : public ::testing::Test {
 protected:
  void SetUp() override {
    path_ = std::filesystem::temp_directory_path() /
            ("vigil-key-text-" + std::to_string(::getpid()) + ".txt");
  }
  void TearDown() override { std::filesystem::remove(path_); }
  void Write(const std::string& text) { std::ofstream(path_, std::ios::binary) << text; }
  std::filesystem::path path_;
};

TEST_F(KeyTextTest, TheFileWinsOverTheVariable) {
  Write("k1:file-key\n");
  auto r = ReadKeyText(path_.string(), "k2:env-key", "VIGIL_X_KEYS", "none");
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->text, "k1:file-key\n");
  EXPECT_EQ(r->source, path_.string());
}

TEST_F(KeyTextTest, TheVariableIsUsedWithoutAFile) {
  auto r = ReadKeyText("", "k2:env-key", "VIGIL_X_KEYS", "none");
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->text, "k2:env-key");
  EXPECT_EQ(r->source, "VIGIL_X_KEYS");
}

TEST_F(KeyTextTest, NeitherGivenIsTheCallersMessage) {
  auto r = ReadKeyText("", "", "VIGIL_X_KEYS", "no key: give --x-keys");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(r.status().message(), "no key: give --x-keys");
}

TEST_F(KeyTextTest, MissingAndOversizedFilesAreErrorsNamingThem) {
  auto missing = ReadKeyText(path_.string(), "k2:env-key", "VIGIL_X_KEYS", "none");
  ASSERT_FALSE(missing.ok());
  EXPECT_NE(missing.status().message().find(path_.string()), std::string::npos)
      << missing.status().ToString();
  Write(std::string((1 << 20) + 1, 'a'));
  auto big = ReadKeyText(path_.string(), "", "VIGIL_X_KEYS", "none");
  ASSERT_FALSE(big.ok());
  EXPECT_NE(big.status().message().find(path_.string()), std::string::npos)
      << big.status().ToString();
}

}  // namespace
}  // namespace vigil::privacy
