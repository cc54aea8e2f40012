// The legal basis: scanning only within the configured act's period (../shared/specs/
// regulation-status.md dates), never end-to-end encrypted communications under 2026/1881, never
// audio.
#include "privacy/legal_basis.h"

#include <gtest/gtest.h>

namespace vigil::privacy {
namespace {

TimePoint Utc(int y, unsigned m, unsigned d, int h = 0, int min = 0, int s = 0) {
  return TimePoint(std::chrono::sys_days(std::chrono::year(y) / m / d)) + std::chrono::hours(h) +
         std::chrono::minutes(min) + std::chrono::seconds(s);
}

LegalBasis Basis(std::string_view id) {
  auto b = LegalBasisById(id);
  EXPECT_TRUE(b.ok()) << b.status().ToString();
  return *b;
}

TEST(LegalBasisTest, TheDefaultIsTheSuccessorRegulation) {
  LegalBasis b = Basis(kDefaultLegalBasis);
  EXPECT_EQ(b.title, "Regulation (EU) 2026/1881");
  EXPECT_TRUE(b.excludes_end_to_end_encrypted);
}

TEST(LegalBasisTest, Regulation2026_1881AppliesFrom31July2026Through3April2028) {
  const LegalBasis b = Basis("2026/1881");
  auto at = [&](TimePoint t) { return CheckScanAllowed(b, {t, "image", false}).code(); };
  EXPECT_EQ(at(Utc(2026, 7, 30, 23, 59, 59)), StatusCode::kFailedPrecondition);
  EXPECT_EQ(at(Utc(2026, 7, 31)), StatusCode::kOk);
  EXPECT_EQ(at(Utc(2027, 11, 27, 12)), StatusCode::kOk);
  EXPECT_EQ(at(Utc(2028, 4, 3, 23, 59, 59)), StatusCode::kOk);
  EXPECT_EQ(at(Utc(2028, 4, 4)), StatusCode::kFailedPrecondition);
}

TEST(LegalBasisTest, NothingAllowedScanningInTheGapOf2026) {
  for (const LegalBasis& b : KnownLegalBases()) {
    Status s = CheckScanAllowed(b, {Utc(2026, 5, 15), "image", false});
    EXPECT_EQ(s.code(), StatusCode::kFailedPrecondition) << b.id;
    EXPECT_NE(s.message().find(b.title), std::string::npos) << s.message();
  }
  Status lapsed = CheckScanAllowed(Basis("2021/1232"), {Utc(2026, 4, 4), "image", false});
  EXPECT_NE(lapsed.message().find("2021-08-02 to 2026-04-03"), std::string::npos)
      << lapsed.message();
  EXPECT_TRUE(CheckScanAllowed(Basis("2021/1232"), {Utc(2026, 4, 3, 12), "image", false}).ok());
}

TEST(LegalBasisTest, EndToEndEncryptedCommunicationsAreExcludedBy2026_1881Only) {
  Status s = CheckScanAllowed(Basis("2026/1881"), {Utc(2027, 1, 1), "image", true});
  EXPECT_EQ(s.code(), StatusCode::kFailedPrecondition);
  EXPECT_NE(s.message().find("end-to-end encrypted"), std::string::npos);
  EXPECT_TRUE(CheckScanAllowed(Basis("2021/1232"), {Utc(2025, 1, 1), "image", true}).ok());
}

TEST(LegalBasisTest, AudioIsNeverScanned) {
  for (const LegalBasis& b : KnownLegalBases()) {
    const TimePoint inside = b.applies_from + std::chrono::days(10);
    Status s = CheckScanAllowed(b, {inside, "audio", false});
    EXPECT_EQ(s.code(), StatusCode::kFailedPrecondition) << b.id;
    EXPECT_NE(s.message().find("audio"), std::string::npos);
    EXPECT_TRUE(CheckScanAllowed(b, {inside, "video", false}).ok()) << b.id;
  }
}

TEST(LegalBasisTest, AnUnknownActIsNamedWithTheKnownOnes) {
  auto b = LegalBasisById("2099/1");
  EXPECT_EQ(b.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(b.status().message().find("2099/1"), std::string::npos);
  EXPECT_NE(b.status().message().find("2021/1232, 2026/1881"), std::string::npos);
}

}  // namespace
}  // namespace vigil::privacy
