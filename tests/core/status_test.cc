#include "core/status.h"

#include <gtest/gtest.h>

#include "core/result.h"

namespace vigil {
namespace {

TEST(StatusTest, DefaultIsOkWithEmptyMessage) {
  Status s;
  EXPECT_TRUE(s.ok());
  EXPECT_EQ(s.code(), StatusCode::kOk);
  EXPECT_EQ(s.message(), "");
  EXPECT_EQ(s.ToString(), "OK");
}

TEST(StatusTest, ErrorCarriesCodeMessageAndContext) {
  Status s = NotFoundError("bank 'x' does not exist");
  EXPECT_FALSE(s.ok());
  EXPECT_EQ(s.ToString(), "NOT_FOUND: bank 'x' does not exist");
  Status c = s.WithContext("banks.csv:3");
  EXPECT_EQ(c.code(), StatusCode::kNotFound);
  EXPECT_EQ(c.message(), "banks.csv:3: bank 'x' does not exist");
}

TEST(StatusTest, EdgeMappingTable) {
  EXPECT_EQ(HttpStatusFor(StatusCode::kInvalidArgument), 400);
  EXPECT_EQ(HttpStatusFor(StatusCode::kPermissionDenied), 403);
  EXPECT_EQ(HttpStatusFor(StatusCode::kNotFound), 404);
  EXPECT_EQ(HttpStatusFor(StatusCode::kFailedPrecondition), 409);
  EXPECT_EQ(HttpStatusFor(StatusCode::kAlreadyExists), 409);
  EXPECT_EQ(HttpStatusFor(StatusCode::kUnavailable), 503);
  EXPECT_EQ(ExitCodeFor(StatusCode::kOk), 0);
  // Every error code maps to a distinct exit code above the CLI's usage code 2.
  for (int a = 1; a <= static_cast<int>(StatusCode::kInternal); ++a) {
    EXPECT_GT(ExitCodeFor(static_cast<StatusCode>(a)), 2);
    for (int b = a + 1; b <= static_cast<int>(StatusCode::kInternal); ++b)
      EXPECT_NE(ExitCodeFor(static_cast<StatusCode>(a)), ExitCodeFor(static_cast<StatusCode>(b)));
  }
}

Result<int> ParsePositive(int v) {
  if (v <= 0) return InvalidArgumentError("not positive");
  return v;
}

Result<int> Doubled(int v) {
  ASSIGN_OR_RETURN(int x, ParsePositive(v));
  return 2 * x;
}

Status CheckBoth(int a, int b) {
  RETURN_IF_ERROR(ParsePositive(a));
  RETURN_IF_ERROR(ParsePositive(b));
  return Status::Ok();
}

TEST(ResultTest, AssignOrReturnPropagatesErrorsAndValues) {
  EXPECT_EQ(*Doubled(4), 8);
  EXPECT_EQ(Doubled(-1).status().code(), StatusCode::kInvalidArgument);
  EXPECT_TRUE(CheckBoth(1, 2).ok());
  EXPECT_EQ(CheckBoth(1, 0).message(), "not positive");
}

}  // namespace
}  // namespace vigil

#include "core/clock.h"

namespace vigil {
namespace {

TEST(ClockTest, FakeClockAdvancesAndFormatsUtc) {
  FakeClock clock(TimePoint(std::chrono::seconds(1'700'000'000)));
  EXPECT_EQ(FormatUtc(clock.Now()), "2023-11-14T22:13:20Z");
  clock.Advance(std::chrono::hours(24));
  EXPECT_EQ(FormatUtc(clock.Now()), "2023-11-15T22:13:20Z");
}

}  // namespace
}  // namespace vigil
