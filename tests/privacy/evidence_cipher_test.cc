// Evidence encryption: round trips at chunk boundaries, and every kind of damage is detected
// with an error naming the evidence (flipped bytes anywhere, truncation, extension, another
// evidence id, a wrong or unknown master key); rotation keeps old files readable.
#include "privacy/evidence_cipher.h"

#include <gtest/gtest.h>

namespace vigil::privacy {
namespace {

MasterKey Key(uint8_t fill) {
  MasterKey k{};
  k.fill(fill);
  return k;
}

std::vector<uint8_t> Pattern(size_t n) {
  std::vector<uint8_t> v(n);
  for (size_t i = 0; i < n; ++i) v[i] = static_cast<uint8_t>(i * 31 + 7);
  return v;
}

EvidenceCipher Cipher(std::map<std::string, MasterKey> keys, std::string current) {
  auto c = EvidenceCipher::Create(std::move(keys), std::move(current));
  EXPECT_TRUE(c.ok()) << c.status().ToString();
  return std::move(*c);
}

TEST(EvidenceCipherTest, RoundTripsAtChunkBoundaries) {
  const EvidenceCipher c = Cipher({{"m1", Key(1)}}, "m1");
  for (size_t n :
       {size_t{0}, size_t{1}, size_t{65535}, size_t{65536}, size_t{65537}, size_t{200000}}) {
    const auto plain = Pattern(n);
    auto sealed = c.Seal(plain, "case:1/item:1");
    ASSERT_TRUE(sealed.ok()) << sealed.status().ToString();
    EXPECT_GT(sealed->size(), n);
    auto opened = c.Open(*sealed, "case:1/item:1");
    ASSERT_TRUE(opened.ok()) << n << ": " << opened.status().ToString();
    EXPECT_EQ(*opened, plain) << n;
  }
}

TEST(EvidenceCipherTest, EachFileHasItsOwnKey) {
  const EvidenceCipher c = Cipher({{"m1", Key(1)}}, "m1");
  const auto plain = Pattern(100);
  EXPECT_NE(*c.Seal(plain, "x"), *c.Seal(plain, "x"));
}

TEST(EvidenceCipherTest, AnyFlippedByteIsDetected) {
  const EvidenceCipher c = Cipher({{"m1", Key(1)}}, "m1");
  const auto sealed = *c.Seal(Pattern(70000), "case:9");  // two chunks
  // Skip the key-id length byte and key id (a change there is an unknown key: NotFound).
  for (size_t i = 8; i < sealed.size(); i += 97) {
    auto damaged = sealed;
    damaged[i] ^= 0x01;
    auto opened = c.Open(damaged, "case:9");
    ASSERT_FALSE(opened.ok()) << "byte " << i;
    EXPECT_EQ(opened.status().code(), StatusCode::kDataLoss) << "byte " << i;
    EXPECT_NE(opened.status().message().find("evidence case:9"), std::string::npos);
  }
}

TEST(EvidenceCipherTest, TruncationAndExtensionAreDetected) {
  const EvidenceCipher c = Cipher({{"m1", Key(1)}}, "m1");
  const auto sealed = *c.Seal(Pattern(70000), "e");
  // Cut exactly after the first chunk: every remaining byte is valid, but the final tag is gone.
  const size_t header = 5 + 1 + 2 + 24 + 48 + 24;
  const size_t first_chunk = 4 + 65536 + 17;
  std::vector<uint8_t> cut(sealed.begin(), sealed.begin() + header + first_chunk);
  auto truncated = c.Open(cut, "e");
  EXPECT_EQ(truncated.status().code(), StatusCode::kDataLoss);
  EXPECT_NE(truncated.status().message().find("truncated"), std::string::npos)
      << truncated.status().ToString();
  for (size_t len : {size_t{0}, size_t{3}, size_t{50}, sealed.size() - 1}) {
    std::vector<uint8_t> shorter(sealed.begin(), sealed.begin() + len);
    EXPECT_EQ(c.Open(shorter, "e").status().code(), StatusCode::kDataLoss) << len;
  }
  auto longer = sealed;
  longer.push_back(0);
  auto extended = c.Open(longer, "e");
  EXPECT_NE(extended.status().message().find("after the final chunk"), std::string::npos);
}

TEST(EvidenceCipherTest, AFileMovedToAnotherIdDoesNotOpen) {
  const EvidenceCipher c = Cipher({{"m1", Key(1)}}, "m1");
  const auto sealed = *c.Seal(Pattern(10), "case:1/item:1");
  EXPECT_EQ(c.Open(sealed, "case:2/item:1").status().code(), StatusCode::kDataLoss);
}

TEST(EvidenceCipherTest, WrongAndUnknownMasterKeys) {
  const auto sealed = *Cipher({{"m1", Key(1)}}, "m1").Seal(Pattern(10), "e");
  EXPECT_EQ(Cipher({{"m1", Key(2)}}, "m1").Open(sealed, "e").status().code(),
            StatusCode::kDataLoss);
  auto unknown = Cipher({{"m2", Key(1)}}, "m2").Open(sealed, "e");
  EXPECT_EQ(unknown.status().code(), StatusCode::kNotFound);
  EXPECT_NE(unknown.status().message().find("'m1'"), std::string::npos);
}

TEST(EvidenceCipherTest, RotationKeepsOldFilesReadable) {
  const auto old_file = *Cipher({{"m1", Key(1)}}, "m1").Seal(Pattern(10), "e");
  const EvidenceCipher rotated = Cipher({{"m1", Key(1)}, {"m2", Key(2)}}, "m2");
  EXPECT_EQ(*rotated.Open(old_file, "e"), Pattern(10));
  const auto new_file = *rotated.Seal(Pattern(10), "e");
  EXPECT_EQ(Cipher({{"m1", Key(1)}}, "m1").Open(new_file, "e").status().code(),
            StatusCode::kNotFound);
}

TEST(EvidenceCipherTest, NotAnEvidenceFile) {
  const EvidenceCipher c = Cipher({{"m1", Key(1)}}, "m1");
  const std::vector<uint8_t> jpeg = {0xff, 0xd8, 0xff, 0xe0, 0, 0x10};
  auto r = c.Open(jpeg, "e");
  EXPECT_EQ(r.status().code(), StatusCode::kDataLoss);
  EXPECT_NE(r.status().message().find("bad magic"), std::string::npos);
}

TEST(MasterKeysTest, ParsesAndRequires32Bytes) {
  auto keys =
      ParseMasterKeys("m1 " + std::string(64, '0') + "\nm2 " + std::string(64, 'f'), "master.keys");
  ASSERT_TRUE(keys.ok()) << keys.status().ToString();
  EXPECT_EQ(keys->at("m2"), Key(0xff));
  auto long_key = ParseMasterKeys("m1 " + std::string(66, '0'), "master.keys");
  EXPECT_NE(long_key.status().message().find("exactly 32 bytes"), std::string::npos);
  EXPECT_FALSE(EvidenceCipher::Create({{"m1", Key(1)}}, "m9").ok());
}

}  // namespace
}  // namespace vigil::privacy
