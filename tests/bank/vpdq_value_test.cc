// vPDQ bank values: the text form, the raw form and reference files (bank/vpdq_value.h).
#include "bank/vpdq_value.h"

#include <fmt/format.h>
#include <gtest/gtest.h>

#include "bank/signal.h"

namespace vigil::bank {
namespace {

const std::string kHashA(64, 'a');
const std::string kHashB = std::string(63, '0') + "1";

std::string Message(const Status& s) { return s.message(); }

TEST(VpdqValueTest, ParsesTheReferenceLineFieldsExactly) {
  auto frames = ParseVpdqValue("29,87," + kHashB + ",0.967;0,100," + kHashA + ",12");
  ASSERT_TRUE(frames.ok()) << frames.status().ToString();
  ASSERT_EQ(frames->size(), 2u);
  EXPECT_EQ((*frames)[0].frame_number, 29);
  EXPECT_EQ((*frames)[0].quality, 87);
  EXPECT_EQ((*frames)[0].hash[31], 1);
  EXPECT_EQ((*frames)[0].hash[0], 0);
  EXPECT_EQ((*frames)[0].timestamp_ms, 967);
  EXPECT_EQ((*frames)[1].timestamp_ms, 12000);
  EXPECT_EQ((*frames)[1].hash[0], 0xaa);
  // Order is kept; timestamps print with three decimals.
  EXPECT_EQ(FormatVpdqValue(*frames), "29,87," + kHashB + ",0.967;0,100," + kHashA + ",12.000");
}

TEST(VpdqValueTest, NormalisingLowercasesAndDropsRepeatedHashesKeepingTheFirst) {
  std::string upper = kHashA;
  for (char& c : upper) c = 'A';
  auto v = NormalizeVpdqValue("0,40," + upper + ",0.0;30,100," + kHashB + ",1.000;60,100," +
                              kHashA + ",2.000");
  ASSERT_TRUE(v.ok()) << v.status().ToString();
  EXPECT_EQ(*v, "0,40," + kHashA + ",0.000;30,100," + kHashB + ",1.000");
  EXPECT_EQ(NormalizeSignalValue(SignalType::kVpdq, *v).value(), *v);
}

TEST(VpdqValueTest, BadFramesNameTheFrameAndField) {
  struct Case {
    std::string value, message;
  };
  const std::vector<Case> cases = {
      {"", "no frames"},
      {"0,100," + kHashA, "vpdq frame 1: 3 comma-separated fields instead of 4"},
      {"0,100," + kHashA + ",0.000,9", "more than 4"},
      {"0,100," + kHashA + ",0.000;", "vpdq frame 2: 1 comma-separated field instead"},
      {"-1,100," + kHashA + ",0.000", "frame number '-1'"},
      {"0,101," + kHashA + ",0.000", "quality '101' is not an integer 0..100"},
      {"0,1e2," + kHashA + ",0.000", "quality '1e2'"},
      {"0,100," + kHashA.substr(1) + ",0.000", "is not 64 hex digits"},
      {"0,100," + std::string(63, 'a') + "g,0.000", "is not 64 hex digits"},
      {"0,100," + kHashA + ",0.0005", "timestamp '0.0005'"},
      {"0,100," + kHashA + ",nan", "timestamp 'nan'"},
      {"0,100," + kHashA + ",-1.000", "timestamp '-1.000'"},
  };
  for (const Case& c : cases) {
    auto v = NormalizeSignalValue(SignalType::kVpdq, c.value);
    EXPECT_EQ(v.status().code(), StatusCode::kInvalidArgument) << c.value;
    EXPECT_NE(Message(v.status()).find(c.message), std::string::npos)
        << c.value << " -> " << v.status().ToString();
  }
}

TEST(VpdqValueTest, RawFormIsVersionedFixedSizeFramesAndRoundTrips) {
  const std::string text = "29,87," + kHashB + ",0.967;300,100," + kHashA + ",10.010";
  auto bytes = SignalValueToBytes(SignalType::kVpdq, text);
  ASSERT_TRUE(bytes.ok());
  ASSERT_EQ(bytes->size(), 1u + 2 * 49);
  EXPECT_EQ((*bytes)[0], 1);
  EXPECT_EQ(static_cast<uint8_t>((*bytes)[1]), 29);  // frame number, little-endian
  EXPECT_EQ(static_cast<uint8_t>((*bytes)[9]), 87);  // quality
  EXPECT_EQ(static_cast<uint8_t>((*bytes)[41]), 1);  // last hash byte
  EXPECT_EQ(static_cast<uint8_t>((*bytes)[42]), 967 & 0xff);
  EXPECT_EQ(static_cast<uint8_t>((*bytes)[43]), 967 >> 8);
  const std::span<const uint8_t> raw(reinterpret_cast<const uint8_t*>(bytes->data()),
                                     bytes->size());
  EXPECT_EQ(SignalValueFromBytes(SignalType::kVpdq, raw).value(), text);
  // Damaged raw values are errors, never garbage text.
  EXPECT_FALSE(SignalValueFromBytes(SignalType::kVpdq, raw.first(raw.size() - 1)).ok());
  EXPECT_FALSE(SignalValueFromBytes(SignalType::kVpdq, raw.first(1)).ok());
  std::string bad = *bytes;
  bad[0] = 2;
  EXPECT_FALSE(SignalValueFromBytes(SignalType::kVpdq,
                                    {reinterpret_cast<const uint8_t*>(bad.data()), bad.size()})
                   .ok());
  bad = *bytes;
  bad[9] = static_cast<char>(101);
  EXPECT_FALSE(SignalValueFromBytes(SignalType::kVpdq,
                                    {reinterpret_cast<const uint8_t*>(bad.data()), bad.size()})
                   .ok());
}

TEST(VpdqValueTest, ReferenceFilesConvertBothWaysAndNameTheLine) {
  const std::string file = "0,100," + kHashA + ",0.000\r\n\n29,98," + kHashB + ",0.967\n";
  auto v = ReferenceFileToVpdqValue(file);
  ASSERT_TRUE(v.ok()) << v.status().ToString();
  EXPECT_EQ(*v, "0,100," + kHashA + ",0.000;29,98," + kHashB + ",0.967");
  EXPECT_EQ(VpdqValueToReferenceFile(*v),
            "0,100," + kHashA + ",0.000\n29,98," + kHashB + ",0.967\n");

  auto bad = ReferenceFileToVpdqValue("0,100," + kHashA + ",0.000\n\n29,98,zz,0.967\n");
  EXPECT_EQ(bad.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(Message(bad.status()).find("line 3: PDQ hash 'zz'"), std::string::npos)
      << bad.status().ToString();
  EXPECT_NE(Message(ReferenceFileToVpdqValue("\n\n").status()).find("no frames"),
            std::string::npos);
  EXPECT_NE(Message(ReferenceFileToVpdqValue("").status()).find("no frames"), std::string::npos);
}

TEST(VpdqValueTest, HugeInputsAreRefusedBeforeParsing) {
  const std::string huge(kMaxVpdqFileBytes + 1, '\n');
  auto v = ReferenceFileToVpdqValue(huge);
  EXPECT_EQ(v.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(Message(v.status()).find("more than the limit"), std::string::npos);
  // More distinct frames than one value may hold.
  std::string many;
  for (size_t i = 0; i <= kMaxVpdqFrames; ++i) {
    many += fmt::format("{},100,{:064x},0.000\n", i, i);
  }
  auto m = ReferenceFileToVpdqValue(many);
  EXPECT_EQ(m.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(Message(m.status()).find("65537 distinct frames, more than the limit of 65536"),
            std::string::npos)
      << m.status().ToString();
}

}  // namespace
}  // namespace vigil::bank
