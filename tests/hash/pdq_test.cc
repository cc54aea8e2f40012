// Unit tests of the PDQ building blocks against naive transcriptions of Meta's reference
// (pdq/cpp/downscaling/downscaling.cpp, hashing/pdqhashing.cpp, hashing/torben.cpp), and of
// the hash's public behaviour on hand-built images.
#include "hash/pdq.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <random>
#include <vector>

#include "hash/hash256.h"
#include "hash/pdq_internal.h"

namespace vigil::hash {
namespace {

// --- Naive reference transcriptions (scalar, strided), the independent expectation. ---

void NaiveBox1D(const float* in, float* out, int len, int stride, int window) {
  int half = (window + 2) / 2;
  int p1 = half - 1, p2 = window - half + 1, p3 = len - window, p4 = half - 1;
  int li = 0, ri = 0, oi = 0, cur = 0;
  float sum = 0.0f;
  for (int i = 0; i < p1; i++) {
    sum += in[ri];
    cur++;
    ri += stride;
  }
  for (int i = 0; i < p2; i++) {
    sum += in[ri];
    cur++;
    out[oi] = sum / cur;
    ri += stride;
    oi += stride;
  }
  for (int i = 0; i < p3; i++) {
    sum += in[ri];
    sum -= in[li];
    out[oi] = sum / cur;
    li += stride;
    ri += stride;
    oi += stride;
  }
  for (int i = 0; i < p4; i++) {
    sum -= in[li];
    cur--;
    out[oi] = sum / cur;
    li += stride;
    oi += stride;
  }
}

float NaiveTorben(const float* m, int n) {
  float min = m[0], max = m[0];
  for (int i = 1; i < n; i++) {
    if (m[i] < min) min = m[i];
    if (m[i] > max) max = m[i];
  }
  int less, greater, equal;
  float guess, maxlt, mingt;
  while (true) {
    guess = (min + max) / 2;
    less = greater = equal = 0;
    maxlt = min;
    mingt = max;
    for (int i = 0; i < n; i++) {
      if (m[i] < guess) {
        less++;
        if (m[i] > maxlt) maxlt = m[i];
      } else if (m[i] > guess) {
        greater++;
        if (m[i] < mingt) mingt = m[i];
      } else
        equal++;
    }
    if (less <= (n + 1) / 2 && greater <= (n + 1) / 2) break;
    if (less > greater)
      max = maxlt;
    else
      min = mingt;
  }
  if (less >= (n + 1) / 2) return maxlt;
  if (less + equal >= (n + 1) / 2) return guess;
  return mingt;
}

std::vector<float> RandomFloats(size_t n, uint32_t seed, float scale = 255.0f) {
  std::mt19937 rng(seed);
  std::uniform_real_distribution<float> dist(0.0f, scale);
  std::vector<float> v(n);
  for (float& x : v) x = dist(rng);
  return v;
}

bool BitwiseEqual(const std::vector<float>& a, const std::vector<float>& b) {
  return a.size() == b.size() && std::memcmp(a.data(), b.data(), a.size() * sizeof(float)) == 0;
}

// --- Hash256 ---

TEST(Hash256Test, HexPutsBit255FirstAndBit0Last) {
  Hash256 h;
  h.set_bit(0);
  EXPECT_EQ(h.ToHex(), std::string(63, '0') + "1");
  Hash256 top;
  top.set_bit(255);
  EXPECT_EQ(top.ToHex(), "8" + std::string(63, '0'));
}

TEST(Hash256Test, HexRoundTripsAndAcceptsUpperCase) {
  const std::string hex = "6ddb9264ada7424b94a6694b32cbc92566dbb227c937724993276cdb122692ae";
  auto parsed = Hash256::FromHex(hex);
  ASSERT_TRUE(parsed.ok()) << parsed.status().ToString();
  EXPECT_EQ(parsed->ToHex(), hex);
  std::string upper = hex;
  for (char& c : upper) c = static_cast<char>(std::toupper(c));
  auto parsed_upper = Hash256::FromHex(upper);
  ASSERT_TRUE(parsed_upper.ok());
  EXPECT_EQ(*parsed_upper, *parsed);
}

TEST(Hash256Test, FromHexRejectsWrongLengthAndBadDigits) {
  auto short_hex = Hash256::FromHex(std::string(63, 'a'));
  EXPECT_EQ(short_hex.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(short_hex.status().message().find("63"), std::string::npos);
  std::string bad(64, '0');
  bad[10] = 'g';
  auto bad_digit = Hash256::FromHex(bad);
  EXPECT_EQ(bad_digit.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(bad_digit.status().message().find("position 11"), std::string::npos);
  EXPECT_FALSE(Hash256::FromHex("").ok());
}

TEST(Hash256Test, HammingDistanceCountsDifferingBits) {
  Hash256 a, b;
  EXPECT_EQ(HammingDistance(a, b), 0);
  b.set_bit(0);
  b.set_bit(63);
  b.set_bit(64);
  b.set_bit(255);
  EXPECT_EQ(HammingDistance(a, b), 4);
  Hash256 all;
  all.words = {~0ull, ~0ull, ~0ull, ~0ull};
  EXPECT_EQ(HammingDistance(a, all), 256);
  EXPECT_EQ(HammingDistance(b, all), 252);
}

// --- Building blocks equal the reference's arithmetic bit for bit ---

TEST(PdqInternalTest, JaroszWindowMatchesReferenceFormula) {
  EXPECT_EQ(internal::JaroszWindowSize(512, 64), 4);
  EXPECT_EQ(internal::JaroszWindowSize(513, 64), 5);
  EXPECT_EQ(internal::JaroszWindowSize(64, 64), 1);
  EXPECT_EQ(internal::JaroszWindowSize(5, 64), 1);
  EXPECT_EQ(internal::JaroszWindowSize(1024, 64), 8);
}

TEST(PdqInternalTest, NearestSourceMatchesCImgNearestNeighbour) {
  // CImg maps output x to floor(x * old / new).
  EXPECT_EQ(internal::NearestSource(0, 1024, 512), 0);
  EXPECT_EQ(internal::NearestSource(1, 1024, 512), 2);
  EXPECT_EQ(internal::NearestSource(511, 1000, 512), 998);  // 511*1000/512 = 998.05
  EXPECT_EQ(internal::NearestSource(3, 400, 512), 2);       // upscaling: 3*400/512 = 2.34
}

TEST(PdqInternalTest, BoxAlongColumnsEqualsReferenceBox1DOnEveryColumn) {
  for (int window : {1, 2, 3, 4, 5, 7, 8, 9}) {
    for (auto [rows, cols] : {std::pair{37, 5}, std::pair{64, 64}, std::pair{200, 33}}) {
      if (window > rows) continue;
      auto in = RandomFloats(static_cast<size_t>(rows) * cols, 7 * window + rows);
      std::vector<float> want(in.size()), got(in.size());
      for (int j = 0; j < cols; ++j) NaiveBox1D(&in[j], &want[j], rows, cols, window);
      internal::BoxAlongColumns(in.data(), got.data(), rows, cols, window);
      EXPECT_TRUE(BitwiseEqual(want, got))
          << "window " << window << " size " << rows << "x" << cols;
    }
  }
}

TEST(PdqInternalTest, TransposeSwapsAxes) {
  const int rows = 19, cols = 45;
  auto in = RandomFloats(rows * cols, 3);
  std::vector<float> out(in.size());
  internal::Transpose(in.data(), out.data(), rows, cols);
  for (int r = 0; r < rows; ++r)
    for (int c = 0; c < cols; ++c) ASSERT_EQ(out[c * rows + r], in[r * cols + c]);
}

TEST(PdqInternalTest, DctEqualsReferenceLoopOrder) {
  auto a = RandomFloats(64 * 64, 11);
  // Reference dct64To16: T = D A with k summed in order, then B = T D^T likewise.
  const float* d = internal::DctMatrix();
  std::vector<float> t(16 * 64), want(256), got(256);
  for (int i = 0; i < 16; i++)
    for (int j = 0; j < 64; j++) {
      float s = 0.0f;
      for (int k = 0; k < 64; k++) s += d[i * 64 + k] * a[k * 64 + j];
      t[i * 64 + j] = s;
    }
  for (int i = 0; i < 16; i++)
    for (int j = 0; j < 16; j++) {
      float s = 0.0f;
      for (int k = 0; k < 64; k++) s += t[i * 64 + k] * d[j * 64 + k];
      want[i * 16 + j] = s;
    }
  internal::Dct64To16(a.data(), got.data());
  EXPECT_TRUE(BitwiseEqual(want, got));
}

TEST(PdqInternalTest, DctMatrixRowsAreOrthonormalCosines) {
  const float* d = internal::DctMatrix();
  // Row i is sqrt(2/64) cos(pi (i+1) (2j+1) / 128): unit length, mutually orthogonal.
  for (int i = 0; i < 16; ++i) {
    double self = 0, other = 0;
    for (int j = 0; j < 64; ++j) {
      self += double{d[i * 64 + j]} * d[i * 64 + j];
      other += double{d[i * 64 + j]} * d[((i + 1) % 16) * 64 + j];
    }
    EXPECT_NEAR(self, 1.0, 1e-5);
    EXPECT_NEAR(other, 0.0, 1e-5);
  }
}

TEST(PdqInternalTest, MedianThresholdEqualsTorbenIncludingTies) {
  for (uint32_t seed = 0; seed < 20; ++seed) {
    auto v = RandomFloats(256, seed, 10.0f);
    if (seed % 2) {
      for (float& x : v) x = std::round(x);  // many ties
    }
    const float median = NaiveTorben(v.data(), 256);
    Hash256 want;
    for (int k = 0; k < 256; ++k)
      if (v[k] > median) want.set_bit(k);
    EXPECT_EQ(internal::BitsFromDct(v.data()), want) << "seed " << seed;
  }
}

TEST(PdqInternalTest, QualityOfOneHardEdgeIsHandComputed) {
  // Left half 0, right half 255: each of 64 rows has one horizontal step of 255, worth
  // |(0 - 255) * 100 / 255| = 100; no vertical steps. 64 * 100 / 90 = 71.
  std::vector<float> block(64 * 64, 0.0f);
  for (int i = 0; i < 64; ++i)
    for (int j = 32; j < 64; ++j) block[i * 64 + j] = 255.0f;
  EXPECT_EQ(internal::QualityMetric(block.data()), 71);
  std::vector<float> flat(64 * 64, 128.0f);
  EXPECT_EQ(internal::QualityMetric(flat.data()), 0);
}

// --- Public behaviour ---

std::vector<uint8_t> Checkerboard(int w, int h, int channels, int cell) {
  std::vector<uint8_t> px(static_cast<size_t>(w) * h * channels);
  for (int y = 0; y < h; ++y)
    for (int x = 0; x < w; ++x)
      for (int c = 0; c < channels; ++c)
        px[(static_cast<size_t>(y) * w + x) * channels + c] =
            static_cast<uint8_t>((((x / cell) + (y / cell)) % 2) ? 200 + 20 * c : 30 + 10 * c);
  return px;
}

TEST(PdqTest, ImagesUnderFivePixelsGetZeroHashAndQuality) {
  auto px = Checkerboard(4, 100, 3, 2);
  auto r = PdqHash({px.data(), 4, 100, 3, 0});
  ASSERT_TRUE(r.ok());
  EXPECT_TRUE(r->hash.is_zero());
  EXPECT_EQ(r->quality, 0);
}

TEST(PdqTest, MalformedViewsAreInvalidArgument) {
  std::vector<uint8_t> px(300);
  EXPECT_EQ(PdqHash({nullptr, 10, 10, 3, 0}).status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(PdqHash({px.data(), 0, 10, 3, 0}).status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(PdqHash({px.data(), 10, 10, 4, 0}).status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(PdqHash({px.data(), 10, 10, 3, 20}).status().code(), StatusCode::kInvalidArgument);
}

TEST(PdqTest, RgbImageWithOnlyGreyPixelsHashesLikeGreyscale) {
  // ImageMagick hands such an image to the reference as greyscale PNM.
  auto grey = Checkerboard(100, 80, 1, 7);
  std::vector<uint8_t> rgb;
  for (uint8_t v : grey) rgb.insert(rgb.end(), {v, v, v});
  auto a = PdqHash({grey.data(), 100, 80, 1, 0});
  auto b = PdqHash({rgb.data(), 100, 80, 3, 0});
  ASSERT_TRUE(a.ok() && b.ok());
  EXPECT_EQ(a->hash, b->hash);
  EXPECT_EQ(a->quality, b->quality);
}

TEST(PdqTest, RowStrideSkipsPadding) {
  auto px = Checkerboard(50, 40, 3, 5);
  std::vector<uint8_t> padded;
  for (int y = 0; y < 40; ++y) {
    padded.insert(padded.end(), px.begin() + y * 150, px.begin() + (y + 1) * 150);
    padded.insert(padded.end(), 10, 0xAB);
  }
  auto a = PdqHash({px.data(), 50, 40, 3, 0});
  auto b = PdqHash({padded.data(), 50, 40, 3, 160});
  ASSERT_TRUE(a.ok() && b.ok());
  EXPECT_EQ(a->hash, b->hash);
}

TEST(PdqTest, AreaResamplingOfAPixelDoubledImageEqualsTheOriginal) {
  // Averaging each 2x2 block of a pixel-doubled 1024x1024 image gives back the 512x512
  // image exactly, so kArea must agree with hashing the original.
  auto small = Checkerboard(512, 512, 3, 9);
  for (size_t i = 0; i < small.size(); ++i) small[i] = static_cast<uint8_t>(small[i] + i % 13);
  std::vector<uint8_t> big(1024 * 1024 * 3);
  for (int y = 0; y < 1024; ++y)
    for (int x = 0; x < 1024; ++x)
      for (int c = 0; c < 3; ++c)
        big[(y * 1024 + x) * 3 + c] = small[((y / 2) * 512 + x / 2) * 3 + c];
  auto want = PdqHash({small.data(), 512, 512, 3, 0});
  auto got = PdqHash({big.data(), 1024, 1024, 3, 0}, {Resampling::kArea});
  ASSERT_TRUE(want.ok() && got.ok());
  EXPECT_EQ(got->hash, want->hash);
  EXPECT_EQ(got->quality, want->quality);
}

TEST(PdqTest, DihedralOriginalEqualsPlainHashExceptAt64x64) {
  auto px = Checkerboard(120, 90, 3, 11);
  auto plain = PdqHash({px.data(), 120, 90, 3, 0});
  auto dih = PdqHashDihedral({px.data(), 120, 90, 3, 0});
  ASSERT_TRUE(plain.ok() && dih.ok());
  EXPECT_EQ(dih->hashes[0], plain->hash);
  EXPECT_EQ(dih->quality, plain->quality);
}

TEST(PdqTest, DihedralNamesFollowReferenceOrder) {
  const char* names[] = {"orig",  "rot90", "rot180",    "rot270",
                         "flipx", "flipy", "flipplus1", "flipminus1"};
  for (int d = 0; d < kDihedralCount; ++d)
    EXPECT_EQ(DihedralName(static_cast<Dihedral>(d)), names[d]);
}

}  // namespace
}  // namespace vigil::hash
