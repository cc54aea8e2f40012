// Decompression bombs (issue 14): files a few KiB long that inflate to gigabytes. A bomb over
// DecodeLimits must be refused before its pixels are allocated, and one inside them must cost
// memory in proportion to the pixels it declares, not more. Measured in a forked child, whose
// peak RSS (getrusage) is its own and does not depend on what other tests allocated.
#include <gtest/gtest.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>
#include <zlib.h>

#include <chrono>
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "media/media.h"

namespace vigil::media {
namespace {

using Bytes = std::vector<uint8_t>;

void Put32(Bytes& b, uint32_t v) {
  for (int i = 3; i >= 0; --i) b.push_back(static_cast<uint8_t>(v >> (8 * i)));
}

void Chunk(Bytes& png, const char* type, const Bytes& data) {
  Put32(png, static_cast<uint32_t>(data.size()));
  const size_t start = png.size();
  png.insert(png.end(), type, type + 4);
  png.insert(png.end(), data.begin(), data.end());
  Put32(png, static_cast<uint32_t>(crc32(0, png.data() + start, png.size() - start)));
}

// A greyscale 8-bit PNG of width x height black pixels: each row is a filter byte and zeros,
// which deflate compresses about 1000:1, so the file is tiny and the image is not. Only the
// first `rows` rows are written when given (the header is what a decoder must check first).
Bytes ZeroPng(uint32_t width, uint32_t height, uint32_t rows = 0) {
  if (rows == 0) rows = height;
  Bytes png = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};
  Bytes ihdr;
  Put32(ihdr, width);
  Put32(ihdr, height);
  ihdr.insert(ihdr.end(), {8, 0, 0, 0, 0});  // depth 8, greyscale, deflate, no filter/interlace
  Chunk(png, "IHDR", ihdr);
  z_stream z{};
  EXPECT_EQ(deflateInit(&z, 9), Z_OK);
  const Bytes row(width + 1, 0);
  Bytes idat;
  std::vector<uint8_t> out(1 << 16);
  for (uint32_t y = 0; y <= rows; ++y) {
    const bool last = y == rows;
    z.next_in = const_cast<uint8_t*>(row.data());
    z.avail_in = last ? 0 : static_cast<uInt>(row.size());
    do {
      z.next_out = out.data();
      z.avail_out = static_cast<uInt>(out.size());
      deflate(&z, last ? Z_FINISH : Z_NO_FLUSH);
      idat.insert(idat.end(), out.data(), out.data() + (out.size() - z.avail_out));
    } while (z.avail_out == 0 || (last && z.avail_in != 0));
  }
  deflateEnd(&z);
  Chunk(png, "IDAT", idat);
  Chunk(png, "IEND", {});
  return png;
}

struct ChildResult {
  int status = -1;            // the decode's StatusCode, or -1 if the child died
  long peak_growth_mib = -1;  // growth of the child's peak RSS during the decode
  double seconds = 0;
};

// Decodes `bytes` under `limits` in a forked child and reports what it cost.
ChildResult DecodeInChild(const Bytes& bytes, const DecodeLimits& limits) {
  int fds[2];
  EXPECT_EQ(::pipe(fds), 0);
  const auto start = std::chrono::steady_clock::now();
  const pid_t pid = ::fork();
  if (pid == 0) {
    ::close(fds[0]);
    rusage before{}, after{};
    ::getrusage(RUSAGE_SELF, &before);
    const Result<Image> image = DecodeImage(bytes, limits);
    ::getrusage(RUSAGE_SELF, &after);
    const long growth[2] = {static_cast<long>(image.status().code()),
                            (after.ru_maxrss - before.ru_maxrss) / 1024};
    (void)!::write(fds[1], growth, sizeof(growth));
    ::_exit(0);
  }
  ::close(fds[1]);
  ChildResult r;
  long got[2];
  if (::read(fds[0], got, sizeof(got)) == static_cast<ssize_t>(sizeof(got))) {
    r.status = static_cast<int>(got[0]);
    r.peak_growth_mib = got[1];
  }
  ::close(fds[0]);
  int wstatus = 0;
  ::waitpid(pid, &wstatus, 0);
  r.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return r;
}

TEST(ResourceBombTest, APngBombOverTheLimitsIsRefusedWithoutAllocating) {
  // 60000 x 60000 = 3.6 gigapixels declared; 64 rows present (a complete file would be about
  // 3.5 MiB, and the decoder must not need to see it to refuse).
  const Bytes bomb = ZeroPng(60000, 60000, 64);
  ASSERT_LT(bomb.size(), 64u << 10);
  const ChildResult r = DecodeInChild(bomb, DecodeLimits{});
  EXPECT_EQ(r.status, static_cast<int>(StatusCode::kResourceExhausted));
  EXPECT_LT(r.peak_growth_mib, 32) << "memory grew before the limit was checked";
  EXPECT_LT(r.seconds, 5.0);
}

TEST(ResourceBombTest, APngBombInsideTheLimitsCostsOnlyItsPixels) {
  // 8000 x 8000 greyscale: 64 MB of pixels from a file of about 70 KB. The decoder may hold the
  // image and one more copy (rows, then the packed result), never an amplified multiple.
  const Bytes bomb = ZeroPng(8000, 8000);
  ASSERT_LT(bomb.size(), 256u << 10);
  const ChildResult r = DecodeInChild(bomb, DecodeLimits{});
  EXPECT_EQ(r.status, static_cast<int>(StatusCode::kOk));
  EXPECT_LT(r.peak_growth_mib, 3 * 64 + 32);
  EXPECT_LT(r.seconds, 30.0);
  // With a pixel limit under its size it is refused, again before the pixels exist.
  DecodeLimits tight;
  tight.max_pixels = 10'000'000;
  const ChildResult refused = DecodeInChild(bomb, tight);
  EXPECT_EQ(refused.status, static_cast<int>(StatusCode::kResourceExhausted));
  EXPECT_LT(refused.peak_growth_mib, 16);
}

}  // namespace
}  // namespace vigil::media
