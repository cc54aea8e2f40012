#include "core/text.h"

#include <gtest/gtest.h>

#include <array>
#include <cstdint>
#include <vector>

namespace vigil {
namespace {

TEST(EscapeHtmlTest, EachSpecialCharacterBecomesItsEntityAndTheRestIsKept) {
  EXPECT_EQ(EscapeHtml(R"(<a href="x">Tom & Jerry's</a>)"),
            "&lt;a href=&quot;x&quot;&gt;Tom &amp; Jerry&#39;s&lt;/a&gt;");
  EXPECT_EQ(EscapeHtml("Grüße, plain text"), "Grüße, plain text");
  EXPECT_EQ(EscapeHtml(""), "");
  EXPECT_EQ(EscapeHtml("&amp;"), "&amp;amp;");  // escaping is not idempotent: escape once
}

TEST(HexToBytesTest, DecodesBothCasesIntoTheGivenBytes) {
  std::array<uint8_t, 4> out{};
  ASSERT_TRUE(HexToBytes("00fFa5C3", out).ok());
  EXPECT_EQ(out, (std::array<uint8_t, 4>{0x00, 0xff, 0xa5, 0xc3}));
  // MD5("abc") from RFC 1321's test suite, as bytes.
  std::array<uint8_t, 16> md5{};
  ASSERT_TRUE(HexToBytes("900150983cd24fb0d6963f7d28e17f72", md5).ok());
  EXPECT_EQ(md5[0], 0x90);
  EXPECT_EQ(md5[1], 0x01);
  EXPECT_EQ(md5[15], 0x72);
  std::array<uint8_t, 0> none{};
  EXPECT_TRUE(HexToBytes("", none).ok());
}

TEST(HexToBytesTest, RefusesAWrongLengthNamingBoth) {
  std::array<uint8_t, 2> out{};
  Status s = HexToBytes("abc", out);
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(s.message(), "expected 4 hex digits, got 3 characters");
  EXPECT_EQ(HexToBytes("abcdef", out).message(), "expected 4 hex digits, got 6 characters");
}

TEST(HexToBytesTest, RefusesANonDigitNamingItsPosition) {
  std::array<uint8_t, 2> out{};
  EXPECT_EQ(HexToBytes("0g00", out).message(), "'g' at position 2 is not a hex digit");
  EXPECT_EQ(HexToBytes("000G", out).message(), "'G' at position 4 is not a hex digit");
  // Prefixes, separators and whitespace are not hex; control bytes are shown escaped.
  EXPECT_EQ(HexToBytes("0x00", out).message(), "'x' at position 2 is not a hex digit");
  EXPECT_EQ(HexToBytes(" 0a0", out).message(), "' ' at position 1 is not a hex digit");
  EXPECT_EQ(HexToBytes(std::string_view("0\n00", 4), out).message(),
            "\\x0a at position 2 is not a hex digit");
  EXPECT_EQ(HexToBytes("00\xff"
                       "0",
                       out)
                .message(),
            "\\xff at position 3 is not a hex digit");
  // The characters just outside each digit range.
  for (char c : {'/', ':', '@', 'G', '`', 'g'}) {
    EXPECT_FALSE(HexToBytes(std::string{'0', c}, std::span<uint8_t>(out.data(), 1)).ok()) << c;
  }
}

TEST(HexToBytesTest, AnyEvenLengthIntoAVector) {
  auto bytes = HexToBytes("DEADbeef01");
  ASSERT_TRUE(bytes.ok()) << bytes.status().message();
  EXPECT_EQ(*bytes, (std::vector<uint8_t>{0xde, 0xad, 0xbe, 0xef, 0x01}));
  auto empty = HexToBytes("");
  ASSERT_TRUE(empty.ok());
  EXPECT_TRUE(empty->empty());
  EXPECT_EQ(HexToBytes("abc").status().message(),
            "hex needs an even number of digits, got 3 characters");
  EXPECT_EQ(HexToBytes("zz").status().code(), StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace vigil
