// Retention: at most 12 months per purpose (Art 3(1)(h)), expiry from the longest purpose, legal
// holds suspending deletion.
#include "privacy/retention.h"

#include <gtest/gtest.h>

namespace vigil::privacy {
namespace {

using std::chrono::days;

TimePoint Day(int y, unsigned m, unsigned d) {
  return TimePoint(std::chrono::sys_days(std::chrono::year(y) / m / d));
}

TEST(RetentionPolicyTest, TheDefaultIsValidAndWithinTwelveMonths) {
  const RetentionPolicy policy = DefaultRetentionPolicy();
  EXPECT_TRUE(ValidateRetentionPolicy(policy).ok());
  for (Purpose p : AllPurposes()) EXPECT_LE(policy.max_age.at(p), days(365)) << PurposeName(p);
}

TEST(RetentionPolicyTest, MoreThan365DaysIsRefusedNamingThePurpose) {
  RetentionPolicy policy = DefaultRetentionPolicy();
  policy.max_age[Purpose::kHashing] = days(366);
  Status s = ValidateRetentionPolicy(policy);
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
  EXPECT_NE(s.message().find("'hashing' keeps data 366 days"), std::string::npos) << s.message();
  policy.max_age[Purpose::kHashing] = days(0);
  EXPECT_FALSE(ValidateRetentionPolicy(policy).ok());
  policy.max_age.erase(Purpose::kHashing);
  EXPECT_NE(ValidateRetentionPolicy(policy).message().find("no maximum age"), std::string::npos);
}

TEST(RetentionPolicyTest, ParsesJsonAndNamesTheFile) {
  auto ok = ParseRetentionPolicyJson(
      R"({"reporting": 365, "blocking": 180, "hashing": 365, "redress": 90,
          "law_enforcement": 365})",
      "retention.json");
  ASSERT_TRUE(ok.ok()) << ok.status().ToString();
  EXPECT_EQ(ok->max_age.at(Purpose::kRedress), days(90));
  for (const char* bad : {"[]", "{", R"({"reporting": "a year"})", R"({"reporting": 365.5})",
                          R"({"forever": 1})", R"({"reporting": 400, "blocking": 1, "hashing": 1,
           "redress": 1, "law_enforcement": 1})"}) {
    auto r = ParseRetentionPolicyJson(bad, "retention.json");
    EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument) << bad;
    EXPECT_NE(r.status().message().find("retention.json"), std::string::npos) << bad;
  }
}

TEST(ExpiryTest, TheLongestPurposeWins) {
  RetentionPolicy policy = DefaultRetentionPolicy();
  policy.max_age[Purpose::kBlocking] = days(30);
  policy.max_age[Purpose::kRedress] = days(90);
  const TimePoint created = Day(2027, 1, 10);
  const Purpose blocking_and_redress[] = {Purpose::kBlocking, Purpose::kRedress};
  EXPECT_EQ(*ExpiryFor(policy, blocking_and_redress, created), Day(2027, 4, 10));  // +90 days
  const Purpose blocking[] = {Purpose::kBlocking};
  EXPECT_EQ(*ExpiryFor(policy, blocking, created), Day(2027, 2, 9));  // +30 days
  EXPECT_EQ(ExpiryFor(policy, {}, created).status().code(), StatusCode::kInvalidArgument);
}

TEST(LegalHoldTest, AnActiveHoldSuspendsDeletion) {
  const TimePoint expiry = Day(2027, 6, 1);
  LegalHold hold{.subject = "case:42",
                 .reason = "complaint pending",
                 .placed_at = Day(2027, 5, 1),
                 .review_at = Day(2027, 8, 1),
                 .lifted_at = std::nullopt};
  ASSERT_TRUE(ValidateLegalHold(hold).ok());
  const LegalHold holds[] = {hold};
  EXPECT_FALSE(IsDueForDeletion(expiry, {}, Day(2027, 5, 31)));    // not expired
  EXPECT_TRUE(IsDueForDeletion(expiry, {}, Day(2027, 6, 1)));      // expired, no hold
  EXPECT_FALSE(IsDueForDeletion(expiry, holds, Day(2027, 9, 1)));  // held past review date
  hold.lifted_at = Day(2027, 9, 2);
  const LegalHold lifted[] = {hold};
  EXPECT_FALSE(IsDueForDeletion(expiry, lifted, Day(2027, 9, 1)));
  EXPECT_TRUE(IsDueForDeletion(expiry, lifted, Day(2027, 9, 2)));
}

TEST(LegalHoldTest, InvalidHoldsNameTheField) {
  LegalHold hold{.subject = "user:1", .reason = "x", .placed_at = Day(2027, 1, 1)};
  EXPECT_NE(ValidateLegalHold(hold).message().find("subject"), std::string::npos);
  hold.subject = "case:";
  EXPECT_FALSE(ValidateLegalHold(hold).ok());
  hold.subject = "account:p1.k1.ab";
  hold.reason = "";
  EXPECT_NE(ValidateLegalHold(hold).message().find("reason"), std::string::npos);
  hold.reason = "court order";
  hold.lifted_at = Day(2026, 12, 31);
  EXPECT_NE(ValidateLegalHold(hold).message().find("lifted_at"), std::string::npos);
}

}  // namespace
}  // namespace vigil::privacy
