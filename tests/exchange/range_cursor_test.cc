// The time-range paging cursor shared by the NCMEC and ThreatExchange clients, on hand-written
// cursors: the three valid forms, their round trip, and malformed ones, each refused with an
// error that names the exchange, shows the cursor and says which part is wrong.
#include "exchange/internal/range_cursor.h"

#include <gtest/gtest.h>

namespace vigil::exchange::internal {
namespace {

RangeCursor Parsed(std::string_view text) {
  auto c = ParseRangeCursor(text, "exchange te");
  EXPECT_TRUE(c.ok()) << text << ": " << c.status().message();
  return c.ok() ? *c : RangeCursor{};
}

void ExpectRefused(std::string_view text, std::string_view part) {
  auto c = ParseRangeCursor(text, "exchange te");
  ASSERT_FALSE(c.ok()) << "accepted '" << text << "'";
  EXPECT_EQ(c.status().code(), StatusCode::kFailedPrecondition) << text;
  const std::string& m = c.status().message();
  EXPECT_TRUE(m.starts_with("exchange te: stored cursor '")) << m;
  EXPECT_NE(m.find(part), std::string::npos) << "'" << part << "' not in: " << m;
}

TEST(RangeCursorTest, EmptyIsTheStartOfTheList) {
  EXPECT_EQ(Parsed(""), (RangeCursor{.from = 0, .to = 0, .next = ""}));
}

TEST(RangeCursorTest, ACompleteRangeIsItsEnd) {
  EXPECT_EQ(Parsed("1794999995"), (RangeCursor{.from = 0, .to = 1794999995, .next = ""}));
  EXPECT_EQ(Parsed("0"), (RangeCursor{}));
}

TEST(RangeCursorTest, PagingKeepsTheRangeAndTheLink) {
  EXPECT_EQ(Parsed("1700000000|1700003600|/v2/entries?from=x&to=y&start=2"),
            (RangeCursor{
                .from = 1700000000, .to = 1700003600, .next = "/v2/entries?from=x&to=y&start=2"}));
  EXPECT_EQ(Parsed("5|5|https://graph.example/v1/1/threat_updates?after=p2"),
            (RangeCursor{
                .from = 5, .to = 5, .next = "https://graph.example/v1/1/threat_updates?after=p2"}));
}

TEST(RangeCursorTest, FormatIsTheStoredForm) {
  EXPECT_EQ(FormatRangeCursor({.from = 3, .to = 1794999995}), "1794999995");
  EXPECT_EQ(FormatRangeCursor({.from = 3, .to = 9, .next = "/v2/entries?start=2"}),
            "3|9|/v2/entries?start=2");
  for (const RangeCursor& c : {RangeCursor{.from = 0, .to = 42},
                               RangeCursor{.from = 1, .to = 2, .next = "/v2/entries?a=b"}}) {
    EXPECT_EQ(Parsed(FormatRangeCursor(c)),
              (RangeCursor{.from = c.next.empty() ? 0 : c.from, .to = c.to, .next = c.next}));
  }
}

TEST(RangeCursorTest, AnEndThatIsNotANumberIsRefused) {
  ExpectRefused("soon", "TO 'soon' is not a number of seconds");
  ExpectRefused("-5", "TO '-5' is not a number of seconds");
  ExpectRefused("+5", "TO '+5' is not a number of seconds");
  ExpectRefused(" 5", "TO ' 5' is not a number of seconds");
  ExpectRefused("1.5", "TO '1.5' is not a number of seconds");
  ExpectRefused("99999999999999999999", "TO '99999999999999999999' is out of range");
}

TEST(RangeCursorTest, MissingOrBadFieldsAreNamed) {
  ExpectRefused("1|2", "two fields; expected TO or FROM|TO|NEXT");
  ExpectRefused("|2|/v2/entries", "FROM is empty");
  ExpectRefused("1||/v2/entries", "TO is empty");
  ExpectRefused("x|2|/v2/entries", "FROM 'x' is not a number of seconds");
  ExpectRefused("1|y|/v2/entries", "TO 'y' is not a number of seconds");
  ExpectRefused("1|2|", "NEXT (the paging link) is empty");
  ExpectRefused("1|2|/v2/entries|more", "more than three fields");
  ExpectRefused("9|2|/v2/entries", "FROM 9 is after TO 2");
  ExpectRefused("1|2|/v2/entries?a=b c", "NEXT (the paging link) holds a space or control");
  ExpectRefused("1|2|/v2/entries\x01", "NEXT (the paging link) holds a space or control");
}

TEST(RangeCursorTest, TheErrorShowsTheCursorEscapedAndShort) {
  auto c = ParseRangeCursor("1|2|\n", "exchange ncmec-esp");
  ASSERT_FALSE(c.ok());
  EXPECT_EQ(c.status().message().find('\n'), std::string::npos) << c.status().message();
  EXPECT_TRUE(c.status().message().starts_with("exchange ncmec-esp: stored cursor '"));

  const std::string huge = "1|2|" + std::string(10000, 'a') + "|";
  auto h = ParseRangeCursor(huge, "exchange te");
  ASSERT_FALSE(h.ok());
  EXPECT_LT(h.status().message().size(), 400u);
}

}  // namespace
}  // namespace vigil::exchange::internal
