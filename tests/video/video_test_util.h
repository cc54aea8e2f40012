// Shared helpers for the video tests: the vPDQ golden corpus in ../shared/testdata/vpdq.
#ifndef VIGIL_TESTS_VIDEO_VIDEO_TEST_UTIL_H_
#define VIGIL_TESTS_VIDEO_VIDEO_TEST_UTIL_H_

#include <gtest/gtest.h>

#include <cstdint>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "core/file.h"

namespace vigil::video_test {

inline const std::filesystem::path kVpdqDir =
    std::filesystem::path(VIGIL_SHARED_DIR) / "testdata" / "vpdq";

inline bool HaveCorpus() { return std::filesystem::exists(kVpdqDir / "clips.csv"); }

#define VIGIL_SKIP_WITHOUT_VPDQ_CORPUS()                                              \
  do {                                                                                \
    if (!::vigil::video_test::HaveCorpus()) {                                         \
      GTEST_SKIP() << "vPDQ test data not found at " << ::vigil::video_test::kVpdqDir \
                   << " (set VIGIL_SHARED_DIR); skipped";                             \
    }                                                                                 \
  } while (false)

inline std::vector<uint8_t> ReadBytes(const std::filesystem::path& path) {
  auto bytes = ReadFileBytes(path.string(), 1ull << 30);
  EXPECT_TRUE(bytes.ok()) << bytes.status().ToString();
  return bytes.ok() ? *bytes : std::vector<uint8_t>{};
}

inline std::string ReadText(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// Lines without their "\n"; a final empty line is not returned.
inline std::vector<std::string> Lines(const std::string& text) {
  std::vector<std::string> lines;
  std::stringstream ss(text);
  std::string line;
  while (std::getline(ss, line)) lines.push_back(line);
  return lines;
}

// Rows of a simple CSV (no quoted commas are needed by the callers), header dropped.
inline std::vector<std::vector<std::string>> ReadCsv(const std::filesystem::path& path) {
  std::vector<std::vector<std::string>> rows;
  std::vector<std::string> lines = Lines(ReadText(path));
  for (size_t i = 1; i < lines.size(); ++i) {
    std::vector<std::string> cols;
    std::stringstream ss(lines[i]);
    std::string col;
    while (std::getline(ss, col, ',')) cols.push_back(col);
    rows.push_back(cols);
  }
  return rows;
}

}  // namespace vigil::video_test

#endif  // VIGIL_TESTS_VIDEO_VIDEO_TEST_UTIL_H_
