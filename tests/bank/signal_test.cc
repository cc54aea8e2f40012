// Signal types and values, bank names, timestamps: the validation every entry goes through.
#include "bank/signal.h"

#include <gtest/gtest.h>

#include "bank/timestamp.h"
#include "bank/types.h"

namespace vigil::bank {
namespace {

using std::chrono::sys_days;

TEST(SignalTypeTest, ParsesVigilAndThreatExchangeNamesIgnoringCase) {
  EXPECT_EQ(*ParseSignalType("pdq"), SignalType::kPdq);
  EXPECT_EQ(*ParseSignalType("PDQ"), SignalType::kPdq);
  EXPECT_EQ(*ParseSignalType("md5"), SignalType::kMd5);
  EXPECT_EQ(*ParseSignalType("video_md5"), SignalType::kMd5);
  EXPECT_EQ(*ParseSignalType("sha256"), SignalType::kSha256);
  EXPECT_EQ(*ParseSignalType("video_sha256"), SignalType::kSha256);
  EXPECT_EQ(*ParseSignalType("VPDQ"), SignalType::kVpdq);
  EXPECT_EQ(ParseSignalType("tmk").status().message(),
            "unknown signal type 'tmk' (known: pdq, md5, sha256, vpdq, video_md5, video_sha256)");
  EXPECT_EQ(ParseSignalType("").status().code(), StatusCode::kInvalidArgument);
}

TEST(SignalTypeTest, NamesAndSizes) {
  EXPECT_EQ(SignalTypeName(SignalType::kSha256), "sha256");
  EXPECT_EQ(ThreatExchangeName(SignalType::kMd5), "video_md5");
  EXPECT_EQ(ThreatExchangeName(SignalType::kPdq), "pdq");
  EXPECT_EQ(SignalValueBytes(SignalType::kPdq), 32u);
  EXPECT_EQ(SignalValueBytes(SignalType::kMd5), 16u);
  EXPECT_EQ(SignalValueBytes(SignalType::kSha256), 32u);
  EXPECT_EQ(SignalTypeName(SignalType::kVpdq), "vpdq");
  EXPECT_EQ(ThreatExchangeName(SignalType::kVpdq), "vpdq");
  EXPECT_EQ(SignalValueBytes(SignalType::kVpdq), 0u);  // varies
  EXPECT_FALSE(IsFixedSizeSignal(SignalType::kVpdq));
  EXPECT_TRUE(IsFixedSizeSignal(SignalType::kMd5));
}

TEST(SignalValueTest, RawBytesRoundTripAndWrongSizesAreRefused) {
  const std::string md5 = "d41d8cd98f00b204e9800998ecf8427e";
  auto bytes = SignalValueToBytes(SignalType::kMd5, "D41D8CD98F00B204E9800998ECF8427E");
  ASSERT_TRUE(bytes.ok());
  ASSERT_EQ(bytes->size(), 16u);
  EXPECT_EQ(static_cast<uint8_t>((*bytes)[0]), 0xd4);
  const std::span<const uint8_t> raw(reinterpret_cast<const uint8_t*>(bytes->data()), 16);
  EXPECT_EQ(SignalValueFromBytes(SignalType::kMd5, raw).value(), md5);
  auto wrong = SignalValueFromBytes(SignalType::kPdq, raw);
  EXPECT_EQ(wrong.status().message(), "a pdq value needs 32 bytes, got 16");
}

TEST(SignalValueTest, NormalisesToLowercase) {
  EXPECT_EQ(*NormalizeSignalValue(SignalType::kMd5, "D41D8CD98F00B204E9800998ECF8427E"),
            "d41d8cd98f00b204e9800998ecf8427e");
}

TEST(SignalValueTest, WrongLengthSaysExpectedAndActual) {
  EXPECT_EQ(NormalizeSignalValue(SignalType::kPdq, std::string(63, 'a')).status().message(),
            "pdq value needs 64 hex digits, got 63 characters");
  EXPECT_EQ(NormalizeSignalValue(SignalType::kMd5, std::string(64, 'a')).status().message(),
            "md5 value needs 32 hex digits, got 64 characters");
}

TEST(SignalValueTest, BadCharacterIsNamedEscapedWithPosition) {
  std::string v(32, 'a');
  v[2] = 'g';
  EXPECT_EQ(NormalizeSignalValue(SignalType::kMd5, v).status().message(),
            "md5 value has a non-hex character 'g' at position 3");
  v[2] = '\0';
  EXPECT_EQ(NormalizeSignalValue(SignalType::kMd5, v).status().message(),
            "md5 value has a non-hex character '\\x00' at position 3");
}

TEST(SignalValueTest, BytesToHexIsLowercase) {
  const uint8_t bytes[] = {0x0a, 0xff, 0x00, 0xc3};
  EXPECT_EQ(BytesToHex(bytes), "0aff00c3");
}

TEST(EscapeForMessageTest, KeepsPrintableEscapesRestAndTruncates) {
  EXPECT_EQ(EscapeForMessage("ok\x01\xff"), "ok\\x01\\xff");
  EXPECT_EQ(EscapeForMessage(std::string(100, 'a'), 5), "aaaaa...");
}

TEST(BankNameTest, AcceptsSafeNamesOnly) {
  EXPECT_TRUE(ValidateBankName("NCMEC_esp-2024.v1").ok());
  EXPECT_EQ(ValidateBankName("").message(), "bank name is empty");
  EXPECT_EQ(ValidateBankName("a b").message(),
            "bank name 'a b' may contain only letters, digits, '_', '-' and '.'");
  EXPECT_EQ(ValidateBankName(".hidden").message(),
            "bank name '.hidden' must start with a letter or digit");
  EXPECT_EQ(ValidateBankName(std::string(65, 'a')).code(), StatusCode::kInvalidArgument);
}

TEST(NewEntryTest, ChecksEveryField) {
  NewEntry e{.signal_type = SignalType::kPdq, .value = std::string(64, 'a')};
  EXPECT_TRUE(ValidateNewEntry(e).ok());
  e.verifications = -1;
  EXPECT_EQ(ValidateNewEntry(e).message(), "verifications must be 0..1000, got -1");
  e.verifications = 0;
  e.source_ref = std::string(1025, 'r');
  EXPECT_EQ(ValidateNewEntry(e).message(), "source_ref is 1025 bytes, more than the limit of 1024");
  e.source_ref = "bad \xff utf8";
  EXPECT_EQ(ValidateNewEntry(e).message(), "source_ref is not valid UTF-8");
  e.source_ref = "caf\xc3\xa9";  // valid UTF-8
  EXPECT_TRUE(ValidateNewEntry(e).ok());
  e.retired_reason = "why";
  EXPECT_EQ(ValidateNewEntry(e).message(), "retired_reason given without retired_at");
  e.retired_at = TimePoint{};
  EXPECT_TRUE(ValidateNewEntry(e).ok());
  e.retired_reason = "";
  EXPECT_EQ(ValidateNewEntry(e).message(), "a retirement needs a reason");
}

TEST(TimestampTest, AcceptsUtcForms) {
  const TimePoint day = sys_days(std::chrono::year(2024) / 5 / 1);
  const TimePoint t = day + std::chrono::hours(12) + std::chrono::minutes(30);
  EXPECT_EQ(*ParseUtcTimestamp("2024-05-01T12:30:00Z"), t);
  EXPECT_EQ(*ParseUtcTimestamp("2024-05-01 12:30:00.123Z"), t);
  EXPECT_EQ(*ParseUtcTimestamp("2024-05-01T12:30:00+00:00"), t);
  EXPECT_EQ(*ParseUtcTimestamp("2024-05-01"), day);
  EXPECT_EQ(FormatUtc(*ParseUtcTimestamp(FormatUtc(t))), FormatUtc(t));
}

TEST(TimestampTest, RefusesOtherZonesAndNonsense) {
  EXPECT_EQ(ParseUtcTimestamp("2024-05-01T12:30:00+02:00").status().message(),
            "bad timestamp '2024-05-01T12:30:00+02:00': time zone must be Z (UTC) (expected UTC "
            "like 2024-05-01T12:30:00Z or 2024-05-01)");
  EXPECT_FALSE(ParseUtcTimestamp("2024-02-30").ok());
  EXPECT_FALSE(ParseUtcTimestamp("yesterday").ok());
  EXPECT_FALSE(ParseUtcTimestamp("2024-05-01T25:00:00Z").ok());
  EXPECT_FALSE(ParseUtcTimestamp("").ok());
  EXPECT_FALSE(ParseUtcTimestamp("2024-05-01T12:30:00").ok());
}

}  // namespace
}  // namespace vigil::bank
