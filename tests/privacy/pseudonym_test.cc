// Pseudonymisation: HMAC-SHA-256 (checked against RFC 4231 and Python's hmac), key files, key
// rotation.
#include "privacy/pseudonym.h"

#include <gtest/gtest.h>

namespace vigil::privacy {
namespace {

std::vector<uint8_t> Bytes(size_t n, uint8_t value) { return std::vector<uint8_t>(n, value); }

std::vector<uint8_t> Counting(size_t n) {
  std::vector<uint8_t> v(n);
  for (size_t i = 0; i < n; ++i) v[i] = static_cast<uint8_t>(i);
  return v;
}

TEST(PseudonymiserTest, IsHmacSha256OfTheIdentifier) {
  // RFC 4231 test case 6: a 131-byte key of 0xaa.
  auto p = Pseudonymiser::Create({{"rfc", Bytes(131, 0xaa)}}, "rfc");
  ASSERT_TRUE(p.ok()) << p.status().ToString();
  EXPECT_EQ(p->Pseudonymise("Test Using Larger Than Block-Size Key - Hash Key First"),
            "p1.rfc.60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54");
  // Python: hmac.new(bytes(range(32)), b"account-12345", hashlib.sha256).hexdigest()
  auto q = Pseudonymiser::Create({{"k1", Counting(32)}}, "k1");
  ASSERT_TRUE(q.ok());
  EXPECT_EQ(q->Pseudonymise("account-12345"),
            "p1.k1.29a2beb5da8cfd6ebcb9fe04fa05ebe441eea3156458c8a41736e33b61f47edc");
  EXPECT_TRUE(Pseudonymiser::LooksPseudonymised(q->Pseudonymise("anything")));
  EXPECT_FALSE(Pseudonymiser::LooksPseudonymised("account-12345"));
  EXPECT_FALSE(Pseudonymiser::LooksPseudonymised("p1.k1.29a2"));
}

TEST(PseudonymiserTest, RotationKeepsOldPseudonymsFindable) {
  auto before = Pseudonymiser::Create({{"k1", Counting(32)}}, "k1");
  auto after = Pseudonymiser::Create({{"k1", Counting(32)}, {"k2", Bytes(32, 7)}}, "k2");
  ASSERT_TRUE(before.ok() && after.ok());
  const std::string old = before->Pseudonymise("acct");
  EXPECT_NE(after->Pseudonymise("acct"), old);
  EXPECT_TRUE(after->Pseudonymise("acct").starts_with("p1.k2."));
  const auto all = after->AllPseudonyms("acct");
  ASSERT_EQ(all.size(), 2u);
  EXPECT_EQ(all[0], after->Pseudonymise("acct"));  // current first
  EXPECT_EQ(all[1], old);
  EXPECT_EQ(after->current_key_id(), "k2");
}

TEST(PseudonymiserTest, RefusesWeakOrAmbiguousKeys) {
  EXPECT_EQ(Pseudonymiser::Create({}, "k1").status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(Pseudonymiser::Create({{"k1", Bytes(31, 1)}}, "k1").status().code(),
            StatusCode::kInvalidArgument);
  EXPECT_EQ(
      Pseudonymiser::Create({{"k1", Bytes(32, 1)}, {"k1", Bytes(32, 2)}}, "k1").status().code(),
      StatusCode::kInvalidArgument);
  EXPECT_EQ(Pseudonymiser::Create({{"k1", Bytes(32, 1)}}, "k2").status().code(),
            StatusCode::kInvalidArgument);
  EXPECT_EQ(Pseudonymiser::Create({{"bad id", Bytes(32, 1)}}, "bad id").status().code(),
            StatusCode::kInvalidArgument);
}

TEST(PseudonymKeysTest, ParsesLinesAndComments) {
  const std::string hex64(64, 'a');
  auto keys = ParsePseudonymKeys(
      "# keys\n\nk1 " + hex64 + "\n  k2\t" + std::string(66, 'B') + "  \r\n", "keys.txt");
  ASSERT_TRUE(keys.ok()) << keys.status().ToString();
  ASSERT_EQ(keys->size(), 2u);
  EXPECT_EQ((*keys)[0].id, "k1");
  EXPECT_EQ((*keys)[0].secret, Bytes(32, 0xaa));
  EXPECT_EQ((*keys)[1].secret, Bytes(33, 0xbb));
}

TEST(PseudonymKeysTest, ErrorsNameTheLineButNeverTheSecret) {
  const std::string short_secret = "k1 0123456789abcdef";
  auto bad = ParsePseudonymKeys("# ok\n" + short_secret + "\n", "keys.txt");
  EXPECT_EQ(bad.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(bad.status().message().find("keys.txt line 2"), std::string::npos);
  EXPECT_EQ(bad.status().message().find("0123456789abcdef"), std::string::npos);
  EXPECT_FALSE(ParsePseudonymKeys("k1 " + std::string(63, 'a'), "f").ok());  // odd hex
  EXPECT_FALSE(ParsePseudonymKeys("k1 " + std::string(64, 'g'), "f").ok());  // not hex
  EXPECT_FALSE(ParsePseudonymKeys("# only comments\n", "f").ok());
}

}  // namespace
}  // namespace vigil::privacy
